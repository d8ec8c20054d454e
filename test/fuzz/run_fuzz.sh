#!/usr/bin/env bash
# ./run fuzz [SECONDS]: configures build-fuzz (clang, libFuzzer, ASan+UBSan), builds the fuzz
# targets and runs each for SECONDS (default 60) on a working corpus seeded from the repository's.
# Crashes land in build-fuzz/findings/<target>/. One line per target; exit 1 when any found one.
#   EVMULTI_FUZZ_TARGETS  space-separated subset of targets (default: all)
#   EVMULTI_JOBS          compile jobs (default: ninja's own choice)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
dir=build-fuzz
all_targets=(h1_response url headers cookie auth_challenge decode mime h2_frames)
read -r -a targets <<<"${EVMULTI_FUZZ_TARGETS:-${all_targets[*]}}"

if [ ! -f "$dir/build.ninja" ]; then
  CC=clang CXX=clang++ meson setup "$dir" -Dfuzzing=true -Dtests=false \
    -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized >&2
fi
ninja -C "$dir" ${EVMULTI_JOBS:+-j "$EVMULTI_JOBS"} "${targets[@]/#/test/fuzz/fuzz_}" >&2

found=0
for t in "${targets[@]}"; do
  corpus=$dir/corpus/$t findings=$dir/findings/$t log=$dir/fuzz-$t.log
  mkdir -p "$corpus" "$findings"
  cp -n test/fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null || true
  # Leaks are findings too; -error_exitcode tells a finding from a clean stop.
  rc=0
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
    "$dir/test/fuzz/fuzz_$t" "$corpus" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$findings/" -error_exitcode=77 -timeout=25 -rss_limit_mb=2048 \
    >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  if [ "$rc" -ne 0 ]; then
    found=1
    what="FINDING (exit $rc): $(ls -t "$findings" | head -1), see $log"
  else
    what="no finding"
  fi
  printf '%-15s %6ss  runs %-10s exec/s %-7s cov %-6s %s\n' "$t" "$seconds" "${runs:-?}" \
    "${speed:-?}" "${cov:-?}" "$what"
done
exit $found

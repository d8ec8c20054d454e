#!/usr/bin/env bash
# The option table against libcurl's own: option_list.c is built against the system libcurl
# (its headers, -lcurl) and against evmulti, and both must list the same options with the same
# ids, types and flags, in the same order. Skipped (77) only when no system libcurl is there.
set -euo pipefail
src=$1
build_root=$2
sanitize=${3:-none}
cc=${CC:-cc}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# shellcheck disable=SC2086
if ! $cc -o "$out/system" "$src" -lcurl 2>"$out/system.err"; then
  echo "SKIP: no system libcurl to compare with ($(head -1 "$out/system.err"))"
  exit 77
fi
flags=()
[ "$sanitize" != none ] && flags+=("-fsanitize=$sanitize")
export PKG_CONFIG_PATH="$build_root/meson-uninstalled"
# shellcheck disable=SC2046,SC2086
$cc "${flags[@]}" -o "$out/evmulti" "$src" $(pkg-config --cflags --libs evmulti)
"$out/system" >"$out/system.txt"
LD_LIBRARY_PATH="$build_root/lib" "$out/evmulti" >"$out/evmulti.txt"
echo "system libcurl: $(wc -l <"$out/system.txt") options, evmulti: $(wc -l <"$out/evmulti.txt")"
diff -u "$out/system.txt" "$out/evmulti.txt"

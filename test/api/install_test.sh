#!/usr/bin/env bash
# `meson install` puts the library, the curl headers and the evmulti pkg-config file in place.
set -euo pipefail
build_root=$1
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build_root" --no-rebuild --destdir "$dest" --quiet >/dev/null
for pattern in 'libevmulti.so*' 'curl.h' 'multi.h' 'easy.h' 'evmulti.pc'; do
  if [ -z "$(find "$dest" -name "$pattern" -print -quit)" ]; then
    echo "not installed: $pattern"
    exit 1
  fi
done
echo "installed: library, headers, evmulti.pc"

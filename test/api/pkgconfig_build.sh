#!/usr/bin/env bash
# Builds a libcurl-style C program the way a user would: cc prog.c $(pkg-config --cflags --libs
# evmulti), against the build tree's uninstalled .pc file, then runs it.
set -euo pipefail
src=$1
build_root=$2
sanitize=${3:-none}
flags=()
[ "$sanitize" != none ] && flags+=("-fsanitize=$sanitize")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export PKG_CONFIG_PATH="$build_root/meson-uninstalled"
# shellcheck disable=SC2046
cc "${flags[@]}" -std=c89 -pedantic-errors -Wall -Wextra -o "$out/prog" "$src" $(pkg-config --cflags --libs evmulti)
LD_LIBRARY_PATH="$build_root/lib" "$out/prog"

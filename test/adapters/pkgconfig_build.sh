#!/usr/bin/env bash
# Builds each example the way a user would, with its adapter's pkg-config file alone
# (cc example.c $(pkg-config --cflags --libs evmulti-epoll)), against the build tree's
# uninstalled .pc files.
#   pkgconfig_build.sh BUILD_ROOT SANITIZE PACKAGE=SOURCE...
set -euo pipefail
build_root=$1
sanitize=$2
shift 2
flags=()
[ "$sanitize" != none ] && flags+=("-fsanitize=$sanitize")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export PKG_CONFIG_PATH="$build_root/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
for pair in "$@"; do
  package=${pair%%=*}
  src=${pair#*=}
  # shellcheck disable=SC2046
  cc "${flags[@]}" -std=gnu11 -Wall -Wextra -Werror -o "$out/prog" "$src" \
    $(pkg-config --cflags --libs "$package")
  echo "$package: $(basename "$src") builds"
done

#!/usr/bin/env bash
# Installs the build tree into a temporary prefix, builds tests/package
# against it with find_package(tracegrep) and with pkg-config, runs both.
#   run.sh BUILD_DIR
set -euo pipefail
build="$1"
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
cmake -S "$here" -B "$tmp/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/build" >/dev/null
"$tmp/build/service" >"$tmp/cmake.out"
PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig:$tmp/prefix/lib/x86_64-linux-gnu/pkgconfig" \
  c++ -o "$tmp/service-pc" "$here/main.cpp" $(PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig:$tmp/prefix/lib/x86_64-linux-gnu/pkgconfig" pkg-config --cflags --libs tracegrep-emit)
"$tmp/service-pc" >"$tmp/pc.out"
for out in "$tmp/cmake.out" "$tmp/pc.out"; do
  grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]{3} - INFO - \[req=a1b2c3d4\|session=12345678\] - Processing payment for user Alice$' "$out"
  grep -Eq ' - ERROR - \[req=a1b2c3d4\|session=12345678\] - Payment gateway timeout$' "$out"
done
echo "package: find_package and pkg-config builds both wrote the expected lines"

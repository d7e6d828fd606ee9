#!/bin/sh
# test.sh — install what is missing, build, and run every test suite; then
# the unit and golden suites again in a second build under AddressSanitizer
# and UndefinedBehaviorSanitizer, failing on any report.
set -eu
# Everything on standard output, set-up included: setup.sh reports on
# standard error (run.sh keeps standard output for mmcalc's), and a caller
# that shows only standard output saw nothing while the packages were
# fetched and build/ configured and compiled.
exec 2>&1
PYTHONUNBUFFERED=1 # meson's progress as it goes, even into a pipe
export PYTHONUNBUFFERED
top=$(cd "$(dirname "$0")/.." && pwd)
# The program and every suite the build can make without more packages
# first: on a fresh machine they configure and compile in seconds, before
# the packages below are fetched (OpenBLAS alone is tens of MB).
"$top/scripts/setup.sh"
# Then what the tests add: check (unit tests), OpenBLAS, BLIS and oneDNN
# (the benchmarks' anchors), mandoc and groff (man page lint), xmllint from
# libxml2-utils (the charts' SVG). Installing any of them configures
# build/ again, so their suites are there.
"$top/scripts/setup.sh" check libopenblas-dev libblis-dev libdnnl-dev mandoc groff-base libxml2-utils
cd "$top"
meson test -C build --print-errorlogs

if [ ! -f build-asan/build.ninja ]; then
	meson setup build-asan -Dbuildtype=debugoptimized \
		-Db_sanitize=address,undefined -Dc_args=-fno-sanitize-recover=all >&2
fi
ninja -C build-asan >&2
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	meson test -C build-asan --print-errorlogs --suite unit --suite golden \
	--suite fuzz-corpus

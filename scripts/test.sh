#!/bin/sh
# test.sh — install what is missing, build, and run every test suite; then
# the unit and golden suites again in a second build under AddressSanitizer
# and UndefinedBehaviorSanitizer, failing on any report.
set -eu
PYTHONUNBUFFERED=1 # meson's progress as it goes, even into a pipe
export PYTHONUNBUFFERED
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/setup.sh" check libopenblas-dev mandoc groff-base
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

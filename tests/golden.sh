#!/bin/sh
# golden.sh MMCALC DIR NAME — runs DIR/NAME.mm through MMCALC as a script on
# standard input and compares stdout, stderr and the exit status with
# NAME.out, NAME.err (absent: empty) and NAME.status (absent: 0 unless
# NAME.err exists, then 1). A first line "# args: ..." adds arguments.
# Timings are masked as <time> and rates as <rate>, since they vary,
# unless a line "# exact" near the top says nothing in the script varies.
# With UPDATE=1 the expected files are rewritten from what ran.
set -u
mmcalc=$1 dir=$2 name=$3
masks=$(cd "$(dirname "$0")" && pwd)/mask.sed
case $mmcalc in /*) ;; *) mmcalc=$(pwd)/$mmcalc ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args=$(sed -n '1s/^# args: //p' "$dir/$name.mm")
dir=$(cd "$dir" && pwd) && cd "$dir" || exit 2
# The host's calibration is cached in a scratch directory, not the user's.
XDG_CACHE_HOME=$tmp/cache
export XDG_CACHE_HOME
# shellcheck disable=SC2086
"$mmcalc" $args < "$name.mm" > "$tmp/out" 2> "$tmp/err"
status=$?
mask() {
	# "# exact" in the script's first lines: nothing varies, compare all.
	if head -3 "$dir/$name.mm" | grep -q '^# exact'; then
		cat "$1"
		return
	fi
	sed -E -f "$masks" "$1"
}
mask "$tmp/out" > "$tmp/out.m"
mask "$tmp/err" > "$tmp/err.m"
if [ "${UPDATE:-0}" = 1 ]; then
	cp "$tmp/out.m" "$name.out"
	if [ -s "$tmp/err.m" ]; then cp "$tmp/err.m" "$name.err"; else rm -f "$name.err"; fi
	expect=0
	[ -s "$tmp/err.m" ] && expect=1
	if [ "$status" != "$expect" ]; then echo "$status" > "$name.status"; else rm -f "$name.status"; fi
	exit 0
fi
fail=0
if ! diff -u "$name.out" "$tmp/out.m"; then
	echo "stdout differs from $name.out" >&2
	fail=1
fi
if [ -f "$name.err" ]; then
	if ! diff -u "$name.err" "$tmp/err.m"; then
		echo "stderr differs from $name.err" >&2
		fail=1
	fi
	expect=1
else
	if [ -s "$tmp/err.m" ]; then
		echo "unexpected stderr:" >&2
		cat "$tmp/err.m" >&2
		fail=1
	fi
	expect=0
fi
[ -f "$name.status" ] && expect=$(cat "$name.status")
if [ "$status" != "$expect" ]; then
	echo "exit status $status, expected $expect" >&2
	fail=1
fi
exit $fail

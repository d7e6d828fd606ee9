#!/bin/sh
# output_full.sh MMCALC — output that cannot be written is never success:
# with standard output on /dev/full (a disk that is full) every way of
# running mmcalc exits with status 2 and says why on standard error; a
# script stops at the first failed write (nothing after it runs); with
# standard error on /dev/full the status is 2 as well.
set -u
mmcalc=$1
case $mmcalc in /*) ;; *) mmcalc=$(pwd)/$mmcalc ;; esac
[ -w /dev/full ] || { echo "no /dev/full: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fail=0
msg="mmcalc: cannot write standard output: No space left on device"

# expect STATUS STDERR-FILE DESCRIPTION: the last run's status and stderr
expect() {
	if [ "$st" != "$1" ]; then
		echo "FAIL $3: status $st, expected $1"; fail=1
	elif [ -n "$2" ] && ! grep -qF "$2" err; then
		echo "FAIL $3: stderr lacks '$2':"; cat err; fail=1
	else
		echo "ok $3"
	fi
}

printf '1 + 2\n(2x3) @ (3x4)\n' > small.mm
"$mmcalc" small.mm > /dev/full 2> err; st=$?
expect 2 "$msg" "a script file"
"$mmcalc" < small.mm > /dev/full 2> err; st=$?
expect 2 "$msg" "a script on standard input"
"$mmcalc" -e '1 + 1' > /dev/full 2> err; st=$?
expect 2 "$msg" "-e"
"$mmcalc" --json -e '(2x3)' > /dev/full 2> err; st=$?
expect 2 "$msg" "--json"
"$mmcalc" --echo small.mm > /dev/full 2> err; st=$?
expect 2 "$msg" "--echo"
"$mmcalc" --version > /dev/full 2> err; st=$?
expect 2 "$msg" "--version"
"$mmcalc" --help > /dev/full 2> err; st=$?
expect 2 "$msg" "--help"
# A failed statement (status 1 alone) with lost output is still 2.
printf '1 + 2\nnope\n' > bad.mm
"$mmcalc" bad.mm > /dev/full 2> err; st=$?
expect 2 "$msg" "a failing script"
# Diagnostics that cannot be written: status 2 (nothing can say so).
"$mmcalc" -e 'nope' 2> /dev/full > out; st=$?
expect 2 "" "standard error full"
"$mmcalc" -e '1 + 1' 2> /dev/full > out; st=$?
expect 0 "" "standard error full, nothing written to it"

# More than the 64 KiB output buffer, then a save: the script stops at
# the first failed write, so the file is never written.
{
	i=0
	while [ $i -lt 200 ]; do echo 'arange(100)'; i=$((i + 1)); done
	echo 'save("after.csv", [[1]])'
} > long.mm
"$mmcalc" long.mm > /dev/full 2> err; st=$?
expect 2 "$msg" "a long script"
if [ -e after.csv ]; then
	echo "FAIL the script went on after its output failed"; fail=1
fi
# The same script to a working output runs to the end.
"$mmcalc" long.mm > out 2> err; st=$?
expect 0 "" "a long script, output working"
[ -e after.csv ] || { echo "FAIL after.csv not written"; fail=1; }
exit $fail

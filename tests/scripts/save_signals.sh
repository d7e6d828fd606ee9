#!/bin/sh
# save_signals.sh MMCALC — SIGTERM, SIGHUP or SIGINT while save() writes
# a file leaves neither the temporary file nor a half-written target:
# the program removes its temporary files and dies of the signal.
set -u
mmcalc=$1
case $mmcalc in /*) ;; *) mmcalc=$(pwd)/$mmcalc ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fail=0
# 128 MiB saved twenty times over: each save takes a while.
{
	echo 'x = zeros(16, 1024, 1024, dtype=f64)'
	i=0
	while [ $i -lt 20 ]; do echo 'save("big.npy", x)'; i=$((i + 1)); done
} > saves.mm
printf 'old' > big.npy

# try SIGNAL EXPECTED-STATUS: runs the saves, waits for a temporary file
# to appear, sends the signal, then checks what is left.
try() {
	"$mmcalc" saves.mm > out 2> err &
	pid=$!
	n=0
	while [ $n -lt 2000 ]; do
		set -- "$1" "$2" .big.npy.*
		[ -e "$3" ] && break
		sleep 0.01
		n=$((n + 1))
	done
	if [ $n -ge 2000 ]; then
		echo "FAIL $1: no temporary file seen"; fail=1
	fi
	kill -s "$1" "$pid"
	wait "$pid"
	st=$?
	left=$(ls -A | grep '^\.big\.npy\.' || true)
	if [ -n "$left" ]; then
		echo "FAIL $1: temporary files left: $left"; fail=1
		rm -f .big.npy.*
	elif [ "$st" != "$2" ]; then
		echo "FAIL $1: status $st, expected $2"; cat err; fail=1
	else
		echo "ok $1: nothing left, status $st"
	fi
	# The target is the old file or a whole new one, never a part.
	size=$(wc -c < big.npy)
	if [ "$size" != 3 ] && [ "$size" != 134217856 ]; then
		echo "FAIL $1: big.npy has $size bytes"; fail=1
	fi
}
try TERM 143
try HUP 129
# SIGINT stops the script (the save in progress is abandoned, its file
# removed) with status 130.
try INT 130
exit $fail

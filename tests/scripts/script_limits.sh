#!/bin/sh
# script_limits.sh MMCALC — reading scripts is bounded and interruptible:
# a device as a script is refused at once; a script file over 64 MiB is
# refused; a line of standard input over 64 MiB is an error that is
# skipped (the next lines run) in bounded memory; standard input that
# never ends (/dev/zero) is read in bounded memory until Ctrl-C.
set -u
mmcalc=$1
case $mmcalc in /*) ;; *) mmcalc=$(pwd)/$mmcalc ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fail=0
py=$(command -v python3) || { echo "no python3: skipped"; exit 77; }
big=1
case ${MM_SANITIZE:-none} in none|'') ;; *) big=0 ;; esac

"$mmcalc" /dev/zero > out 2> err; st=$?
if [ $st = 2 ] && grep -q '/dev/zero: is a device, not a script file' err; then
	echo "ok a device as a script"
else
	echo "FAIL a device as a script: status $st"; cat err; fail=1
fi

# 65 MiB of comments: over the limit, refused whole.
"$py" -c 'import sys; sys.stdout.write("# padding\n" * (65 * 1024 * 1024 // 10 + 1))' > huge.mm
"$mmcalc" huge.mm > out 2> err; st=$?
if [ $st = 2 ] && grep -q 'huge.mm: a script of more than 64 MiB' err; then
	echo "ok a script over 64 MiB"
else
	echo "FAIL a script over 64 MiB: status $st"; cat err; fail=1
fi

# A 100 MiB line between two good ones, on standard input: an error
# naming line 2, the lines around it run, memory bounded.
if [ $big = 1 ]; then
	rss=$("$py" -c '
import resource, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE,
                     stdout=open("out", "w"), stderr=open("err", "w"))
p.stdin.write(b"1 + 1\n" + b"x" * (100 << 20) + b"\n2 + 2\n")
p.stdin.close()
p.wait()
print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' \
		"$mmcalc")
	set -- $rss
	if [ "$1" = 1 ] && grep -q '^mmcalc: <stdin>: line 2 is longer than 64 MiB (the limit): skipped' err &&
	   grep -q '^2$' out && grep -q '^4$' out && [ "$2" -lt 163840 ]; then
		echo "ok a 100 MiB line: skipped, $2 KiB resident"
	else
		echo "FAIL a 100 MiB line: status $1, $2 KiB resident"
		cat err out; fail=1
	fi
fi

# Endless standard input: memory stays bounded, Ctrl-C ends it (130).
"$mmcalc" < /dev/zero > out 2> err &
pid=$!
sleep 1
rss=$(awk '/^VmRSS/ { print $2 }' /proc/$pid/status 2>/dev/null || echo 0)
kill -INT $pid
n=0
while kill -0 $pid 2>/dev/null && [ $n -lt 500 ]; do sleep 0.01; n=$((n + 1)); done
if kill -0 $pid 2>/dev/null; then
	echo "FAIL /dev/zero on standard input: still running after Ctrl-C"
	kill -KILL $pid; fail=1
fi
wait $pid; st=$?
if [ $st = 130 ] && { [ $big = 0 ] || [ "$rss" -lt 163840 ]; }; then
	echo "ok /dev/zero on standard input: $rss KiB, status 130"
else
	echo "FAIL /dev/zero on standard input: $rss KiB, status $st"; fail=1
fi
exit $fail

#!/bin/sh
# memory_bounded.sh MMCALC — resident memory, measured with getrusage
# (issue 23): a line of 1,000,000 ';'-separated statements, a script of
# 1,000,000 lines and a 2,000,000-element matrix literal run in bounded
# memory (they took 2.6 GB, 7 MB and 1.8 GB); and statements run under
# `:set memlimit 64MiB` whose temporaries (attention's scores, softmax's
# and layernorm's scratch, QR's work copies) would exceed it never take
# the process past its start-up size plus the limit plus 24 MiB.
# Under a sanitizer the shadow memory swamps the figures: skipped.
set -u
mmcalc=$1
case $mmcalc in /*) ;; *) mmcalc=$(pwd)/$mmcalc ;; esac
case ${MM_SANITIZE:-none} in none|'') ;; *) echo "under a sanitizer: skipped"; exit 77 ;; esac
py=$(command -v python3) || { echo "no python3: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fail=0
# The host's calibration (its bandwidth triad takes 96 MiB) runs once, at
# the first prediction, and is cached: a test of its own cache, warmed
# here, keeps it out of every figure below whatever ran before.
XDG_CACHE_HOME=$tmp/cache
export XDG_CACHE_HOME

# Runs mmcalc on script $1; prints its exit status and peak resident KiB.
run() {
	"$py" -c '
import resource, subprocess, sys
r = subprocess.call(sys.argv[2:], stdout=open("out", "w"), stderr=open("err", "w"))
print(r, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' x "$mmcalc" "$1"
}

# check NAME SCRIPT MAX_KIB EXPECTED_LAST_LINE
check() {
	set -- "$1" "$2" "$3" "$4" $(run "$2")
	if [ "$5" = 0 ] && [ "$6" -le "$3" ] && grep -qx -- "$4" out; then
		echo "ok $1: $6 KiB resident (at most $3)"
	else
		echo "FAIL $1: status $5, $6 KiB resident (at most $3), last line:"
		tail -n 1 out; head -n 5 err; fail=1
	fi
}

echo "sum(ones(4000000))" > warm.mm
set -- $(run warm.mm)
[ "$1" = 0 ] && [ -f "$tmp/cache/mmcalc/host" ] || {
	echo "FAIL the calibration did not run or was not cached (status $1)"
	cat err
	exit 1
}
"$py" -c 'print(";".join(["1 + 1"] * 999999 + ["6 * 7"]))' > line.mm
check "1,000,000 statements on one line" line.mm 131072 42
"$py" -c 'print("\n".join(["1 + 1"] * 999999 + ["6 * 7"]))' > lines.mm
check "1,000,000 lines" lines.mm 131072 42
"$py" -c 'print("x = [" + ",".join(["-1.5"] * 2000000) + "]\nsum(x)")' > literal.mm
check "a 2,000,000-element literal" literal.mm 131072 "-3000000."
"$py" -c '
rows = ",".join("[" + ",".join(str(i * 1000 + j) for j in range(1000)) + "]" for i in range(1000))
print("x = [" + rows + "]\nx[999, 999]")' > rows.mm
check "a 1000 x 1000 literal" rows.mm 131072 "999999."

# The baseline: a session that runs one small statement.
echo "1 + 1" > small.mm
set -- $(run small.mm)
base=$2
limit=65536 # KiB
cat > limit.mm <<'MM'
:set memlimit 64MiB
sum(softmax(randn(2048, 2048), axis=0))
sum(layernorm(randn(2048, 2048)))
q = qr(randn(1200, 1200))
Q = randn(1, 8192, 64)
attention(Q, Q, Q)
attention(randn(4, 4096, 64), randn(4, 4096, 64), randn(4, 4096, 64))
qr(randn(2000, 2000))
6 * 7
MM
set -- $(run limit.mm)
bound=$((base + limit + 24576))
refused=$(grep -c 'over the memory limit of 64 MiB\|more than the memory limit of 64 MiB' err)
if [ "$1" = 1 ] && [ "$2" -le "$bound" ] && [ "$refused" -ge 3 ] &&
   grep -qx 42 out; then
	echo "ok memlimit 64MiB: $2 KiB resident (start-up $base KiB, bound $bound), $refused refused"
else
	echo "FAIL memlimit 64MiB: status $1, $2 KiB resident (start-up $base KiB, bound $bound), $refused refused"
	cat err; fail=1
fi
exit $fail

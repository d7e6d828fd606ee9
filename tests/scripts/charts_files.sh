#!/bin/sh
# charts_files.sh MMCALC — what the chart commands do beyond their text:
# plot="F.svg" writes a standalone SVG (well-formed XML, checked with
# xmllint when it is installed), run=true measures on this machine (a
# measured point per operation, a measured column in :sweep), and the
# terminal's facts reach the settings: 80 columns in a pipe whatever
# COLUMNS says, Unicode by the locale (LC_ALL, then LC_CTYPE, then LANG)
# unless --ascii, no colour in a pipe.
set -u
mmcalc=$1
case $mmcalc in /*) ;; *) mmcalc=$(pwd)/$mmcalc ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
XDG_CACHE_HOME=$tmp/cache
export XDG_CACHE_HOME
fail=0
bad() {
	echo "charts_files: $*"
	fail=1
}

# ---- plot= ----
"$mmcalc" -e ':device custom peak=100T bw=1T' \
	-e ':roofline softmax((60 x 60) @ (60 x 60)) plot="roof.svg"' \
	> out 2> err || bad "plot= failed: $(cat err)"
mkdir sub
"$mmcalc" -e ':device custom peak=100T bw=1T' \
	-e ':sweep n = 60..960 x2: (n x n) @ (n x n) plot="sub/../sweep.svg"' \
	> out 2> err || bad "plot= through a directory failed: $(cat err)"
for f in roof.svg sweep.svg; do
	[ -s "$f" ] || { bad "$f was not written"; continue; }
	head -c 5 "$f" | grep -q '^<?xml' || bad "$f does not start with <?xml"
	grep -q '<svg ' "$f" || bad "$f has no <svg> element"
	grep -q '</svg>' "$f" || bad "$f does not end its <svg>"
	if command -v xmllint > /dev/null 2>&1; then
		xmllint --noout "$f" || bad "$f is not well-formed XML"
	fi
done
grep -q 'ridge 100 FLOP/B' roof.svg || bad "the roofline's SVG has no ridge label"
grep -q 'wrote sweep.svg\|wrote sub/../sweep.svg' out || bad "no line says the file was written"
# A file that cannot be written is an error, and nothing is printed as done.
if "$mmcalc" -e ':device custom peak=1T bw=1T' \
	-e ':roofline (2x2) @ (2x2) plot="nodir/x.svg"' > out 2> err; then
	bad "plot= into a missing directory succeeded"
fi
grep -q 'error' err || bad "plot= into a missing directory said no error"

# ---- run=true: measured here ----
"$mmcalc" -e ':device host' \
	-e ':roofline relu((96 x 96) @ (96 x 96)) run=true' > out 2> err ||
	bad "run=true failed: $(cat err)"
grep -q 'measured here' out || bad "no measured series in the legend"
# the key: "#  op  shape  FLOP/B  predicted  measured  bound by", each
# operation with a measured rate
grep -q '^#.*predicted *measured *bound by' out || bad "no measured column"
n=$(grep -cE '^[12] .*FLOP/s .*FLOP/s' out)
[ "$n" = 2 ] || bad "expected 2 operations with measured rates, found $n"
"$mmcalc" -e ':device host' \
	-e ':sweep n = 32..128 x2: (n x n) @ (n x n) bench=2' > out 2> err ||
	bad "sweep bench=2 failed: $(cat err)"
n=$(grep -cE '^(32|64|128) .* (ns|µs|ms) .*FLOP/s .* (ns|µs|ms) .*FLOP/s' out)
[ "$n" = 3 ] || bad "expected 3 measured rows, found $n"

# ---- the terminal's facts, in a pipe ----
val() { "$mmcalc" "$@" -e ":set" | awk -v k="$key" '$1 == k || $2 == k { print $NF }'; }
key=width
[ "$(COLUMNS=132 val)" = 80 ] || bad "width in a pipe is not 80"
key=unicode
[ "$(LC_ALL= LC_CTYPE= LANG=C.UTF-8 val)" = on ] || bad "a UTF-8 LANG gives no Unicode"
[ "$(LC_ALL= LC_CTYPE= LANG=C.UTF-8 val --ascii)" = off ] || bad "--ascii leaves Unicode on"
[ "$(LC_ALL=C LANG=C.UTF-8 val)" = off ] || bad "LC_ALL=C does not win over LANG"
[ "$(LC_ALL= LC_CTYPE=en_US.utf8 LANG=C val)" = on ] || bad "LC_CTYPE=en_US.utf8 gives no Unicode"
[ "$(LC_ALL= LC_CTYPE= LANG= val)" = off ] || bad "no locale gives Unicode"
key=colour
[ "$(val)" = off ] || bad "colour in a pipe"
exit $fail

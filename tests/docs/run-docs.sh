#!/bin/sh
# run-docs.sh MMCALC PAGE — runs every example of a man page (roff) or of a
# Markdown file (README.md) through MMCALC and compares what it prints with
# what the page shows, so that no example can drift from the program.
#
# The convention (see also man/mmcalc.1, which follows it):
#   roff: examples are .EX ... .EE blocks; Markdown: lines indented by four
#   spaces. In a block, a line "mm> INPUT" is typed at the prompt; the lines
#   after it, up to the next "mm> " or "$ " line or the block's end, are what
#   mmcalc prints (stdout and stderr merged, as on a terminal). The "mm> "
#   lines of a page form one session, in page order; a line
#   '.\" docs: new session' (roff) or '<!-- docs: new session -->'
#   (Markdown) starts a fresh one. A line "$ COMMAND" is run by sh in an
#   empty scratch directory with MMCALC first on PATH as "mmcalc"; the lines
#   after it are its expected output. Blocks with neither are not run.
#   Timings, rates and the host's verdicts are masked (tests/mask.sed).
#   In roff, the escapes \e \\ \- \& \(aq \(ga \(ha \(ti \(mu \(pc \(em
#   \(*m are understood; any other escape in an example is an error.
#
# Exit status 0 when every example matches, 1 otherwise (with a diff that
# names the page and the line where the session or command starts).
# With UPDATE=1 nothing is compared; the real transcripts are printed, to
# paste into the page.
set -u
mmcalc=$1 page=$2
here=$(cd "$(dirname "$0")" && pwd)
masks=$here/../mask.sed
case $mmcalc in /*) ;; *) mmcalc=$(pwd)/$mmcalc ;; esac
[ -x "$mmcalc" ] || { echo "run-docs: $mmcalc is not executable" >&2; exit 2; }
[ -r "$page" ] || { echo "run-docs: cannot read $page" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin" "$tmp/x" "$tmp/cache"
ln -s "$mmcalc" "$tmp/bin/mmcalc"
# Calibration and history go to scratch places, never the user's.
XDG_CACHE_HOME=$tmp/cache XDG_STATE_HOME=$tmp/state XDG_CONFIG_HOME=$tmp/cfg
MMCALC_HISTORY=$tmp/history
export XDG_CACHE_HOME XDG_STATE_HOME XDG_CONFIG_HOME MMCALC_HISTORY

case $page in *.md) format=md ;; *) format=roff ;; esac

# Split the page into session files S.in (inputs), S.exp (transcript) and
# S.at (page line), and command files C.cmd, C.exp, C.at.
awk -v dir="$tmp" -v fmt="$format" -v page="$page" '
function unroff(s,   out, c, n, i, t) {
	out = ""
	n = length(s)
	for (i = 1; i <= n; i++) {
		c = substr(s, i, 1)
		if (c != "\\") { out = out c; continue }
		t = substr(s, i + 1, 1)
		if (t == "e" || t == "\\") { out = out "\\"; i++; continue }
		if (t == "-") { out = out "-"; i++; continue }
		if (t == "&") { i++; continue }
		if (t == "(") {
			t = substr(s, i + 2, 2)
			if (t in glyph) { out = out glyph[t]; i += 3; continue }
		}
		printf "%s:%d: unsupported roff escape in an example: %s\n", page, NR, substr(s, i, 4) > "/dev/stderr"
		bad = 1
		out = out c
	}
	return out
}
function close_cur() {
	if (cur != "") close(cur)
	cur = ""
}
function start_session() {
	nsess++
	sfile = dir "/s" nsess
	print NR > (sfile ".at"); close(sfile ".at")
	printf "" > (sfile ".in")
	printf "" > (sfile ".exp")
	newsess = 0
}
function line(s) {
	if (substr(s, 1, 4) == "mm> ") {
		if (nsess == 0 || newsess) start_session()
		print substr(s, 5) >> (sfile ".in")
		print s >> (sfile ".exp")
		cur = sfile ".exp"
		mode = "s"
	} else if (substr(s, 1, 2) == "$ ") {
		ncmd++
		cfile = dir "/c" ncmd
		print NR > (cfile ".at"); close(cfile ".at")
		print substr(s, 3) > (cfile ".cmd"); close(cfile ".cmd")
		printf "" > (cfile ".exp")
		mode = "c"
	} else if (mode == "s") {
		print s >> (sfile ".exp")
	} else if (mode == "c") {
		print s >> (cfile ".exp")
	}
}
BEGIN {
	glyph["aq"] = "\047"; glyph["ga"] = "`"; glyph["ha"] = "^"
	glyph["ti"] = "~"; glyph["mu"] = "×"; glyph["pc"] = "·"
	glyph["em"] = "—"; glyph["*m"] = "µ"
	inblock = 0; mode = ""; newsess = 0; nsess = 0; ncmd = 0; bad = 0
}
fmt == "roff" {
	if ($0 ~ /^\.\\" docs: new session/) { newsess = 1; next }
	if ($0 ~ /^\.EX/) { inblock = 1; mode = ""; next }
	if ($0 ~ /^\.EE/) { inblock = 0; mode = ""; next }
	if (!inblock) next
	if ($0 ~ /^[.\047]/) next
	line(unroff($0))
	next
}
fmt == "md" {
	if ($0 ~ /^<!-- docs: new session -->/) { newsess = 1; next }
	if ($0 ~ /^    /) {
		s = substr($0, 5)
		if (!inblock && substr(s, 1, 4) != "mm> " && substr(s, 1, 2) != "$ ") next
		inblock = 1
		line(s)
		next
	}
	inblock = 0; mode = ""
	next
}
END { exit bad }
' "$page" || exit 1

fail=0
n=0
mask() { sed -E -f "$masks" "$1"; }
# compare BASE LABEL: BASE.exp (the page) against BASE.out (the program),
# both masked; a diff and fail=1 when they differ.
compare() {
	mask "$1.exp" > "$1.exp.m"
	mask "$1.out" > "$1.out.m"
	diff -u --label "$2" --label "what mmcalc prints" "$1.exp.m" "$1.out.m" ||
		fail=1
}
for f in "$tmp"/s*.in; do
	[ -e "$f" ] || break
	s=${f%.in}
	n=$((n + 1))
	(cd "$tmp/x" && "$mmcalc" --echo < "$f" > "$s.out" 2>&1)
	if [ "${UPDATE:-0}" = 1 ]; then
		echo "== $page: session at line $(cat "$s.at")"
		cat "$s.out"
		continue
	fi
	compare "$s" "$page (session from line $(cat "$s.at"))"
done
for f in "$tmp"/c*.cmd; do
	[ -e "$f" ] || break
	c=${f%.cmd}
	n=$((n + 1))
	rm -rf "$tmp/x" && mkdir "$tmp/x"
	(cd "$tmp/x" && PATH=$tmp/bin:$PATH sh "$f" > "$c.out" 2>&1)
	if [ "${UPDATE:-0}" = 1 ]; then
		echo "== $page: line $(cat "$c.at"): \$ $(cat "$f")"
		cat "$c.out"
		continue
	fi
	compare "$c" "$page:$(cat "$c.at"): \$ $(cat "$f")"
done
if [ "$n" = 0 ]; then
	echo "run-docs: $page has no examples to run" >&2
	exit 1
fi
[ "$fail" = 0 ] && [ "${UPDATE:-0}" != 1 ] && echo "run-docs: $page: $n example sessions and commands match"
exit $fail

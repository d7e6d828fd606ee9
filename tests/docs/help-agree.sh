#!/bin/sh
# help-agree.sh MMCALC MANPAGE — :help and mmcalc(1) say the same things.
#
# Checked, each way round:
#   functions  the built-ins named in ':help functions' (each confirmed a
#              function by mmcalc itself) are the functions documented in the
#              page's FUNCTIONS section (the tags of its .TP entries). (The
#              help is made from src/builtin.c's table, so it lists them all.)
#   commands   the :commands (aliases included) of ':help commands' are those
#              of the page's COMMANDS tags, and every one is a real command
#              (the help is made from src/command.c's table).
#   settings   the keys that ':set' lists are those of ':help settings' and
#              of the page's SETTINGS tags.
#   dtypes     the dtypes mmcalc accepts are those of ':help dtypes' and of
#              the page's "Dtypes" entries, with the same size in each (the
#              size checked against what mmcalc counts for a tensor).
#   devices    every profile of ':help devices' has an entry in the page's
#              "Devices" list giving the same datasheet figures and source,
#              and the page lists no other device.
#   options    the options of 'mmcalc --help' are the tags of OPTIONS.
#   topics     the topics ':help' lists are named in the page's :help entry.
#
# The page is read as roff: a .TP entry's tag is the line after .TP (text or
# a font macro such as .B or .BI), its body the lines up to the next .TP,
# .PP, .SS, .SH or example. Exit status 0 when everything agrees, 1 with a
# message per disagreement, 2 for bad arguments. KEEP=1 keeps the scratch
# directory (the page as records, the lists compared) for a look.
# shellcheck disable=SC2013 # the lists read word by word hold single words
set -u
if [ $# -ne 2 ]; then
	echo "usage: help-agree.sh MMCALC MANPAGE" >&2
	exit 2
fi
mmcalc=$1 page=$2
case $mmcalc in /*) ;; *) mmcalc=$(pwd)/$mmcalc ;; esac
[ -x "$mmcalc" ] || { echo "help-agree: $mmcalc is not executable" >&2; exit 2; }
[ -r "$page" ] || { echo "help-agree: cannot read $page" >&2; exit 2; }

tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
# A :device without arguments measures the host: into a scratch cache.
XDG_CACHE_HOME=$tmp/cache XDG_STATE_HOME=$tmp/state XDG_CONFIG_HOME=$tmp/cfg
MMCALC_HISTORY=$tmp/history
export XDG_CACHE_HOME XDG_STATE_HOME XDG_CONFIG_HOME MMCALC_HISTORY

fail=0
bad() {
	echo "help-agree: $*"
	fail=1
}
mm() { "$mmcalc" "$@" 2>&1; }

# ---- the page, as records: T SECTION SUBSECTION N TAG and B ... N TEXT ----
awk '
function unesc(s,   out, i, n, c, d, j, name) {
	out = ""; n = length(s)
	for (i = 1; i <= n; i++) {
		c = substr(s, i, 1)
		if (c != "\\") { out = out c; continue }
		d = substr(s, ++i, 1)
		if (d == "f") {
			d = substr(s, i + 1, 1)
			if (d == "(") i += 3
			else if (d == "[") { j = index(substr(s, i + 1), "]"); i += j }
			else i++
		} else if (d == "(") {
			name = substr(s, i + 1, 2); i += 2
			out = out ((name in glyph) ? glyph[name] : "")
		} else if (d == "[") {
			j = index(substr(s, i + 1), "]"); name = substr(s, i + 1, j - 1)
			i += j
			out = out ((name in glyph) ? glyph[name] : "")
		} else if (d == "*") {
			d = substr(s, i + 1, 1)
			if (d == "(") i += 3; else if (d == "[") { j = index(substr(s, i + 1), "]"); i += j } else i++
		} else if (d == "e" || d == "\\") out = out "\\"
		else if (d == "-") out = out "-"
		else if (d == " " || d == "~") out = out " "
		else if (d == "&" || d == "c" || d == "%" || d == "|" || d == "^" || d == "/" || d == ",") ;
		else out = out d
	}
	return out
}
# The arguments of a macro line, quoted or not, in a[1..n].
function args(s, a,   n, i, c, t, len) {
	n = 0; len = length(s); i = 1
	while (i <= len) {
		c = substr(s, i, 1)
		if (c == " " || c == "\t") { i++; continue }
		t = ""
		if (c == "\"") {
			for (i++; i <= len && substr(s, i, 1) != "\""; i++) t = t substr(s, i, 1)
			i++
		} else {
			for (; i <= len; i++) {
				c = substr(s, i, 1)
				if (c == " " || c == "\t") break
				if (c == "\\") { t = t c; i++; c = substr(s, i, 1) }
				t = t c
			}
		}
		a[++n] = t
	}
	return n
}
function text(line,   m, rest, n, a, i, out, sep) {
	if (substr(line, 1, 1) != "." && substr(line, 1, 1) != "\047")
		return unesc(line)
	m = line; sub(/^[.\047][ \t]*/, "", m)
	rest = m; sub(/^[A-Za-z]+[ \t]*/, "", rest); sub(/[ \t].*$/, "", m)
	n = args(rest, a); out = ""
	sep = (m ~ /^(BR|RB|BI|IB|IR|RI)$/) ? "" : " "
	for (i = 1; i <= n; i++) out = out (i > 1 ? sep : "") a[i]
	return unesc(out)
}
BEGIN {
	OFS = "\t"
	glyph["aq"] = "\047"; glyph["dq"] = "\""; glyph["ti"] = "~"; glyph["ha"] = "^"
	glyph["ga"] = "`"; glyph["mu"] = "×"; glyph["pc"] = "·"; glyph["em"] = "—"
	glyph["en"] = "–"; glyph["lq"] = "“"; glyph["rq"] = "”"; glyph["S2"] = "²"
	glyph["S3"] = "³"; glyph["de"] = "°"; glyph["*m"] = "µ"; glyph["mc"] = "µ"
	sec = ""; sub_ = ""; tag = 0; want = 0; inex = 0; ntag = 0
}
/^\.EX/ { inex = 1; tag = 0; next }
/^\.EE/ { inex = 0; next }
inex { next }
/^\.\\"/ { next }
/^\.SH/ { sec = text($0); gsub(/"/, "", sec); sub_ = ""; tag = 0; next }
/^\.SS/ { sub_ = text($0); gsub(/"/, "", sub_); tag = 0; next }
/^\.TP/ { want = 1; next }
/^\.(PP|LP|P|RS|RE|IP|HP)([ \t]|$)/ { tag = 0; next }
/^[.\047](br|sp|nf|fi|in|ne|ad|na|TH)([ \t]|$)/ { next }
{
	t = text($0)
	if (want) { want = 0; tag = ++ntag; print "T", sec, sub_, tag, t; next }
	if (tag) print "B", sec, sub_, tag, t
}
' "$page" > "$tmp/page" || { echo "help-agree: cannot read the page's roff" >&2; exit 2; }

# Tags of SECTION (and SUBSECTION, when given), one per line.
tags() {
	awk -F '\t' -v s="$1" -v ss="${2-}" \
		'$1 == "T" && $2 == s && (ss == "" || $3 == ss) { print $5 }' "$tmp/page"
}
# The body of the entry whose tag is exactly TAG in SECTION/SUBSECTION,
# as one line with blanks collapsed.
body() {
	awk -F '\t' -v s="$1" -v ss="$2" -v t="$3" '
	$1 == "T" && $2 == s && $3 == ss && $5 == t { n = $4 }
	$1 == "B" && n != "" && $4 == n { out = out " " $5 }
	END { gsub(/[ \t]+/, " ", out); sub(/^ /, "", out); print out }' "$tmp/page"
}
squash() { tr -s ' \t\n' '   ' | sed 's/^ //; s/ $//'; }
# Lines of file $1 missing from file $2 (both sorted, unique).
missing() { comm -23 "$1" "$2"; }
# absent LIST1 LIST2 MESSAGE: a failure for every entry of LIST1 that
# LIST2 lacks, MESSAGE's %s standing for the entry.
absent() {
	for x in $(missing "$1" "$2"); do
		bad "$(printf "$3" "$x")"
	done
}

[ -n "$(tags FUNCTIONS)" ] || bad "the page has no FUNCTIONS entries (.TP tags in a section FUNCTIONS)"

# ---- functions ----
# Identifiers of a call list at parenthesis depth 0 followed by '(':
# "attention(Q, K, V, scale=1/sqrt(d))" names attention only.
callees() {
	awk '{
		d = 0; w = ""
		for (i = 1; i <= length($0); i++) {
			c = substr($0, i, 1)
			if (c ~ /[A-Za-z0-9_]/) { w = w c; continue }
			if (c == "(") { if (d == 0 && w ~ /^[A-Za-z_]/) print w; d++ }
			else if (c == ")") d--
			w = ""
		}
	}'
}
# The words of stdin that mmcalc calls functions ("NAME is a function").
real_functions() {
	set --
	for w in $(sort -u); do set -- "$@" -e "$w"; done
	[ $# -gt 0 ] || return 0
	mm "$@" | sed -n 's/.* error: \([A-Za-z_0-9]*\) is a function$/\1/p' | sort -u
}
mm -e ':help functions' | grep -o '[A-Za-z_][A-Za-z_0-9]*' | real_functions > "$tmp/help.fn"
tags FUNCTIONS | callees | sort -u > "$tmp/page.fn"
real_functions < "$tmp/page.fn" > "$tmp/page.fn.real"
[ -s "$tmp/help.fn" ] || bad ":help functions names no function mmcalc knows"
absent "$tmp/page.fn" "$tmp/page.fn.real" "FUNCTIONS documents %s(), which mmcalc does not have"
absent "$tmp/help.fn" "$tmp/page.fn" "':help functions' lists %s, but the page's FUNCTIONS does not document it"
absent "$tmp/page.fn.real" "$tmp/help.fn" "FUNCTIONS documents %s, but ':help functions' does not list it"

# ---- commands ----
# ':help commands': the :words of the first column of each "  :cmd ..." line.
mm -e ':help commands' | sed -n 's/^  \(:[^ ].*\)$/\1/p' | sed 's/   *.*$//' \
	| grep -o ':[a-z][a-z0-9_]*' | sort -u > "$tmp/help.cmd"
tags COMMANDS | grep -o ':[a-z][a-z0-9_]*' | sort -u > "$tmp/page.cmd"
[ -s "$tmp/help.cmd" ] || bad ":help commands lists no command"
[ -s "$tmp/page.cmd" ] || bad "the page has no COMMANDS entries"
absent "$tmp/help.cmd" "$tmp/page.cmd" "':help commands' lists %s, but the page's COMMANDS does not document it"
absent "$tmp/page.cmd" "$tmp/help.cmd" "COMMANDS documents %s, but ':help commands' does not list it"
for c in $(sort -u "$tmp/help.cmd" "$tmp/page.cmd"); do
	if mm -e "$c" | grep -q "unknown command"; then
		bad "$c is documented, but mmcalc says it is an unknown command"
	fi
done

# ---- settings ----
mm -e ':set' | sed -n 's/^[* ] \([a-z][a-z0-9_]*\) .*/\1/p' | sort -u > "$tmp/real.set"
mm -e ':help settings' | sed -n 's/^  \([a-z].*\)$/\1/p' | sed 's/   *.*$//' \
	| tr ',' '\n' | awk '{ print $1 }' | sort -u > "$tmp/help.set"
tags SETTINGS | awk '{ print $1 }' | sort -u > "$tmp/page.set"
[ -s "$tmp/real.set" ] || bad "':set' lists no setting"
absent "$tmp/real.set" "$tmp/help.set" "':set' has the key %s, but ':help settings' does not list it"
absent "$tmp/help.set" "$tmp/real.set" "':help settings' lists %s, which ':set' does not have"
absent "$tmp/real.set" "$tmp/page.set" "':set' has the key %s, but the page's SETTINGS does not document it"
absent "$tmp/page.set" "$tmp/real.set" "SETTINGS documents %s, which ':set' does not have"

# ---- dtypes ----
# Sizes in bytes per element as text: 8 4 2 1 0.5.
mm -e ':dtype no-such-dtype' | sed -n 's/^hint: dtypes: //p' | tr ' ' '\n' \
	| grep . | sort -u > "$tmp/real.dt"
[ -s "$tmp/real.dt" ] || bad "cannot learn the dtypes from ':dtype' (no 'hint: dtypes: ...')"
mm -e ':help dtypes' | squash > "$tmp/help.dt.txt"
: > "$tmp/help.dt"
for t in $(cat "$tmp/real.dt"); do
	real=$(mm -e ":dtype $t" -e 'bytes((8,))' | sed -n 's/^\([0-9][0-9]*\) B.*/\1/p')
	real=$(awk -v b="$real" 'BEGIN { print b / 8 }')
	h=$(sed -n "s/.*[ ,]$t \([0-9][0-9]*\) B[ ,.(].*/\1/p; s/^$t \([0-9][0-9]*\) B[ ,.(].*/\1/p" "$tmp/help.dt.txt" | head -1)
	if [ -z "$h" ] && grep -q "\(^\|[ ,]\)$t half a byte" "$tmp/help.dt.txt"; then
		h=0.5
	fi
	if [ -z "$h" ]; then
		bad "':help dtypes' does not give the size of $t"
	else
		echo "$t" >> "$tmp/help.dt"
		[ "$h" = "$real" ] || bad "':help dtypes' says $t is $h B, mmcalc counts $real B"
	fi
	p=$(body "COST MODEL" Dtypes "$t")
	case $p in
	"8 bytes"*) p=8 ;; "4 bytes"*) p=4 ;; "2 bytes"*) p=2 ;; "1 byte"*) p=1 ;;
	"half a byte"*) p=0.5 ;;
	"") bad "the page's Dtypes (COST MODEL) has no entry for $t"; continue ;;
	*) bad "the page's entry for $t does not start with its size (\"N bytes\"): $p"; continue ;;
	esac
	[ "$p" = "$real" ] || bad "the page says $t is $p B, mmcalc counts $real B"
done
tags "COST MODEL" Dtypes | sort -u > "$tmp/page.dt"
absent "$tmp/page.dt" "$tmp/real.dt" "the page's Dtypes documents %s, which mmcalc does not accept"

# ---- devices ----
# ':help devices': "  NAME: figures" then "      source: text".
mm -e ':help devices' | awk '
	/^  [^ ][^:]*: / { name = $0; sub(/^  /, "", name); sub(/: .*/, "", name)
	                    fig = $0; sub(/^  [^:]*: /, "", fig); print "D\t" name "\t" fig; next }
	/^      source: / { sub(/^      source: /, ""); print "S\t" name "\t" $0 }
' > "$tmp/help.dev"
cut -f2 "$tmp/help.dev" | sort -u > "$tmp/help.devnames"
tags "COST MODEL" Devices | sort -u > "$tmp/page.devnames"
[ -s "$tmp/help.devnames" ] || bad "':help devices' lists no device"
missing "$tmp/page.devnames" "$tmp/help.devnames" > "$tmp/extra.dev"
while IFS= read -r d; do
	bad "the page's Devices lists '$d', which ':help devices' does not"
done < "$tmp/extra.dev"
while IFS='	' read -r kind name text; do
	p=$(body "COST MODEL" Devices "$name")
	if [ -z "$p" ]; then
		[ "$kind" = D ] && bad "':help devices' lists '$name', but the page's Devices does not"
		continue
	fi
	case $name in host | custom) continue ;; esac
	case " $p " in
	*" $text "* | *" $text. "* | *" $text; "*) ;;
	*)
		if [ "$kind" = D ]; then
			bad "the page's figures for '$name' differ from ':help devices': $text"
		else
			bad "the page's source for '$name' differs from ':help devices': $text"
		fi
		;;
	esac
done < "$tmp/help.dev"

# ---- options ----
# The words of stdin that start with - (option names), without a trailing
# comma or "=VALUE".
options() {
	awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^--?[A-Za-z]/) {
		o = $i; sub(/[,=].*$/, "", o); print o } }' | sort -u
}
mm --help | sed -n 's/^ *\(-.*\)$/\1/p' | sed 's/   *.*$//' | options > "$tmp/help.opt"
tags OPTIONS | options > "$tmp/page.opt"
[ -s "$tmp/help.opt" ] || bad "'mmcalc --help' lists no option"
absent "$tmp/help.opt" "$tmp/page.opt" "'mmcalc --help' lists %s, but the page's OPTIONS does not document it"
absent "$tmp/page.opt" "$tmp/help.opt" "OPTIONS documents %s, which 'mmcalc --help' does not list"

# ---- help topics ----
topics=$(mm -e ':help' | awk '/^Topics:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
[ -n "$topics" ] || bad "':help' lists no topics"
ht=$(tags COMMANDS | grep -- '^:help' | head -1)
hb=$(body COMMANDS "" "$ht")
for t in $topics; do
	case " $hb " in
	*[\ ,]"$t"[,.\ ]*) ;;
	*) bad "':help' has the topic $t, but the page's :help entry does not name it" ;;
	esac
done

if [ "$fail" = 0 ]; then
	echo "help-agree: :help and $page agree ($(wc -l < "$tmp/help.fn") functions, $(wc -l < "$tmp/help.cmd") commands, $(wc -l < "$tmp/real.set") settings, $(wc -l < "$tmp/help.dt") dtypes, $(wc -l < "$tmp/help.devnames") devices, $(wc -l < "$tmp/help.opt") options)"
fi
exit $fail

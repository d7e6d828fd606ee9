#!/bin/sh
# lint-man.sh PAGE — a man page must pass mandoc's linter and groff's
# warnings (all of them: -ww) without a word of output.
set -u
page=$1
out=$(mandoc -Tlint "$page" 2>&1)
st=$?
if [ -n "$out" ] || [ "$st" != 0 ]; then
	echo "mandoc -Tlint $page:"
	echo "$out"
	exit 1
fi
out=$(preconv "$page" | groff -man -Tutf8 -ww -z 2>&1)
if [ -n "$out" ]; then
	echo "groff -ww $page:"
	echo "$out"
	exit 1
fi
exit 0

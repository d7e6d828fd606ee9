#!/bin/sh
# root_files.sh MMCALC — --root DIR: the files statements name must be
# beneath DIR, relative names start there, and nothing outside is read or
# written: not through an absolute name, "..", "~" or a symbolic link.
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
	echo "root_files: $*"
	fail=1
}
mkdir -p box/sub elsewhere
printf '1,2\n3,4\n' > box/a.csv
printf 'x_script = 3\n' > box/sub/s.mm
printf '5,6\n' > secret.csv
printf 'leaked = 1\n' > out.mm
ln -s ../secret.csv box/escape.csv
ln -s ../elsewhere box/out
ln -s nowhere.npy box/dangling.npy

# inside: relative names start at the root, not the current directory
"$mmcalc" --root box -e 'load("a.csv")' -e ':source sub/s.mm' \
	-e 'save("sub/b.npy", [1, 2])' -e 'load("sub/b.npy")' \
	-e ':roofline [1] @ [1] plot="r.svg"' > out 2> err ||
	bad "inside the root failed: $(cat err)"
[ -f box/sub/b.npy ] || bad "save did not write box/sub/b.npy"
[ -f box/r.svg ] || bad "plot= did not write box/r.svg"
grep -q 'x_script = 3' out || bad ":source of sub/s.mm did not run"

# outside: every way out is refused with the same message, and exit 1
for stmt in 'load("../secret.csv")' 'load("escape.csv")' \
	"load(\"$tmp/secret.csv\")" 'load("~/x.csv")' 'save("../n.npy", [1])' \
	'save("out/n.npy", [1])' 'save("dangling.npy", [1])' \
	':source ../out.mm' ':source /dev/zero' ':inspect ../x.safetensors' \
	':model ../c.json' ':roofline [1] @ [1] plot="out/r.svg"'; do
	"$mmcalc" --root box -e "$stmt" > out 2> err
	status=$?
	[ "$status" = 1 ] || bad "$stmt: exit status $status, expected 1"
	grep -q 'the only directory this session may use' err ||
		bad "$stmt was not refused: $(cat out err)"
done
[ -z "$(ls elsewhere)" ] || bad "a file was written outside: $(ls elsewhere)"
[ ! -e n.npy ] && [ ! -e box/nowhere.npy ] ||
	bad "a file was written outside the root"

# --root=DIR, a root that is not a directory, and one missing
"$mmcalc" --root="$tmp/box" -e 'load("a.csv")' > /dev/null 2> err ||
	bad "--root=DIR failed: $(cat err)"
"$mmcalc" --root box/a.csv -e '1' > out 2> err
status=$?
[ "$status" = 2 ] || bad "--root FILE: exit status $status, expected 2"
grep -q 'not a directory' err || bad "--root FILE: $(cat err)"
"$mmcalc" --root nosuch -e '1' > out 2> err
[ $? = 2 ] || bad "--root of a missing directory did not fail"
"$mmcalc" --root > out 2> err
[ $? = 2 ] || bad "--root without a directory did not fail"
exit $fail

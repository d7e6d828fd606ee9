#!/bin/sh
# history_bounded.sh MMCALC — the prompt's history: an 85 MB history file
# costs little memory at start-up (only its end is read) and is trimmed to
# its size limit (1 MiB, whole lines, the newest kept); relative
# XDG_STATE_HOME and XDG_CONFIG_HOME are ignored, as the XDG spec says.
# Runs the prompt with -i on piped input.
set -u
mmcalc=$1
case $mmcalc in /*) ;; *) mmcalc=$(pwd)/$mmcalc ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fail=0
py=$(command -v python3) || { echo "no python3: skipped"; exit 77; }

# 85 MB of history, the newest line last.
"$py" - <<'PY'
with open("hist", "w") as f:
    line = "y = (1024 x 4096) @ (4096 x 4096)  # an old line of history\n"
    f.write(line * (85000000 // len(line)))
    f.write("newest_old_line = 1\n")
PY
# Peak resident size (KiB) of the prompt reading it and taking two lines.
rss=$(printf '1 + 1\n:quit\n' | MMCALC_HISTORY=$tmp/hist "$py" -c '
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=False)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' \
	"$mmcalc" -i -q --no-init)
limit=65536
case ${MM_SANITIZE:-none} in none|'') ;; *) limit=1048576 ;; esac
if [ "$rss" -gt $limit ]; then
	echo "FAIL start-up with an 85 MB history: $rss KiB resident"; fail=1
else
	echo "ok start-up with an 85 MB history: $rss KiB resident"
fi
size=$(wc -c < hist)
if [ "$size" -gt 1048576 ]; then
	echo "FAIL the history was not trimmed: $size bytes"; fail=1
else
	echo "ok the history trimmed to $size bytes"
fi
tail -n 3 hist > last3
printf 'newest_old_line = 1\n1 + 1\n:quit\n' > want3
if ! cmp -s last3 want3; then
	echo "FAIL the history's end:"; cat last3; fail=1
fi
head -c 62 hist | grep -q '^y = (1024 x 4096)' ||
	{ echo "FAIL the trimmed history does not start at a line"; fail=1; }

# Relative XDG directories are ignored: the defaults under HOME are used.
mkdir -p home/.config/mmcalc rel/mmcalc
echo 'from_home_init = 7' > home/.config/mmcalc/init.mm
echo 'from_relative_init = 9' > rel/mmcalc/init.mm
printf '2 + 2\n' | env -u MMCALC_HISTORY HOME="$tmp/home" \
	XDG_STATE_HOME=rel XDG_CONFIG_HOME=rel "$mmcalc" -i -q > out 2> err
if [ -e rel/mmcalc/history ] || [ ! -s home/.local/state/mmcalc/history ]; then
	echo "FAIL a relative XDG_STATE_HOME was used"; fail=1
else
	echo "ok a relative XDG_STATE_HOME is ignored"
fi
if grep -q from_relative_init out || ! grep -q from_home_init out; then
	echo "FAIL a relative XDG_CONFIG_HOME was used:"; cat out; fail=1
else
	echo "ok a relative XDG_CONFIG_HOME is ignored"
fi
exit $fail

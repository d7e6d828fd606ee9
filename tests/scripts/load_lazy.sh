#!/bin/sh
# load_lazy.sh MMCALC — load() reads a file's shape when the statement is
# checked and its data only when it runs: the shape and the cost of a
# 1 GiB .npy (a sparse file) take a few hundred bytes and little memory,
# and the data is read when the statement executes.
set -u
mmcalc=$1
case $mmcalc in /*) ;; *) mmcalc=$(pwd)/$mmcalc ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fail=0
py=$(command -v python3) || { echo "no python3: skipped"; exit 77; }

# A (16384 x 16384) f32 .npy: a 128-byte header, then 1 GiB of holes.
"$py" - <<'PY'
head = "{'descr': '<f4', 'fortran_order': False, 'shape': (16384, 16384), }"
head += " " * (128 - 10 - len(head) - 1) + "\n"
with open("big.npy", "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + len(head).to_bytes(2, "little"))
    f.write(head.encode())
    f.truncate(128 + 16384 * 16384 * 4)
with open("small.npy", "wb") as f:
    h = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }"
    h += " " * (64 - 10 - len(h) - 1) + "\n"
    f.write(b"\x93NUMPY\x01\x00" + len(h).to_bytes(2, "little") + h.encode())
    import struct
    f.write(struct.pack("<4d", 1, 2, 3, 4))
PY
# A built-in device: :explain's predictions would otherwise calibrate the
# host (about 100 MiB of triad arrays) when the user's cache has no
# record for this build, which is not what this measures.
cat > lazy.mm <<'MM'
:device h100
shape(load("big.npy"))
flops(load("big.npy") @ (16384 x 8))
:explain load("big.npy") @ (16384 x 8)
MM
rss=$("$py" -c '
import resource, subprocess, sys
with open("lazy.mm") as f, open("out", "w") as o:
    subprocess.run(sys.argv[1:], stdin=f, stdout=o, check=False)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' \
	"$mmcalc" --no-init)
limit=20480
case ${MM_SANITIZE:-none} in none|'') ;; *) limit=1048576 ;; esac
if [ "$rss" -gt $limit ]; then
	echo "FAIL shape and cost of a 1 GiB .npy: $rss KiB resident"; fail=1
else
	echo "ok shape and cost of a 1 GiB .npy: $rss KiB resident"
fi
grep -q '(16384 x 16384)' out || { echo "FAIL no shape:"; cat out; fail=1; }
grep -q '4.295 GFLOP' out || { echo "FAIL no FLOPs:"; cat out; fail=1; }

# Executed, the data is read: the values of a small file.
printf 'x = load("small.npy")\nsum(x)\n' | "$mmcalc" --no-init > out2 2>&1
if grep -q '^10' out2; then
	echo "ok the data is read when the statement runs"
else
	echo "FAIL executing a load:"; cat out2; fail=1
fi
exit $fail

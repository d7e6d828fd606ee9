#!/bin/sh
# inspect_gpt2.sh MMCALC — a model-sized .safetensors file: the tensors
# GPT2LMHeadModel saves for GPT-2 small (148 tensors, F32, 475 MiB of data
# as holes in a sparse file). :inspect reads its header only and counts
# GPT-2 small's published 124,439,808 parameters; load() of one tensor
# reads the header when checked and that tensor's bytes when run; the
# memory used stays small.
set -u
mmcalc=$1
case $mmcalc in /*) ;; *) mmcalc=$(pwd)/$mmcalc ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
XDG_CACHE_HOME=$tmp/cache # never the user's calibration cache
export XDG_CACHE_HOME
fail=0
py=$(command -v python3) || { echo "no python3: skipped"; exit 77; }

"$py" - <<'PY'
import json, struct
h, V, P = 768, 50257, 1024
shapes = [("wte.weight", [V, h]), ("wpe.weight", [P, h])]
for i in range(12):
    p = "h.%d." % i
    shapes += [(p + "ln_1.weight", [h]), (p + "ln_1.bias", [h]),
               (p + "attn.c_attn.weight", [h, 3 * h]),
               (p + "attn.c_attn.bias", [3 * h]),
               (p + "attn.c_proj.weight", [h, h]),
               (p + "attn.c_proj.bias", [h]),
               (p + "ln_2.weight", [h]), (p + "ln_2.bias", [h]),
               (p + "mlp.c_fc.weight", [h, 4 * h]),
               (p + "mlp.c_fc.bias", [4 * h]),
               (p + "mlp.c_proj.weight", [4 * h, h]),
               (p + "mlp.c_proj.bias", [h])]
shapes += [("ln_f.weight", [h]), ("ln_f.bias", [h])]
header, at = {"__metadata__": {"format": "pt"}}, 0
for name, shape in sorted(shapes):
    n = 4
    for d in shape:
        n *= d
    header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [at, at + n]}
    at += n
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * (-len(text) % 8)
with open("gpt2.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text)
    f.truncate(8 + len(text) + at)
PY
cat > inspect.mm <<'MM'
:inspect gpt2.safetensors
shape(load("gpt2.safetensors", "wte.weight"))
W = load("gpt2.safetensors", "h.11.mlp.c_proj.weight")
W[3071, 767]
MM
rss=$("$py" -c '
import resource, subprocess, sys
with open("inspect.mm") as f, open("out", "w") as o:
    subprocess.run(sys.argv[1:], stdin=f, stdout=o, stderr=o, check=False)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' \
	"$mmcalc" --no-init)
check() {
	if grep -q "$1" out; then echo "ok $2"; else echo "FAIL $2:"; cat out; fail=1; fi
}
check '^gpt2.safetensors: 148 tensors' "148 tensors listed"
check '^total: 124,439,808 parameters (124.4 M), 474.7 MiB of data$' \
	"GPT-2 small's 124,439,808 parameters counted"
check '^h.2.ln_1.bias ' "names in natural order (h.2 before h.10)"
check '^(50257 x 768) f32' "the shape of wte.weight read when checked"
check '^(3072 x 768) f32 (loaded from F32)' "a 9 MiB tensor loaded"
check '^0\.$' "its bytes read (zeros, from the holes)"
if [ "$(grep -n '^h.2.ln_1.bias' out | cut -d: -f1)" -gt \
     "$(grep -n '^h.10.ln_1.bias' out | cut -d: -f1)" ]; then
	echo "FAIL h.10 listed before h.2"; fail=1
fi
# a 9 MiB tensor and the program: far below the 475 MiB of the file
limit=65536
case ${MM_SANITIZE:-none} in none|'') ;; *) limit=1048576 ;; esac
if [ "$rss" -gt $limit ]; then
	echo "FAIL $rss KiB resident for a 475 MiB file"; fail=1
else
	echo "ok $rss KiB resident for a 475 MiB file"
fi
exit $fail

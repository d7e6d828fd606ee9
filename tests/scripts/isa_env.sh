#!/bin/sh
# isa_env.sh MMCALC — MMCALC_ISA limits every module (GEMMs of each dtype,
# vmath, rounding to narrow dtypes) to one instruction set, and every path
# gives the same bits (the f32 GEMM aside: its kernels sum in their own
# orders): the same script prints the same values under each.
set -u
mmcalc=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/s.mm" <<'MM'
:seed 7
x = astype(randn(96, 80), dtype=bf16)
y = astype(randn(80, 72), dtype=bf16)
:set threshold 100000
x @ y
astype(randn(40, 40), dtype=i8) @ astype(randn(40, 40), dtype=i8)
gelu(randn(3000))
softmax(randn(17, 300))
astype(randn(500) * 1000, dtype=f16)
MM
XDG_CACHE_HOME=$tmp/cache
export XDG_CACHE_HOME
run() {
	MMCALC_ISA=$1 "$mmcalc" < "$tmp/s.mm" 2>&1 |
		grep -v -e '^  ran in' -e 'FLOP' > "$tmp/out.$1" || true
}
run ""
[ -s "$tmp/out." ] || { echo "isa_env: no output"; exit 1; }
for isa in generic avx2 avx512; do
	run "$isa"
	if ! cmp -s "$tmp/out." "$tmp/out.$isa"; then
		echo "isa_env: MMCALC_ISA=$isa prints other values:"
		diff "$tmp/out." "$tmp/out.$isa" | head -20
		exit 1
	fi
done
# and the low-precision GEMMs follow it (they kept the best path before)
out=$(echo ':device host' | MMCALC_ISA=generic "$mmcalc" 2>&1)
case $out in
*"GEMM (generic,"*"bf16 (generic) and i8 (generic)"*) ;;
*) echo "isa_env: MMCALC_ISA=generic left a GEMM on another path:"
   echo "$out"; exit 1 ;;
esac
exit 0

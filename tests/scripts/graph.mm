# exact
# Costs flow through variables (issue 20): flops(), macs(), bytes() and
# params() cover the whole graph upstream of a value, each operation once.
# The differences below are against the formulas, computed here: 0 each.
:device h100
h = (2048 x 4096) @ (4096 x 4096)
flops(h)
flops(h) - 2*2048*4096*4096
h2 = relu(h) @ (4096 x 1024)
# h2's graph: the first product, the relu, the second product
flops(h2) - (2*2048*4096*4096 + 2048*4096 + 2*2048*4096*1024)
macs(h2) - (2048*4096*4096 + 2048*4096*1024)
# A value used twice is counted once: H + f(H) reads H, computes f once
H = (8 x 1024)
y = H + relu(H @ (1024 x 1024))
z = y + y
flops(z) - (2*8*1024*1024 + 8*1024 + 8*1024 + 8*1024)
# Rebinding a name leaves the old node in the graph of what used it
h = (1 x 1)
flops(h2) - (2*2048*4096*4096 + 2048*4096 + 2*2048*4096*1024)
flops(h)
# Parameters, numeric and symbolic; formulas until the symbols are bound
W = param((n x d))
b = param((d,))
o = (B x n) @ W + b
params(o)
flops(o)
F = flops(o)
F * 2 / 3
flops(o, train=true)
n = 768
params(o)
F
d = 3072; B = 8
flops(o) - (2*8*768*3072 + 8*3072)
params(o) - (768*3072 + 3072)
flops(o, train=true) - 3*flops(o)
:explain o
:explain h2 depth=1
# A formula is a number: it does not mix with tensors
flops((m x 2) @ (2 x 2)) + (2 x 2)
macs((2x2) @ (2x2), train=true)
# moe's cost-only form holds its experts: all E count as parameters
# (Mixtral 8x7B's layer: 8 experts of 3·4096·14336 and a 4096x8 router)
params(moe((8 x 4096), experts=8, top_k=2, ffn=14336)) - (8*3*4096*14336 + 4096*8)

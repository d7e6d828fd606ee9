# exact
# Whole models written with def and repeat reproduce published formulas
# exactly (issue 19); each expected count is computed here from the
# formula with plain arithmetic, and each difference is 0 FLOP.
#
# GPT-3 175B (Brown et al. 2020, table 2.1: 96 layers, d_model 12288, 96
# heads, context 2048) under Chinchilla's convention (Hoffmann et al.
# 2022, Appendix F), one sequence's forward: embeddings 2*s*V*d, per
# layer projections 6*s*d^2, logits 2*s^2*d, softmax 3*H*s^2, values
# 2*s^2*d, output 2*s*d^2, dense 16*s*d^2, and the final logits 2*s*d*V.
:set convention chinchilla
s = 2048; h = 12288; H = 96; V = 50257; L = 96
def heads(t) = swapaxes(reshape(t, s, H, h/H), 0, 1)
def block(x) {
  a = attention(heads(x @ (h x h)), heads(x @ (h x h)), heads(x @ (h x h)), causal=true)
  y = layernorm(x + reshape(swapaxes(a, 0, 1), s, h) @ (h x h))
  layernorm(y + gelu(y @ (h x 4*h)) @ (4*h x h))
}
F = flops(repeat(L, block, embedding((s,), (V x h))) @ (h x V))
F - (2*s*V*h + L*(6*s*h*h + 2*s*s*h + 3*H*s*s + 2*s*s*h + 2*s*h*h + 16*s*h*h) + 2*s*h*V)
#
# Megatron-LM (Narayanan et al. 2021, section 5.1 and table 1: GPT-3
# 175B with batch 1536 and their padded vocabulary 51200): a training
# iteration without recomputation is 72*B*s*l*h^2*(1 + s/6h + V/12lh),
# expanded exactly as 72*B*s*l*h^2 + 12*B*s^2*l*h + 6*B*s*h*V.
:set convention megatron
B = 1536; V = 51200
def heads(t) = swapaxes(reshape(t, B, s, H, h/H), 1, 2)
def block(x) {
  a = attention(heads(x @ (h x h)), heads(x @ (h x h)), heads(x @ (h x h)), causal=true)
  y = layernorm(x + reshape(swapaxes(a, 1, 2), B, s, h) @ (h x h))
  layernorm(y + gelu(y @ (h x 4*h)) @ (4*h x h))
}
T = flops(repeat(L, block, embedding((B x s), (V x h))) @ (h x V), train=true)
T - (72*B*s*L*h**2 + 12*B*s**2*L*h + 6*B*s*h*V)
#
# With full recomputation of the layers (their 96 formula, section 5.1):
# 96*B*s*l*h^2*(1 + s/6h + V/16lh) = 96*B*s*l*h^2 + 16*B*s^2*l*h +
# 6*B*s*h*V: the layers' forward runs again, the logits' product does not.
:set recompute full
G = flops(repeat(L, block, embedding((B x s), (V x h))) @ (h x V), train=true)
G - (96*B*s*L*h**2 + 16*B*s**2*L*h + 6*B*s*h*V)

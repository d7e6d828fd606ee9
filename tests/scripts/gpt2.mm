# exact: a named device, so every figure is fixed
# GPT-2 small written as a program, checked against published figures.
# Radford et al. 2019 (and Hugging Face's gpt2): 124,439,808 parameters
# with the output head tied to the token embedding, 163,037,184 untied.
# Per block: c_attn d·3d + 3d, c_proj d·d + d, two layernorms 2·2d,
# mlp d·4d + 4d and 4d·d + d: 12·d² + 13·d; plus wte V·d, wpe C·d, ln_f 2d.
:device h100
d = 768; H = 12; hd = 64; V = 50257; C = 1024; L = 12
def attn(x) {
    qkv = x @ (d x 3*d) + (3*d,)
    q = permute(reshape(qkv[:, 0:d], (T, H, hd)), 1, 0, 2)
    k = permute(reshape(qkv[:, d:2*d], (T, H, hd)), 1, 0, 2)
    v = permute(reshape(qkv[:, 2*d:3*d], (T, H, hd)), 1, 0, 2)
    a = attention(q, k, v, causal=true)
    reshape(permute(a, 1, 0, 2), (T, d)) @ (d x d) + (d,)
}
def mlp(x) = gelu(x @ (d x 4*d) + (4*d,)) @ (4*d x d) + (d,)
def block(x) {
    h = x + attn(layernorm(x, weight=(d,), bias=(d,)))
    h + mlp(layernorm(h, weight=(d,), bias=(d,)))
}
wte = param((V x d)); wpe = param((C x d))
T = 1024
x = embedding((T,), wte) + wpe[0:T]
h = repeat(L, block, x)
logits = layernorm(h, weight=param((d,)), bias=param((d,))) @ wte.T
params(logits)
# the published count, from the formula: 0
params(logits) - (V*d + C*d + L*(12*d*d + 13*d) + 2*d)
# untied: a head of its own adds V·d
untied = layernorm(h, weight=param((d,)), bias=param((d,))) @ param((d x V))
params(untied) - 163037184
# Kaplan et al. 2020, Table 1: C_forward = 2N + 2·n_layer·n_ctx·d per
# token, N = 12·n_layer·d² the non-embedding weights (no biases or
# norms). The mask row counts n_ctx/2 keys per query for QK and for the
# weighted sum; a causal mask over T tokens keeps T·(T+1)/2 scores, so
# the exact count over T = n_ctx tokens is T·C_forward + 2·n_layer·d·T.
2*macs(repeat(L, block, (T x d))) - (T*(2*12*L*d*d + 2*L*C*d) + 2*L*d*T)
# the same with the model's depth a symbol: L times one block
f = 2*macs(repeat(n_layer, block, (T x d)))
f
# a bound intermediate's FLOPs are the sum of the statements that made it
flops(h) - flops(x) - flops(repeat(L, block, (T x d)))
# modules: the blocks folded, the model's top level
:explain logits depth=1

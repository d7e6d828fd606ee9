# arch/gpt2.mm — the GPT-2 architecture (Radford et al. 2019; also
# GPT-3, Brown et al. 2020, whose dense layers have the same parameters)
# as transformers' GPT2LMHeadModel builds it: learned positions,
# pre-LayerNorm blocks with biases, multi-head attention, a GELU MLP, and
# the head tied to the token embedding. It reads the variables a preset
# or a config.json sets (hidden_size, ..., batch, seq) and makes `model`:
# the logits of batch sequences of seq tokens.
D = hidden_size; H = num_attention_heads; F = intermediate_size
V = vocab_size; P = max_position_embeddings
num_key_value_heads = H; head_dim = D / H; hd = head_dim
def heads(t) = permute(reshape(t, (batch, seq, H, hd)), 0, 2, 1, 3)
def attn(h) {
    a = attention(heads(h @ (D x D) + (D,)), heads(h @ (D x D) + (D,)), heads(h @ (D x D) + (D,)), causal=true)
    reshape(permute(a, 0, 2, 1, 3), (batch, seq, D)) @ (D x D) + (D,)
}
def mlp(h) = gelu(h @ (D x F) + (F,)) @ (F x D) + (D,)
def block(x) {
    x1 = x + attn(layernorm(x, (D,), (D,)))
    x1 + mlp(layernorm(x1, (D,), (D,)))
}
tokens = (batch x seq)
wte = param((V x D))
x0 = embedding(tokens, wte) + param((P x D))[0:seq]
model = layernorm(repeat(num_hidden_layers, block, x0), param((D,)), param((D,))) @ wte.T

# arch/decoder.mm — the decoder Llama, Mistral and Mixtral share, as
# transformers builds them: RMSNorm before each half, grouped-query
# attention (num_key_value_heads heads of keys and values, rotary
# positions, which have no weights), the function `mlp` the architecture
# defined before sourcing this file, and an untied head. It reads the
# sizes a preset or a config.json sets (hidden_size, ..., batch, seq) and
# makes `model`: the logits of batch sequences of seq tokens.
D = hidden_size; H = num_attention_heads; KV = num_key_value_heads
hd = head_dim; F = intermediate_size; V = vocab_size
def attn(h) {
    q = permute(reshape(h @ (D x H*hd), (batch, seq, H, hd)), 0, 2, 1, 3)
    k = permute(reshape(h @ (D x KV*hd), (batch, seq, KV, hd)), 0, 2, 1, 3)
    v = permute(reshape(h @ (D x KV*hd), (batch, seq, KV, hd)), 0, 2, 1, 3)
    a = attention(q, k, v, causal=true)
    reshape(permute(a, 0, 2, 1, 3), (batch, seq, H*hd)) @ (H*hd x D)
}
def block(x) {
    x1 = x + attn(rmsnorm(x, (D,)))
    x1 + mlp(rmsnorm(x1, (D,)))
}
tokens = (batch x seq)
model = rmsnorm(repeat(num_hidden_layers, block, embedding(tokens, param((V x D)))), param((D,))) @ param((D x V))

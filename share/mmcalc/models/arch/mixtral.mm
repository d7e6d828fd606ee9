# arch/mixtral.mm — the Mixtral architecture (Jiang et al. 2024) as
# transformers' MixtralForCausalLM builds it: Llama's blocks with a
# sparse mixture of experts for the MLP, each token routed to
# num_experts_per_tok of num_local_experts SwiGLU experts. Every expert's
# weights (and the router's) are parameters; a token's FLOPs are those of
# its experts only. It reads the variables a preset or a config.json
# sets (hidden_size, ..., batch, seq) and makes `model`: the logits.
D = hidden_size; H = num_attention_heads; KV = num_key_value_heads
hd = head_dim; F = intermediate_size; V = vocab_size
def attn(h) {
    q = permute(reshape(h @ (D x H*hd), (batch, seq, H, hd)), 0, 2, 1, 3)
    k = permute(reshape(h @ (D x KV*hd), (batch, seq, KV, hd)), 0, 2, 1, 3)
    v = permute(reshape(h @ (D x KV*hd), (batch, seq, KV, hd)), 0, 2, 1, 3)
    a = attention(q, k, v, causal=true)
    reshape(permute(a, 0, 2, 1, 3), (batch, seq, H*hd)) @ (H*hd x D)
}
def experts(h) = moe(h, experts=num_local_experts, top_k=num_experts_per_tok, ffn=F)
def block(x) {
    x1 = x + attn(rmsnorm(x, (D,)))
    x1 + experts(rmsnorm(x1, (D,)))
}
tokens = (batch x seq)
model = rmsnorm(repeat(num_hidden_layers, block, embedding(tokens, param((V x D)))), param((D,))) @ param((D x V))

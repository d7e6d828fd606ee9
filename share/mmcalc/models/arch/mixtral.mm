# arch/mixtral.mm — the Mixtral architecture (Jiang et al. 2024) as
# transformers' MixtralForCausalLM builds it: the decoder of decoder.mm
# with a sparse mixture of experts for the MLP, each token routed to
# num_experts_per_tok of num_local_experts SwiGLU experts. Every
# expert's weights (and the router's) are parameters; a token's FLOPs are
# those of its experts only.
def mlp(h) = moe(h, experts=num_local_experts, top_k=num_experts_per_tok, ffn=intermediate_size)
:source decoder.mm

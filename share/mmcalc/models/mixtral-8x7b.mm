# mixtral-8x7b.mm — Mixtral 8x7B: Mistral 7B's layers with 8 experts, 2 per token
# (Jiang et al. 2024, "Mixtral of Experts": 47B parameters,
# 13B active; 46,702,792,704 as released, mistralai/Mixtral-8x7B-v0.1).
model_type = "mixtral"
hidden_size = 4096
num_hidden_layers = 32
num_attention_heads = 32
num_key_value_heads = 8
head_dim = 128
intermediate_size = 14336
vocab_size = 32000
max_position_embeddings = 32768
num_local_experts = 8
num_experts_per_tok = 2
batch = 1
seq = 4096
:source arch/mixtral.mm

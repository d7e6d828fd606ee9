# llama3-8b.mm — Llama 3 8B: 32 layers, hidden 4096, 32 heads sharing 8 KV heads
# (Meta 2024, Llama 3 model card, 8B;
# 8,030,261,248 as released, meta-llama/Meta-Llama-3-8B).
model_type = "llama"
hidden_size = 4096
num_hidden_layers = 32
num_attention_heads = 32
num_key_value_heads = 8
head_dim = 128
intermediate_size = 14336
vocab_size = 128256
max_position_embeddings = 8192
batch = 1
seq = 8192
:source arch/llama.mm

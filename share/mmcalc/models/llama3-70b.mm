# llama3-70b.mm — Llama 3 70B: 80 layers, hidden 8192, 64 heads sharing 8 KV heads
# (Meta 2024, Llama 3 model card, 70B;
# 70,553,706,496 as released, meta-llama/Meta-Llama-3-70B).
model_type = "llama"
hidden_size = 8192
num_hidden_layers = 80
num_attention_heads = 64
num_key_value_heads = 8
head_dim = 128
intermediate_size = 28672
vocab_size = 128256
max_position_embeddings = 8192
batch = 1
seq = 8192
:source arch/llama.mm

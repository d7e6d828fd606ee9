# llama2-70b.mm — Llama 2 70B: 80 layers, hidden 8192, 64 heads sharing 8 KV heads
# (Touvron et al. 2023, Table 1, 70B with GQA;
# 68,976,648,192 as released, meta-llama/Llama-2-70b-hf).
model_type = "llama"
hidden_size = 8192
num_hidden_layers = 80
num_attention_heads = 64
num_key_value_heads = 8
head_dim = 128
intermediate_size = 28672
vocab_size = 32000
max_position_embeddings = 4096
batch = 1
seq = 4096
:source arch/llama.mm

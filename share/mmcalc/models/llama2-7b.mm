# llama2-7b.mm — Llama 2 7B: 32 layers, hidden 4096, 32 heads
# (Touvron et al. 2023, "Llama 2", Table 1, 7B;
# 6,738,415,616 as released, meta-llama/Llama-2-7b-hf).
model_type = "llama"
hidden_size = 4096
num_hidden_layers = 32
num_attention_heads = 32
num_key_value_heads = 32
head_dim = 128
intermediate_size = 11008
vocab_size = 32000
max_position_embeddings = 4096
batch = 1
seq = 4096
:source arch/llama.mm

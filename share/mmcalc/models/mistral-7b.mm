# mistral-7b.mm — Mistral 7B: 32 layers, hidden 4096, 32 heads sharing 8 KV heads
# (Jiang et al. 2023, "Mistral 7B", Table 1;
# 7,241,732,096 as released, mistralai/Mistral-7B-v0.1; seq is its sliding window).
model_type = "mistral"
hidden_size = 4096
num_hidden_layers = 32
num_attention_heads = 32
num_key_value_heads = 8
head_dim = 128
intermediate_size = 14336
vocab_size = 32000
max_position_embeddings = 32768
batch = 1
seq = 4096
:source arch/llama.mm

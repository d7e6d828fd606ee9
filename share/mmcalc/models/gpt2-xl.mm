# gpt2-xl.mm — GPT-2 XL: 48 layers, d_model 1600, 25 heads
# (Radford et al. 2019, Table 2, "1542M"; 1,557,611,200 as released,
# openai-community/gpt2-xl).
model_type = "gpt2"
hidden_size = 1600
num_hidden_layers = 48
num_attention_heads = 25
intermediate_size = 6400
vocab_size = 50257
max_position_embeddings = 1024
batch = 1
seq = 1024
:source arch/gpt2.mm

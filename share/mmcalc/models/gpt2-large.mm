# gpt2-large.mm — GPT-2 large: 36 layers, d_model 1280, 20 heads
# (Radford et al. 2019, Table 2, "762M"; 774,030,080 as released,
# openai-community/gpt2-large).
model_type = "gpt2"
hidden_size = 1280
num_hidden_layers = 36
num_attention_heads = 20
intermediate_size = 5120
vocab_size = 50257
max_position_embeddings = 1024
batch = 1
seq = 1024
:source arch/gpt2.mm

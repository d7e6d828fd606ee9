# gpt2-medium.mm — GPT-2 medium: 24 layers, d_model 1024, 16 heads
# (Radford et al. 2019, Table 2, "345M"; 354,823,168 as released,
# openai-community/gpt2-medium).
model_type = "gpt2"
hidden_size = 1024
num_hidden_layers = 24
num_attention_heads = 16
intermediate_size = 4096
vocab_size = 50257
max_position_embeddings = 1024
batch = 1
seq = 1024
:source arch/gpt2.mm

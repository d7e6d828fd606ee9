# gpt2.mm — GPT-2 small: 12 layers, d_model 768, 12 heads
# (Radford et al. 2019, "Language Models are Unsupervised Multitask
# Learners", Table 2, "117M"; 124,439,808 as released, openai-community/gpt2).
model_type = "gpt2"
hidden_size = 768
num_hidden_layers = 12
num_attention_heads = 12
intermediate_size = 3072
vocab_size = 50257
max_position_embeddings = 1024
batch = 1
seq = 1024
:source arch/gpt2.mm

# gpt3-175b.mm — GPT-3 175B: 96 layers, d_model 12288, 96 heads of 128, context 2048
# (Brown et al. 2020, "Language Models are Few-Shot Learners",
# Table 2.1: 175.0B parameters; GPT-2's layers, whose count is 174.6B).
model_type = "gpt2"
hidden_size = 12288
num_hidden_layers = 96
num_attention_heads = 96
intermediate_size = 49152
vocab_size = 50257
max_position_embeddings = 2048
batch = 1
seq = 2048
:source arch/gpt2.mm

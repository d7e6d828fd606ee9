# arch/llama.mm — the Llama architecture (Touvron et al. 2023; also
# Mistral 7B, whose parameters are the same) as transformers'
# LlamaForCausalLM builds it: the decoder of decoder.mm with a SwiGLU
# MLP, intermediate_size wide.
def mlp(h) = swiglu(h, (hidden_size x intermediate_size), (hidden_size x intermediate_size)) @ (intermediate_size x hidden_size)
:source decoder.mm

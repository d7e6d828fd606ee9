# arch/vit.mm — the Vision Transformer (Dosovitskiy et al. 2021) as timm's
# VisionTransformer builds it: patches by a strided convolution, a class
# token and learned positions, pre-LayerNorm blocks with biases, a GELU
# MLP, a final LayerNorm and a linear head on the class token. It reads
# the variables a preset sets and makes `model`: batch images' logits.
D = hidden_size; H = num_attention_heads; F = intermediate_size
num_key_value_heads = H; head_dim = D / H; hd = head_dim
# an encoder: every token at once, nothing cached for tokens to come
kv_cache = 0
seq = (image_size / patch_size)**2 + 1
def heads(t) = permute(reshape(t, (batch, seq, H, hd)), 0, 2, 1, 3)
def attn(h) {
    a = attention(heads(h @ (D x D) + (D,)), heads(h @ (D x D) + (D,)), heads(h @ (D x D) + (D,)))
    reshape(permute(a, 0, 2, 1, 3), (batch, seq, D)) @ (D x D) + (D,)
}
def mlp(h) = gelu(h @ (D x F) + (F,)) @ (F x D) + (D,)
def block(x) {
    x1 = x + attn(layernorm(x, (D,), (D,)))
    x1 + mlp(layernorm(x1, (D,), (D,)))
}
images = (batch x 3 x image_size x image_size)
p = conv2d(images, param((D x 3 x patch_size x patch_size)), param((D,)), stride=patch_size)
patches = permute(reshape(p, (batch, D, seq - 1)), 0, 2, 1)
cls = (batch x 1 x 1) * param((1 x 1 x D))
x0 = concat(cls, patches, axis=1) + param((seq x D))
y = layernorm(repeat(num_hidden_layers, block, x0), param((D,)), param((D,)))
model = y[:, 0, :] @ param((D x num_labels)) + param((num_labels,))

# vit-b16.mm — ViT-B/16: 12 layers, hidden 768, 12 heads, 16x16 patches
# of a 224x224 image, an ImageNet-1k head (Dosovitskiy et al. 2021,
# "An Image is Worth 16x16 Words", Table 1: ViT-Base, 86M; 86,567,656 as
# released, timm vit_base_patch16_224).
model_type = "vit"
hidden_size = 768
num_hidden_layers = 12
num_attention_heads = 12
intermediate_size = 3072
image_size = 224
patch_size = 16
num_labels = 1000
batch = 1
:source arch/vit.mm

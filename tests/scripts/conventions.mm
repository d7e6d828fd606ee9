# exact
# Named conventions reproduce published counts exactly (issue 19). Each
# difference below is mmcalc's count of one GPT-3 175B layer minus the
# paper's formula for it, computed here with plain arithmetic: 0 each.
B = 1; s = 2048; h = 12288; H = 96; V = 50257
:set convention megatron
# Narayanan et al. 2021: a layer's forward is 24*B*s*h^2 + 4*B*s^2*h
layer = flops((B x s x h) @ (h x 3*h)) + flops(attention((B x H x s x h/H), (B x H x s x h/H), (B x H x s x h/H), causal=true)) + flops((B x s x h) @ (h x h)) + flops(gelu((B x s x h) @ (h x 4*h)) @ (4*h x h)) + flops(layernorm((B x s x h)))
layer
layer - (24*B*s*h**2 + 4*B*s**2*h)
:set convention chinchilla
# Hoffmann et al. 2022, Appendix F, per sequence: projections 6*s*d*d,
# logits 2*s^2*d, softmax 3*H*s^2, values 2*s^2*d, output 2*s*d*d, dense
# 2*s*(d*4d + 4d*d); one-hot embeddings 2*s*V*d
layer = flops((s x h) @ (h x 3*h)) + flops(attention((H x s x h/H), (H x s x h/H), (H x s x h/H), causal=true)) + flops((s x h) @ (h x h)) + flops(gelu((s x h) @ (h x 4*h)) @ (4*h x h)) + flops(layernorm((s x h)))
layer - (6*s*h*h + 2*s*s*h + 3*H*s*s + 2*s*s*h + 2*s*h*h + 2*s*(h*4*h + 4*h*h))
flops((s x V) @ (V x h)) - 2*s*V*h
:set convention pytorch
# torch.utils.flop_counter: attention's two products, never halved
flops(attention((H x s x h/H), (H x s x h/H), (H x s x h/H), causal=true)) - 4*H*s*s*(h/H)
:set convention mmcalc
flops(attention((H x s x h/H), (H x s x h/H), (H x s x h/H), causal=true)) - (s*s - s*(s-1)/2)*H*(4*h/H + 6)
:set convention nosuch

# moe: Mixtral's routing, the cost of k active experts per token, the
# parameters of all of them
x = (2 x 4096 x 4096)
moe(x, experts=8, top_k=2, ffn=14336)
moe_params(moe(x, experts=8, top_k=2, ffn=14336))
moe_params(moe(x, experts=8, top_k=2, ffn=14336), active=true)
moe(x, experts=64, top_k=8, ffn=1024, gated=false, act=gelu)
moe((B x T x d), experts=8, top_k=2, ffn=14336)
:explain moe(x, experts=8, top_k=2, ffn=14336)
# executed on small exact weights: two experts, one token each
:dtype f64
X = [[1, 0], [0, 1]]
G = [[2, 0, 1], [0, 2, 1]]
W1 = reshape(arange(3 * 2 * 4) / 10, 3, 2, 4)
W2 = reshape(arange(3 * 4 * 2) / 10, 3, 4, 2)
moe(X, G, W1, W2, top_k=1, act=relu)
moe(X, G, W1, W2, W1, top_k=1, act=relu)
# errors
moe(x, experts=8, ffn=14336)
moe(x, top_k=2)
moe(x, experts=8, top_k=9, ffn=14336)
moe(X, G, W2, W1, top_k=1)
moe(X, G, W1, W2, top_k=1, gated=true)
moe(X, G, W1, W2, top_k=1, act=softmax)
moe_params(moe((T x 4096), experts=8, top_k=2, ffn=14336))
# moe_params of a variable and through functions and repeat: the layers
# the value was made with (it counted 0 for a variable)
mx = (16 x 4096)
mm = moe(mx, experts=8, top_k=2, ffn=14336)
moe_params(mm)
moe_params(mm, active=true)
def moe_layer(h) = h + moe(h, experts=8, top_k=2, ffn=14336)
moe_params(repeat(32, moe_layer, mx))
moe_params(repeat(32, moe_layer, mx), active=true)
moe_params(repeat(L, moe_layer, mx))

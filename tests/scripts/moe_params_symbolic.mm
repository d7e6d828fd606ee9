# moe_params of a layer whose tokens are symbols: the parameters do not
# depend on them; a width that is a symbol is still refused
moe_params(moe((B x T x 4096), experts=8, top_k=2, ffn=14336))
moe_params(moe((B x T x 4096), experts=8, top_k=2, ffn=14336), active=true)
moe_params(moe((B x T x D), experts=8, top_k=2, ffn=14336))

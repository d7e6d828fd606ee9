# exact
# attention with symbolic dims: the shape, the costs as polynomials (the
# same as with numbers once bound), and the assumptions the shapes need.
Q = (B x h x T x d)
attention(Q, Q, Q)
attention(Q, Q, Q, causal=true)
attention(Q, Q, Q) where B = 1, h = 32, T = 2048, d = 128
attention((1 x 32 x 2048 x 128), (1 x 32 x 2048 x 128), (1 x 32 x 2048 x 128))
attention((B x 32 x T x 128), (B x 8 x T x 128), (B x 8 x T x 128), kv_heads=8)
attention((B x h x T x d), (B x kv x S x d), (B x kv x S x e))
attention((B x h x T x d), (B x h x S x d), (B x h x T x d))
attention((T x d), (T x 64), (T x 64))
attention((B x 32 x T x 128), (B x 6 x T x 128), (B x 6 x T x 128))
attention((B x 32 x T x 128), (B x 8 x T x 128), (B x 8 x T x 128), kv_heads=4)
attention((B x T x d), (T x d), (T x d))
attention((B x h x T x d), (B x kv x T x d), (B x kv x T x d), kv_heads=2)
:set strict on
attention((B x h x T x d), (B x kv x S x d), (B x kv x S x e))

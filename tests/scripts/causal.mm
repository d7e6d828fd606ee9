# Causal attention counts exactly the scores its bottom-right mask leaves
# (issue 19): s_q*s_k - s_q*(s_q-1)/2 for s_q <= s_k, s_k*(s_k+1)/2 for
# more queries. Per score: 2*(d + d_v) FLOPs of matmul and 6 more.
# A decode step (1 query, 8 keys, d = d_v = 4) masks nothing: 8 scores,
# 64 MACs, 8*(16 + 6) = 176 FLOPs.
attention((1 x 1 x 4), (1 x 8 x 4), (1 x 8 x 4), causal=true)
# 3 queries, 3 keys: 6 scores; d + d_v = 3: 18 MACs, 6*(6 + 6) = 72 FLOPs
attention((1 x 3 x 1), (1 x 3 x 1), (1 x 3 x 2), causal=true)
# 3 queries, 2 keys: 3 scores, 9 MACs; the first query sees no key: 0
:dtype f64
attention([[1], [2], [3]], [[1], [1]], [[1, 2], [3, 4]], causal=true)
# symbols: T == T gives T*(T+1)/2 per head; q and s assume q <= s
attention((h x T x 64), (h x T x 64), (h x T x 64), causal=true)
attention((h x q x 64), (h x s x 64), (h x s x 64), causal=true)

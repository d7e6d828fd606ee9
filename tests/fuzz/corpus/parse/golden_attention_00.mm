# attention(Q, K, V): both matmuls, the softmax, grouped and causal forms
Q = (8 x 32 x 1024 x 128); K = (8 x 8 x 1024 x 128); V = K
attention(Q, K, V)
attention(Q, K, V, causal=true, kv_heads=8)

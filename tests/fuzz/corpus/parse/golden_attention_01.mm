:explain attention(Q, K, V) train=true
attention(Q, K, V, kv_heads=4)
attention(Q, K, (8x8x1000x128))
attention(Q, (8x3x1024x128), (8x3x1024x128))

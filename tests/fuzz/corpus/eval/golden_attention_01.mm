attention(Q, K, (8x8x1000x128))
attention(Q, (8x3x1024x128), (8x3x1024x128))

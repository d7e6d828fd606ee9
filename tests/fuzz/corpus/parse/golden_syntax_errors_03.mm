W = = 3
1 2
randn(2, 3, dtype=q16)
sum((3x4), axis=2)

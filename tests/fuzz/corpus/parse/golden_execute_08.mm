randn(2, 2)

arange(5)
arange(1, 2, 0.25)
zeros(2, 3)
ones((2x2))

full(2, 2, 7)
reshape(arange(6), 2, 3)
concat(A, B, axis=1)
exp([0, 1])

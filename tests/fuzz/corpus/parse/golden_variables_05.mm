(n x n) @ (n x n)
rnadn(3, 3)
sofmax((3x3))
:clear W

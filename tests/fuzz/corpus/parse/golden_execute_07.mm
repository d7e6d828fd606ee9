A @ (2x5)
:seed 1
randn(2, 2)
:seed 1

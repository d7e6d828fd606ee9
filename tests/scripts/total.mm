# :total, the running sum of every statement with an operation
:total
:device h100
A = (1024 x 1024)
# 2·1024³ FLOP, then 2·1024³ + 1024² (the relu)
A @ A
B = relu(A @ A)
# symbols are summed as formulas
(n x d) @ (d x d)
(n x d) @ (d x d)
:total
:total reset
:total
# executed statements report the time they ran
:dtype f64
x = [[1.0, 2.0], [3.0, 4.0]]
x @ x
:total
:total now
:total reset
# only statements with symbols: their formulas alone
(n x d) @ (d x d)
:total

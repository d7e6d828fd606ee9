# args: --json
# :explain, :order, :vars and :total as JSON objects (mmcalc(1), JSON OUTPUT)
:device h100
A = (64 x 32); n = 4; s = "x"
B = (n x k)
C = [[1, 2], [3, 4]]
:vars
:explain relu(A @ (32 x 16))
def f(x) = relu(x @ (d x d))
:explain repeat(L, f, (T x d))
:explain repeat(3, f, (8 x 8)) where d = 8
:explain f((8 x 8)) train=true where d = 8
:order (2x3)@(3x4)@(4x5)
:order (a x b)@(b x c)@(c x d)
A @ (32 x 16)
(n x k) @ (k x k)
:total
:total reset
:total
# a variable holding infinity: JSON has no inf, so it is the string "inf"
:clear
big = 1e308 * 10
:vars

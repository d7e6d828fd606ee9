# A `where` binding that nothing in the statement uses is warned about
# (issue 19); the statement still runs and succeeds. Bindings used by a
# later binding, by a variable's symbols or possibly by a function's
# body are not warned about.
(n x 2) @ (2 x 3) where n = 3, m = 5
(n x k) @ (k x 3) where n = 4, k = 2*n
d = (k x 2)
d @ (2 x 3) where k = 3
def f(x) = x @ (x2 x 3)
f((2 x 4)) where x2 = 4
:explain (n x 4) @ (4 x 4) where n = 2, zz = 9
# a function passed by name to repeat reads its free names when called:
# no warning for n
def fw(x) = relu(x @ (n x n))
repeat(2, fw, (4 x 8)) where n = 8
# a value whose graph has symbols upstream reads them in flops(): no
# warning for n
ws = relu((n x 4) @ (4 x 4))
wl = sum(ws)
flops(wl) where n = 8

(n x n) ** 2
reshape((n x 4), -1)
(n x d) @ (d x n) @ (n x d)
(B*T x C) @ (C x 3*C)
(d/h x 2)
(n x n) @ (m x m)

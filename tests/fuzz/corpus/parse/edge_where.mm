(n x d) @ (d x d) where n=1, d=2
(n x d) where n=-1
(n x n) where n = n

:order (n x d) @ (d x d) @ (d x 1) @ (1 x d)
:order (n x d) @ (d x d) @ (d x 1) where n = 8

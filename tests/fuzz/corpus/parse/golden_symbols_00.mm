# Unbound names in dims are symbols; costs are polynomials
(n x d) @ (d x d)
X = (B*T x C)
W = (C x 3*C)

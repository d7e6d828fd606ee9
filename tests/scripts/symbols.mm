# Unbound names in dims are symbols; costs are polynomials
# Big common factors take a prefix in front (bytes also whole KiB)
(L x 1024 x 4096) @ (4096 x 4096)
(n x 4096) @ (4096 x d)
(B*T x 4096) @ (4096 x 50257)
(n x d) @ (d x d)
X = (B*T x C)
W = (C x 3*C)
Y = X @ W
softmax((B x h x T x T))
layernorm(X) + relu(X)
(n x d/h)
(n x d) @ (4096 x 5)
(n x d) + (m,)
:set strict on
(n x d) @ (4096 x 5)
:set strict off
(n x d) @ (d x d) where n = 1024, d = 4096
n
(n x d) @ (d x d) -> GFLOP
concat((n x 3), (n x 3))
:run (n x d) @ (d x d)
B = 8; T = 1024; C = 768
Y
X @ W
# Holes and :explain need numeric dims: errors, not wrong answers or zeros
(n x 4) @ ? = (n x 5)
(3 x d) @ ? = (3 x 5)
:explain (n x d) @ (d x d)

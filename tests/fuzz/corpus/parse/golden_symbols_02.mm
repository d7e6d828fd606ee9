(n x d) @ (4096 x 5)
(n x d) + (m,)
:set strict on
(n x d) @ (4096 x 5)

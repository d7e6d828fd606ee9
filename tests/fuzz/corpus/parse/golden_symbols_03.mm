:set strict off
(n x d) @ (d x d) where n = 1024, d = 4096
n
(n x d) @ (d x d) -> GFLOP

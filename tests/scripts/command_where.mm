# Commands take 'where' bindings for themselves, as statements do
n = 7
:explain (n x d) @ (d x d) where n = 1024, d = 4096
n
d
:order (n x d) @ (d x d) @ (d x 1) where n = 10, d = 4
:run zeros(n, d) @ ones(d, 2) where d = 3
:bench (n x n) @ (n x n) 2 where n = 16
:explain (2x2) where
:order (n x d) where n = (2x2)

2**30 -> GiB
n = 1024
(n x n) @ (n x n)
(n x n) @ (n x n) where n = 8

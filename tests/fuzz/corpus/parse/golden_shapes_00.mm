# Shape literals, NumPy's rules and the cost of each statement
(1024x4096) @ (4096x4096)
(1024 x 4096) @ (4096 x 4096)
(1024×4096) @ (4096×4096)

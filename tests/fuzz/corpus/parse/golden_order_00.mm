# exact
# :order: the cost of each bracketing of a matmul chain, and the cheapest
:order (1024x4096) @ (4096x4096) @ (4096x1)
A = (10 x 30); B = (30 x 5); C = (5 x 60); D = (60 x 2)

# exact
# :order: the cost of each bracketing of a matmul chain, and the cheapest
:order (1024x4096) @ (4096x4096) @ (4096x1)
A = (10 x 30); B = (30 x 5); C = (5 x 60); D = (60 x 2)
:order A @ B @ C @ D
:order A @ B @ C
:order A @ B
:order (n x d) @ (d x d) @ (d x 1)
:order A @ B @ (2x2)
:order A @ (B @ C) @ D
:order (n x d) @ (d x d) @ (d x 1)
:order (B*T x C) @ (C x 4*C) @ (4*C x C)
:order (n x d) @ (d x d) @ (d x 1) @ (1 x d)
:order (n x d) @ (d x d) @ (d x 1) where n = 8
# A condition: each side with its common factor in front, symbols in chain order
:order (a x b) @ (b x c) @ (c x e)
:order (n x 3) @ (3 x m) @ (m x 5)
# A factor every term shares (d) is divided out, and a side's own in front
:order (n x d) @ (d x r) @ (r x d)
# Denominators are cleared: sizes are positive
:order (n x d/h) @ (d/h x r) @ (r x d)
# Longer than 10 matrices: the 8 cheapest by the k-best dynamic program
:order (10x20) @ (20x30) @ (30x40) @ (40x5) @ (5x60) @ (60x7) @ (7x80) @ (80x9) @ (9x100) @ (100x11) @ (11x120) @ (120x13)
# A zero dimension: the cheapest costs nothing, no ratio
:order (2x0) @ (0x3) @ (3x4)
# Big ratios in whole numbers, not 7.5e+05x
:order (100000x100000) @ (100000x100000) @ (100000x100000) @ (100000x1)

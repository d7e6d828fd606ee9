:order A @ B @ (2x2)
:order A @ (B @ C) @ D
:order (n x d) @ (d x d) @ (d x 1)
:order (B*T x C) @ (C x 4*C) @ (4*C x C)

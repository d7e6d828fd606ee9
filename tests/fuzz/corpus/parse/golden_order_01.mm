:order A @ B @ C @ D
:order A @ B @ C
:order A @ B
:order (n x d) @ (d x d) @ (d x 1)

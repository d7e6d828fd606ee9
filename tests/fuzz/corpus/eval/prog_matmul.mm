A @ A
A @ B
B @ A
A @ v
B @ v
v @ v
x @ w
B.T @ A

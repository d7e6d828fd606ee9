A @ B
A * B + 1
A.T
A[1]

# Bytes in: a view of an input counts the elements it reads
W = (1024 x 4096)
x = (4096 x 1)
W[0:8] @ x
W[0:8] @ W[0:8].T
W[::2] @ x
W[:, :] @ x
W.T @ W
W[0] @ W.T
sum(W[0:8, 0:8])

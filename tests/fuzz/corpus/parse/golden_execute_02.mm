A[:, 0]
sum(A)
sum(A, axis=0)
mean(A, axis=1, keepdims=true)

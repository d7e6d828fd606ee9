max(A)
norm([3, 4])
softmax([1, 2, 3])
eye(3)

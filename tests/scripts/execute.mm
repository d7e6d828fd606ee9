# Concrete tensors compute; abstract ones only cost
:dtype f64
A = [[1, 2], [3, 4]]
B = [[5, 6], [7, 8]]
A @ B
A * B + 1
A.T
A[1]
A[:, 0]
sum(A)
sum(A, axis=0)
mean(A, axis=1, keepdims=true)
max(A)
norm([3, 4])
softmax([1, 2, 3])
eye(3)
arange(5)
arange(1, 2, 0.25)
zeros(2, 3)
ones((2x2))
full(2, 2, 7)
reshape(arange(6), 2, 3)
concat(A, B, axis=1)
exp([0, 1])
relu([-1, 0, 2])
cos(deg2rad(60))
R = [[cos(deg2rad(30)), -sin(deg2rad(30))], [sin(deg2rad(30)), cos(deg2rad(30))]]
R @ [[1], [0]]
A @ (2x5)
:seed 1
randn(2, 2)
:seed 1
randn(2, 2)

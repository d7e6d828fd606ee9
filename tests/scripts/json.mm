# args: --json
(1024x4096) @ (4096x4096)
W = (4096 x 4096)
(1024x4096) @ (2048x4096)
(1e12 x 1e12) @ (1e12 x 1e12)
flops((2x3) @ (3x4))
A = [[1, 2], [3, 4]]
A @ A
3 * 4
:dtype
# An empty tensor of a trillion rows: no values (a trillion "[]" would never end)
zeros(1e12, 0)
zeros(3, 0)
# an i8 product and its wrapped sum say how they were computed
I = [[100, 2], [3, 4]]
astype(I, dtype=i8) @ astype(I, dtype=i8)
astype(I, dtype=i8) @ astype(I, dtype=i8) + 1

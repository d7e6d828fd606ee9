# Variables, ans, did-you-mean and :clear
W = (4096 x 4096)
x = (4096,)
W @ x
ans
y = ans + 1
Wq = (768 x 768)
Wk = (768 x 768)
X = (16 x 768)
X @ Wg
X @ Wq
flops(X @ Wq)
flops(X @ Wq) -> MFLOP
bytes(W) -> MiB
bytes(W) -> MB
macs((1024x4096) @ (4096x4096)) -> GMAC
2**30 -> GiB
n = 1024
(n x n) @ (n x n)
(n x n) @ (n x n) where n = 8
(n x n) @ (n x n)
rnadn(3, 3)
sofmax((3x3))
:clear W
W
# A conversion binds the number in its unit
f = flops((2x2) @ (2x2)) -> kFLOP
f * 1000
bytes((4096x4096)) -> MiB
ans + 1
flops((2x2) @ (2x2)) -> GFLOPs
time((2x2) @ (2x2)) -> seconds
bytes((2x2)) -> parsecs

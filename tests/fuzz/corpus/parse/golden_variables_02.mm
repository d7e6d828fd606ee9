X = (16 x 768)
X @ Wg
X @ Wq
flops(X @ Wq)

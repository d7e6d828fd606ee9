# :explain breaks a statement's cost down by operation
B = 8; T = 1024; C = 768
X = (B x T x C)
Wq = (C x C)
:explain softmax((X @ Wq) @ (X @ Wq).T / 8) @ (X @ Wq)
:explain (1024x4096) @ (4096x4096) train=true

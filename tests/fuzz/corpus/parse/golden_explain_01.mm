:explain softmax((X @ Wq) @ (X @ Wq).T / 8) @ (X @ Wq)
:explain (1024x4096) @ (4096x4096) train=true
:explain layernorm(X) + relu(X)
:explain X

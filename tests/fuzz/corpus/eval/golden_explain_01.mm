:explain layernorm(X) + relu(X)
:explain X
:explain
:explain (2x3) @ (4x5)
:explain 1 + 2

:explain
:explain (2x3) @ (4x5)
:explain 1 + 2

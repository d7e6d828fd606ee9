:bench X @ X
:run X + (8,)
:run softmax((4x16))
:bench (2x2) @ (2x2) 0

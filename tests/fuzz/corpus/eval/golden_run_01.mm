:run softmax((4x16))
:bench (2x2) @ (2x2) 0
:bench (2x2) @
:run
:run (3x4) @ (5x6)

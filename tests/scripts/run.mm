# :run fills abstract operands and executes; :bench repeats and reports
:run (256x256) @ (256x256)
:bench (64x64) @ (64x64) 3
X = randn(8, 8)
:bench X @ X
:run X + (8,)
:run softmax((4x16))
:bench (2x2) @ (2x2) 0
:bench (2x2) @
:run
:run (3x4) @ (5x6)

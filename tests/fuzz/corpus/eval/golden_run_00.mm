# :run fills abstract operands and executes; :bench repeats and reports
:run (256x256) @ (256x256)
:bench (64x64) @ (64x64) 3
X = randn(8, 8)
:bench X @ X
:run X + (8,)

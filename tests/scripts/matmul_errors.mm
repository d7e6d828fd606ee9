# Shape errors name both shapes and say what would fit
(1024x4096) @ (2048x4096)
(4096x1024) @ (4096x512)
(3x4) @ (5x3)
(8,) @ (5,)
() @ (3x3)
(3x3) @ 2
(2x3x4) @ (5x4x6)
(7x2x5) + (3,)
(3x4) + (4x3)
2 @ 3

# Shape errors name both shapes and say what would fit
(1024x4096) @ (2048x4096)
(4096x1024) @ (4096x512)
(3x4) @ (5x3)

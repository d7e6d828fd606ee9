# Bad input: each line fails with a position and goes on
(1024x4096
(1024x4096))
[1, 2
x
(1024 x)
(2, 3 x 4)
1 +
@ (3x3)
"unterminated
a.b
(3x3) $ (3x3)
W = = 3
1 2
randn(2, 3, dtype=q16)
sum((3x4), axis=2)
(3x4)[5]
(3x4)[1, 2, 3]
(2.5 x 3)
(-1 x 3)
(3x3) @ ? 

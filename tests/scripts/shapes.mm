# Shape literals, NumPy's rules and the cost of each statement
(1024x4096) @ (4096x4096)
(1024 x 4096) @ (4096 x 4096)
(1024×4096) @ (4096×4096)
(1024, 4096) @ (4096, 4096)
(3,)
()
(3)
(0x5)
(0x5) @ (5x7)
(2x3) + (3,)
(8x1x6x1) * (7x1x5)
(4,) @ (4,)
(4,) @ (4x5)
(10x3x4) @ (4x5)
(2x1x3x4) @ (5x4x6)
(1e12 x 1e12) @ (1e12 x 1e12)
(1e9 x 1e9)
B = 8; T = 1024; C = 768
(B*T x C) @ (C x 3*C)
softmax((8x12x1024x1024))
layernorm((8x1024x768))
sum((3x4), axis=0)
sum((3x4), axis=-1, keepdims=true)
mean((3x4))
reshape((8x1024x768), -1, 768)
concat((2x3), (4x3))
concat((2x3), (2x5), axis=1)
(3x4).T
(3x4)'
transpose((2x3x4))
(5x6)[1:3, :]
(5x6)[0]
(5x6)[::-1, 2]
qr((6x4))
qr_r((6x4))
exp((3x4)) + (4,)
-(3x4) * 2
(2x3) @ (3x4) @ (4x5)
# X as well as x between dims, as (2 X 3) already was
(2X3) @ (3X4)

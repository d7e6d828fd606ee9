# '?' is an unknown operand: which shape makes the equation hold?
(1024x4096) @ ? = (1024x512)
? @ (4096x4096) = (8x4096)
(8x1024x64) @ ? = (8x1024x1024)
(3x4) + ? = (2x3x4)
relu(? @ (64x10)) = (32x10)
?.T = (3x5)
(4096,) @ ? = (512,)
? @ (4096,) = (1024,)
(1024x4096) @ ? = (512x512)
? @ (4096x4096) = (8x1024)
(3x4) + ? = (5x5)
(3x3) = (3x3)
? @ ? = (3x3)
sum(?) = ()
(2x3) @ ? = 5
# A weight the batch shares, not a batched one (issue 19): same FLOPs,
# 8x fewer bytes; the batched answer is mentioned. Axes the left operand
# has become 1 and leading ones go.
(8 x 1024 x 768) @ ? = (8 x 1024 x 3072)
(4 x 1 x 5 x 6) @ ? = (4 x 8 x 5 x 7)
(5 x 6) @ ? = (4 x 5 x 7)

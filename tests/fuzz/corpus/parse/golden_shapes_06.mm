mean((3x4))
reshape((8x1024x768), -1, 768)
concat((2x3), (4x3))
concat((2x3), (2x5), axis=1)

(3x4).T
(3x4)'
transpose((2x3x4))
(5x6)[1:3, :]

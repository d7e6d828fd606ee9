# None in an index adds an axis of length 1, as NumPy's newaxis
M = [[1, 2, 3], [4, 5, 6]]
M[None]
M[:, None]
M[None, 1, None]
M[0, :, None]
M[None, None, 1, 2]
(5 x 6)[None, ::2, None]
M[None, 0, 0, 0]
None = 2
M[None]

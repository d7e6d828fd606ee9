# Axes: permute, transpose with axes, swapaxes, expand_dims, squeeze,
# reshape views and copies, None in an index, and their errors.
X = reshape(arange(24), 2, 3, 4)
permute(X, 2, 0, 1)
transpose(X, (1, 0, 2))
transpose(X)
swapaxes(X, 0, -1)[0]
expand_dims(X[0], (0, -1))
squeeze(X[:, 0:1, 0:1])
X[None, 1, :, None]
reshape(permute(X, 1, 0, 2), (3, -1))
# attention's head split and merge, with symbols
x = (B x T x C)
q = permute(reshape(x, (B, T, H, C/H)), 0, 2, 1, 3)
reshape(permute(q, 0, 2, 1, 3), (B, T, C))
squeeze((1 x n x 1), (0, -1))
permute(X, 0, 0, 1)
permute(X, (0, 1))
permute(X)
squeeze(X, 1)
reshape(X, 5, -1)
reshape(X, (-1, -1))
expand_dims(X, 4)
X[None, 0, 0, 0, 0]
X.shape
sum(X, axis=(0, 1))
# the hole solver sees through transpose(x) only, not a permutation
transpose(?) = (3 x 2)
transpose(?, (2, 0, 1)) = (4 x 2 x 3)

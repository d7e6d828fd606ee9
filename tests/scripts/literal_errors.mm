# exact
# Matrix literals and reshape: the errors say what is wrong and how much.
[[1, 2], [3]]
[[1, 2, 3], [4, 5]]
x = [1, 2]
[x, x]
concat(x, x, axis=0)
reshape(x, 3)
reshape((2 x 3), 4, 5)
reshape((2 x 3), 2^40, 2^40)

z @ z.T
z.T @ z
z + 1
softmax(z.T)
z[::-1]
concat(z, z)

A'
B.T
x.T
transpose(x)
v.T

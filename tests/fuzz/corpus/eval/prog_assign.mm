C = A @ B
C
A = C
A
v = v + 1
v
s = s * s
s

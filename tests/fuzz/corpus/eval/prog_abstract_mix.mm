M @ A
S @ B.T
S @ A
M + B
:run S @ B.T
M @ ?
A @ ? = (2x5)

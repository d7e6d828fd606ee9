concat((n x 3), (n x 3))
:run (n x d) @ (d x d)
B = 8; T = 1024; C = 768
Y

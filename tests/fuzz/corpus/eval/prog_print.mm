:set threshold 1
x
:set precision 0
A / 3
:set precision 30
v
:set exact on
flops(A @ A)

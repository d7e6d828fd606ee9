# Commands
:vars
W = (4096 x 4096)
X = randn(2, 3)

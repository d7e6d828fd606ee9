# :explain breaks a statement's cost down by operation
B = 8; T = 1024; C = 768
X = (B x T x C)
Wq = (C x C)

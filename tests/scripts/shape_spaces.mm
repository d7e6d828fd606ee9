# exact
# A shape whose dimensions are names needs spaces around x: "Bx1024" is one
# name. The hint writes the shape with spaces, unless the parts do not read
# as dimensions or one of them is bound to something that is not a number.
(Bx1024x4096) @ (4096 x 4096)
(B x 1024 x 4096) @ (4096 x 4096)
(nxd)
(Tx4096)
n = 8
(nx4)
W = (3 x 4)
Wx4
x1
box
q
max2
ax1x
2x

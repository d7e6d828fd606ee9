# exact
# :vars gives a symbolic tensor's bytes as a polynomial (it printed
# ~nan B, then 0 B), numeric once its symbols are bound, and pads columns
# by display width: the dtype column stays put after 2·n and "müller"
# (issue 19).
a = (n x 4)
b = (2*n x d)
s = "müller ×2"
c = zeros(3, 3)
:vars
n = 8
:vars

d @ A
d + A
:dtype f16
M @ A
randn(2, 2) @ A
:dtype f64
A @ d
zeros(2, dtype=i4)

n = 12
:vars
:dtype f64
(2x2) @ (2x2)

@ (3x3)
"unterminated
a.b
(3x3) $ (3x3)

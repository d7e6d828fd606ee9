a = 
= 3
a = b = 1
ans = (3x3)
x = (3x3)
(x x x)
3 = 4

A ** 2
A ^ -1
A / 0
A % 0
-A
+A
A * B
A + v
B + v
x * w
A - s
k % A
2 ** A

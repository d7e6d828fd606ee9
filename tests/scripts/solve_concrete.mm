# Solving for ? beside a concrete variable keeps its reference count right
# (fuzz-eval: the tensor leaked; the sanitizer pass catches it)
A = [[1, 2], [3, 4]]
A @ ? = (2x5)
? @ A = (3x2)
A + ? = (2x2)
exp(A) @ ? = (2x1)
A

# Concrete tensors compute; abstract ones only cost
:dtype f64
A = [[1, 2], [3, 4]]
B = [[5, 6], [7, 8]]

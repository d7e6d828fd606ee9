# astype's dtype as a bare word, as a string or as dtype=; what is not one
x = [1.1, 70000, -3]
astype(x, bf16)
astype(x, "f16")
astype(x, dtype=i8)
astype((n x 4), bf16)
astype(2.5, i8)
astype(x, f17)
astype(x, 3)
astype(x, bf16, dtype=f16)

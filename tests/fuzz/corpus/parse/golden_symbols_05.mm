X @ W

ans
y = ans + 1
Wq = (768 x 768)
Wk = (768 x 768)

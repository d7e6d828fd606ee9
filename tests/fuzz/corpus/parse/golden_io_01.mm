H = load("../data/enc_f2.npy")
C = load("../data/enc.csv")
A - C
S = load("../data/enc_scalar_f8.npy")

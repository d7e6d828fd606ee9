load("../data/enc_3d_f4.npy")
load("../data/enc.csv", dtype=f32)
load("../data/no-such-file.npy")
load("../data/enc.csv", sep=";")

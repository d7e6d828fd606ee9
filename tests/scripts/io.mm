# load and save .npy and CSV; :source runs a script in this session
A = load("../data/enc_f8.npy")
I = load("../data/enc_i4.npy")
F = load("../data/enc_fortran_f8.npy")
H = load("../data/enc_f2.npy")
C = load("../data/enc.csv")
A - C
S = load("../data/enc_scalar_f8.npy")
load("../data/enc_3d_f4.npy")
load("../data/enc_3d_f4.npy", dtype=f64)
load("../data/enc_f8.npy", dtype=f32)
load("../data/enc.csv", dtype=f32)
load("../data/no-such-file.npy")
load("../data/enc.csv", sep=";")
load("../data/enc_f8.npy", wrong=1)
load("weights.bin")
:source sub/weights.mm
Wsub
:source sub/none.mm
save("/nonexistent-dir/out.npy", A)
save("out.npy", (3x3))

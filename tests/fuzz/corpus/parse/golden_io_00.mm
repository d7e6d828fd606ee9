# load and save .npy and CSV; :source runs a script in this session
A = load("../data/enc_f8.npy")
I = load("../data/enc_i4.npy")
F = load("../data/enc_fortran_f8.npy")

load("../data/enc_f8.npy", wrong=1)
load("weights.bin")
:source sub/weights.mm
Wsub

# sourced by io.mm: relative names start in this script's directory
Wsub = load("../../data/enc_f8.npy")
missing = load("not-here.npy")

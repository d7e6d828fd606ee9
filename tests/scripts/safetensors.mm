# .safetensors files: load one tensor (its header read when checked, its
# bytes when run), :inspect the header; hostile files named and refused
# exact
H = load("../data/st_mixed.safetensors", "h")
load("../data/st_mixed.safetensors", "b")
load("../data/st_mixed.safetensors", "i")
load("../data/st_mixed.safetensors", "e4")[120:128]
load("../data/st_mixed.safetensors", "scalar")
load("../data/st_mixed.safetensors", "empty")
load("../data/st_mixed.safetensors", "layers.10.x")
load("../data/st_mixed.safetensors", "w", dtype=f64)
load("../data/st_mixed.safetensors", "w", dtype=bf16)
W = load("../data/st_layer.safetensors", "layer.weight_bf16")
x = load("../data/st_layer.safetensors", "input")
shape(x @ W.T)
flops(x @ load("../data/st_layer.safetensors", "layer.weight").T)
:vars
load("../data/st_mixed.safetensors")
load("../data/st_mixed.safetensors", "layer.2.x")
load("../data/st_mixed.safetensors", "nothing-like-it")
load("../data/st_mixed.safetensors", "packed")
load("../data/st_mixed.safetensors", "w", header=true)
load("../data/st_mixed.safetensors", W)
load("../data/enc_f8.npy", "w")
load("../data/no-such-file.safetensors", "w")
load("../data/st_bad_overlap.safetensors", "a")
load("../data/st_bad_dtype.safetensors", "w")
load("../data/st_bad_json.safetensors", "w")
load("../data/st_bad_size.safetensors", "w")
load("../data/enc_f8.npy")
:inspect ../data/st_layer.safetensors
:inspect "../data/st_mixed.safetensors"
:inspect ../data/st_names.safetensors
:inspect ../data/st_bad_overlap.safetensors
:inspect ../data/no-such-file.safetensors
:inspect

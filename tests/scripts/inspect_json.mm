# args: --json
# exact
:inspect ../data/st_layer.safetensors
:inspect ../data/st_bad_json.safetensors
load("../data/st_layer.safetensors", "layer.bias")

# exact
# Model presets, :model config.json, :memory, :cluster and :split: what
# they print (the figures against their papers are in test-memory.c).
:model
:model gpt2
params(model)
# the preset's sizes are variables; overrides replace its assignments
:model gpt2-medium num_hidden_layers=2 seq=64
num_hidden_layers
# a config.json, with its program's count beside transformers'
:model ../data/hf/Mixtral-8x7B-v0.1.config.json seq=4096
:memory train=false
:memory ep=8 dp=8 zero=1 recompute=full
:model llama2-70b
:memory train=false
:memory train=false tp=8
:memory recompute=selective tp=8 sp=true pp=4 micro=16 zero=1 dp=2
:memory weights=f32 grads=f32 optimizer=sgd
:device h100
:explain model depth=1
:memory tp=8 sp=true recompute=full dp=8 zero=3
:cluster
:cluster 8 x h100 nodes=2 nvlink=900GB/s ib=3.2Tb/s
:cluster
:split top=3
:split gbs=64 tokens=2e12 mfu=0.4 top=2
:memory tp=8 pp=2 sp=true recompute=selective
# errors
:model nosuch
:model gpt2 width=3
:model gpt2 seq
:model ../data/hf/nothing.json
:memory nosuch
:memory tp=3
:memory zero=4
:memory pp=7
:memory flash=maybe
:memory tp=4 pp=4 dp=4
:cluster 8 x nosuch
:cluster 8 h100
:cluster 8 x h100 ib=fast
:cluster 8 x m2
:model gpt2 seq=0
# an encoder keeps no KV cache
:model vit-b16
:memory train=false

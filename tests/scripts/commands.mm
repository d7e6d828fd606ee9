# Commands
:vars
W = (4096 x 4096)
X = randn(2, 3)
n = 12
:vars
:dtype f64
(2x2) @ (2x2)
:dtype
:dtype bf16
(1024x1024) @ (1024x1024)
:dtype f32
:set precision 3
:set memlimit 2GiB
:set precison 3
:set exact on
(1024x4096) @ (4096x4096)
:set exact off
:help cost
:help softmax
:help nothing
:frobnicate
:clear
:vars
:quit
(3x3)

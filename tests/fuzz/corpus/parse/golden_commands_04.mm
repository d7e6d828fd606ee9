(1024x4096) @ (4096x4096)
:set exact off
:help cost
:help softmax

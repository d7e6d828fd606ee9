# args: -iqe W=(4096x4096)
:vars
W @ (4096x8)

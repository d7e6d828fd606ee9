# args: -i -q -e W=(4096x4096)
:vars
W @ (4096x8)

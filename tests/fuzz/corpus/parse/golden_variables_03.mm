flops(X @ Wq) -> MFLOP
bytes(W) -> MiB
bytes(W) -> MB
macs((1024x4096) @ (4096x4096)) -> GMAC

:device custom peak=100T bw=1TB/s
(4096x4096) @ (4096x4096)
(4096,) + (4096,)
:device h1000

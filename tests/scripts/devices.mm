# Devices, roofline predictions, time() and units of time
# exact
:devices
:device h100
(1024x4096) @ (4096x4096)
time((1024x4096) @ (4096x4096)) -> us
(1024x4096) @ (4096x4096) -> ms
softmax((8x12x1024x1024))
:dtype bf16
(1024x4096) @ (4096x4096)
:dtype f64
:device l4
(64x64) @ (64x64)
:dtype f32
:device a100
:explain softmax((8x1024x64) @ (8x64x1024)) @ (8x1024x64)
:device custom peak=100T bw=1TB/s
(4096x4096) @ (4096x4096)
(4096,) + (4096,)
:device h1000
:device custom peak=100T
time(3)
flops((2x2)@(2x2)) -> ms

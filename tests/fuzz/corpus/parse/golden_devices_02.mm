:dtype bf16
(1024x4096) @ (4096x4096)
:dtype f64
:device l4

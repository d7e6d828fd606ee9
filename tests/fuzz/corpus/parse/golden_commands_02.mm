:dtype
:dtype bf16
(1024x1024) @ (1024x1024)
:dtype f32

(64x64) @ (64x64)
:dtype f32
:device a100
:explain softmax((8x1024x64) @ (8x64x1024)) @ (8x1024x64)

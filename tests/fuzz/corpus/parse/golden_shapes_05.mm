softmax((8x12x1024x1024))
layernorm((8x1024x768))
sum((3x4), axis=0)
sum((3x4), axis=-1, keepdims=true)

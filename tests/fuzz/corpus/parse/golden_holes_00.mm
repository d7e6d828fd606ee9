# '?' is an unknown operand: which shape makes the equation hold?
(1024x4096) @ ? = (1024x512)
? @ (4096x4096) = (8x4096)
(8x1024x64) @ ? = (8x1024x1024)

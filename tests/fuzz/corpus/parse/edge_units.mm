flops((3x3)@(3x3)) -> TFLOP
bytes((3x3)) -> GiB
1 -> nope
flops((3x3)) -> GiB
(3x3) -> MFLOP

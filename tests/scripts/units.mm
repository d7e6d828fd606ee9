# exact
# Units follow arithmetic (issue 19): a count times a number keeps its
# unit, a count over a time is a rate, unlike units do not add, plain
# numbers convert to any unit, and bits are not bytes.
:device h100
F = flops((4096x4096)@(4096x4096)) * 96
F -> GiB
F -> TFLOP
F + 1
F + bytes((2x2))
t = time((4096x4096)@(4096x4096))
t + t
F / (96 * t) -> TFLOP/s
3600 -> h
6*175e9*300e9 / (989.4e12*0.4) -> day
bytes((1024x1024)) -> Gb
bytes((1024x1024)) -> MB
bytes((1024x1024)) -> mb
flops((2x2)@(2x2)) -> GFLOPS
exp(F)
bytes((1024 x 1024)) / flops((1024x1024)@(1024x1024))
400 * 125e6 -> GB/s

# Narrow dtypes hold only their own values (NumPy's answers in comments)
:dtype i8
x = [1, 2, 3] * 100
# np.array([1,2,3], np.int8) * 100 -> [100 -56 44]
x + x
-x * 3
a = [[1, 2], [3, 4]] * 50
# a @ a with int8 in NumPy: [[92 -88] [124 -40]]
a @ a
# the i8 GEMM sums in i32; the addition runs in f32 and wraps
a @ a + 100
:dtype f16
h = [70000, 65504, 65519, 65520, 1e-8, 0.1]
# np.float16: [inf 65504 65504 inf 0 0.09998]
h
[60000] + [10000]
:dtype f32
b = astype([1.00390625, 1.01171875, 3e38, -1e-40], dtype=bf16)
b
b @ astype([[1], [1], [0], [0]], dtype=bf16)
astype([448, 464, 465, 17, 19, 1e-3, -0.0], dtype=f8)
astype([448, 464, 465, 17, 19, 1e-3, -0.0], dtype=f8e4m3)
astype([57344, 61439, 61440, 4.5, 5.5, 1e-5], dtype=f8e5m2)
astype([7, 8, 9, -9, 15.9, -2.5], dtype=i4)
astype([127.9, -128.9, 300.7, -300.7], dtype=i8)
# numbers fold through the same rounding
astype(70000, dtype=f16)
astype(0.1, "bf16")
astype(-2.7, dtype=i8)
# promotion: f16 with bf16 is f32, the two f8s meet in bf16
astype([1.5], dtype=f16) + astype([1.5], dtype=bf16)
astype([1.5], dtype=f8e4m3) * astype([1.5], dtype=f8e5m2)
astype([3], dtype=i8) * astype([0.5], dtype=f16)
astype((n x d), dtype=bf16)
bytes(astype((1024 x 1024), dtype=f8))
flops(astype((1024 x 1024), dtype=f8))
# .npy: <f2 loads as f16; bf16 cannot be saved as .npy
load("../data/enc_f2.npy")
save("never-written.npy", b)
astype([1], dtype=q8)
astype([1])
astype([1], "f16", dtype=f16)
# a device without a figure for a dtype: the units that would run it
:device a100
:dtype f8
(1024x4096) @ (4096x4096)
:device h100
:dtype i4
(1024x4096) @ (4096x4096)
:dtype bf16
(1024x4096) @ (4096x4096)

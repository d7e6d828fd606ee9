# print_cases.py — regenerates the expected strings of tests/unit/test-print.c
# from NumPy (run with a Python that has numpy; writes /tmp/pc/cases.json,
# which the table in test-print.c was made from).
import os
import numpy as np, json
os.makedirs('/tmp/pc', exist_ok=True)
def C(s): return json.dumps(s)
cases = []
def add(name, a, **kw):
    a = np.asarray(a)
    cases.append((name, a, kw, np.array2string(a, **kw)))
add("mixed_signs", [[1, 2.5], [-3, 4]])
add("enc", np.arange(12).reshape(3,4)/4-1)
add("small_exp", [1e-5, 1.0])
add("big_exp", [1e8, 1.0])
add("nonfinite", [np.nan, 1.0, -np.inf])
add("only_nonfinite", [[np.nan, np.inf]])
add("scalar", np.array(2.5))
add("scalar_exp", np.array(1e-7))
add("summary_1d", np.arange(2000.0))
add("cube", np.arange(24.0).reshape(2,3,4))
add("digits", [0.123456789123, -1.5, 3.14159265358979])
add("f32_tenths", np.array([0.1, 0.2, 0.3], dtype=np.float32))
add("wrap", np.arange(30)*1.123456)
add("thirds", np.arange(5)/3)
add("summary_3d", np.arange(6000.0).reshape(2,1000,3))
add("zeros_signed", [0.0, -0.0])
add("tiny", [1e-10, 1e-12])
add("exp_big", [123456789.0])
add("f32_third", np.array([1/3], dtype=np.float32))
add("extremes", [1e300, -1e-300])
add("eye", np.eye(3))
add("ratio", [1.0, 1001.0])
add("precision3", np.arange(5)/3, precision=3)
add("neg_exp", [-1e-5, 2.5e10, 3.0])
add("summary_2d", np.arange(40000.0).reshape(200,200)/7)
add("col", np.arange(4.0).reshape(4,1))
add("f32_randn", np.array([0.4967141530112327, -0.13826430117118466, 0.6476885381006925, 1.5230298564080254], dtype=np.float32))
add("mixed_nan", [np.nan, 1e-5, 2.0])
add("suppress", [1e-10, 1.0], suppress_small=True)
add("round_cut", [0.123456785, 2.0])
add("big_ints", [12345678.0, 1.0, 2.0])
add("f32_exp_digits", np.array([2.59314245e-03, 3.38830469e-05, 8.74679766e+04, -3.70950508e+01, 6.29699418e-11, 1.44618135e-02], dtype=np.float32))
add("wide_rows", (np.arange(90).reshape(3, 30) * 1.37 - 20))
add("f32_big_int", np.array([-56906248.0, 30000001.0, 16777217.0], dtype=np.float32))
# integer and float16 arrays (issue 22): mmcalc's i8 and f16 tensors
i8, f16 = np.int8, np.float16
with np.errstate(over='ignore'):
    add("i8_wrap", np.array([1, 2, 3], dtype=i8) * i8(100))
    add("i8_square", np.array([[1, -2], [100, 3]], dtype=i8))
    add("i8_scalar", np.array(-5, dtype=i8))
    add("i8_summary", np.arange(2000).astype(i8))
    add("i8_wide", np.arange(-128, -68).astype(i8).reshape(2, 30))
    add("i8_zeros", np.zeros((2, 2), dtype=i8))
    add("f16_values", np.array([0.1, 1/3, 70000], dtype=f16))
    add("f16_exp", np.array([1e-5, 1], dtype=f16))
    add("f16_subnormal", np.array([6e-8, -1.5, 65504], dtype=f16))
    add("f16_digits", np.array([3.14159, -2.71828, 1000.5, 0.0001], dtype=f16))
    add("f16_wrap", (np.arange(30) * 1.123456).astype(f16))
    add("f16_nan", np.array([np.nan, -np.inf, 0.2], dtype=f16))
    add("f16_scalar", np.array(0.1, dtype=f16))
    add("f16_ints", np.array([2048, 2049, -7], dtype=f16))
    add("f16_summary", np.arange(2000).astype(f16))
out=[]
for name,a,kw,s in cases:
    vals = a.ravel().tolist()
    dt = {np.float32: 'MM_F32', np.int8: 'MM_I8',
          np.float16: 'MM_F16'}.get(a.dtype.type, 'MM_F64')
    shape = list(a.shape)
    out.append((name, dt, shape, [repr(float(v)) for v in vals], kw, s))
import sys
with open('/tmp/pc/cases.json','w') as f: json.dump(out,f)
for o in out[:8]: print(o[0]); print(o[5])

# print_f16.txt: NumPy's text for every positive finite float16 (bits
# 0x0001 to 0x7bff, one a line, in order) as a 0-d array: the shortest
# digits that identify each value as a binary16, positional from 1e-4 up
# and scientific below (the subnormals among them).
here = os.path.dirname(os.path.abspath(__file__))
h = np.arange(1, 0x7c00, dtype=np.uint16).view(np.float16)
with open(os.path.join(here, 'print_f16.txt'), 'w') as f:
    for x in h:
        f.write(np.array2string(np.array(x)) + '\n')

# dtype_round_cases.py — writes dtype_round.txt, the expected values of
# tests/unit/test-dtype-round.c: float32 inputs and what a tensor of each
# narrow dtype stores for them, as hex bit patterns, one "DTYPE IN OUT" a
# line. Run with /usr/bin/python3 (it needs NumPy) from this directory.
#
# f16 and i8 are NumPy's own casts (astype(float16), astype(int8)); i4 is
# ml_dtypes' int4 from a float: the int8 cast's low 4 bits, sign-extended.
# bf16, f8e4m3 (OCP E4M3, float8_e4m3fn) and f8e5m2 have no NumPy type and
# ml_dtypes is not packaged for Debian, so they come from the formats'
# definitions: every finite value each format holds is listed as an exact
# fraction, and an input goes to the nearest, ties to the one with an even
# encoding, as ml_dtypes' non-saturating cast does; past the largest
# finite value (rounding as if the exponent went on) it is inf, or NaN for
# E4M3, which has no inf. NaN stays NaN with its sign. This is a different
# algorithm from the bit arithmetic under test.
import bisect
import random
import struct
from fractions import Fraction

import numpy as np

random.seed(22)


def f32_bits(x):
    return struct.unpack('<I', struct.pack('<f', x))[0]


def bits_f32(u):
    return struct.unpack('<f', struct.pack('<I', u))[0]


class Fmt:
    """A binary float format: ebits exponent bits, mbits mantissa bits,
    IEEE-like bias; e4m3fn (no inf, S.1111.111 is NaN) when fn."""

    def __init__(self, ebits, mbits, fn=False):
        self.mbits, self.fn = mbits, fn
        bias = (1 << (ebits - 1)) - 1
        emax_code = (1 << ebits) - 1 if fn else (1 << ebits) - 2
        vals = []
        for e in range(0, emax_code + 1):
            for m in range(1 << mbits):
                if fn and e == emax_code and m == (1 << mbits) - 1:
                    continue  # NaN
                if e == 0:
                    v = Fraction(m, 1 << mbits) * Fraction(2) ** (1 - bias)
                else:
                    v = (1 + Fraction(m, 1 << mbits)) * Fraction(2) ** (e - bias)
                vals.append((v, (e << mbits) | m))
        # one value past the largest, as if the exponent went on: where
        # rounding lands there, the cast overflows
        top_e = emax_code
        last_m = (1 << mbits) - 1 if fn else 0
        past = ((1 + Fraction(last_m, 1 << mbits)) * Fraction(2) ** (top_e - bias)
                if fn else Fraction(2) ** (emax_code + 1 - bias))
        vals.append((past, None))
        self.vals = vals
        self.keys = [v for v, _ in vals]
        self.max = vals[-2][0]

    def round(self, x):
        """The float32 x in this format, as a Python float (nan/inf)."""
        if x != x:
            return x
        neg = x < 0 or (x == 0 and str(x).startswith('-'))
        ax = abs(x)
        if ax == float('inf'):
            r = float('nan') if self.fn else float('inf')
            return -r if neg else r
        fx = Fraction(ax)
        i = bisect.bisect_left(self.keys, fx)
        if i < len(self.keys) and self.keys[i] == fx:
            pick = i
        elif i >= len(self.keys):
            pick = len(self.keys) - 1
        else:
            lo, hi = self.vals[i - 1], self.vals[i]
            dlo, dhi = fx - lo[0], hi[0] - fx
            if dlo < dhi:
                pick = i - 1
            elif dhi < dlo:
                pick = i
            else:
                enc_lo = lo[1]
                pick = i - 1 if enc_lo % 2 == 0 else i
        v, enc = self.vals[pick]
        if enc is None:
            r = float('nan') if self.fn else float('inf')
        else:
            r = float(v)
        return -r if neg else r


BF16 = Fmt(8, 7)
E4M3 = Fmt(4, 3, fn=True)
E5M2 = Fmt(5, 2)


def inputs_for(fmt_vals, n, scale_lo, scale_hi):
    """float32 inputs: up to n values of the format (all of a small one)
    with the midpoint to the next one (a tie) and a float32 ulp either side
    of it, random floats over the format's range and beyond, and special
    values."""
    xs = set()
    step = max(1, (len(fmt_vals) - 1) // n)
    for k in range(0, len(fmt_vals) - 1, step):
        (a, _), (b, _) = fmt_vals[k], fmt_vals[k + 1]
        xs.add(float(np.float32(float(a))))
        mid = np.float32(float((a + b) / 2))
        xs.add(float(mid))
        xs.add(float(np.nextafter(mid, np.float32(np.inf))))
        xs.add(float(np.nextafter(mid, np.float32(0))))
    for _ in range(600):
        e = random.uniform(scale_lo, scale_hi)
        xs.add(float(np.float32(random.choice([1, -1]) * 2.0 ** e)))
    for _ in range(300):
        xs.add(float(np.float32(bits_f32(random.getrandbits(32)))))
    xs |= {0.0, float('inf'), 1.0, 2.0 ** -149, 2.0 ** -126, 3.0e38,
           float(np.finfo(np.float32).max)}
    out = []
    for x in sorted({abs(x) for x in xs if x == x}):
        out.append(x)
        out.append(-x)
    out.append(float('nan'))
    out.append(-float('nan'))
    return out


lines = []


def emit(name, xs, ys):
    for x, y in zip(xs, ys):
        lines.append('%s %08x %08x' % (name, f32_bits(x), f32_bits(y)))


# f16 and i8, i4 from NumPy
f16_vals = [(Fraction(float(np.frombuffer(struct.pack('<H', h), np.float16)[0])), h)
            for h in range(0x7c00)]
xs = inputs_for(f16_vals + [(Fraction(65536), None)], 900, -30, 20)
xs += [65504.0, 65519.0, 65519.99, 65520.0, 65536.0, 2.0 ** -25,
       2.0 ** -25 * 1.0000001, 3 * 2.0 ** -26, 2.0 ** -24 * 1.5]
a = np.array(xs, dtype=np.float32)
emit('f16', a.tolist(), a.astype(np.float16).astype(np.float32).tolist())

ints = list(range(-300, 301)) + [x + f for x in range(-140, 141, 7)
                                 for f in (0.25, 0.5, 0.75, 0.999)]
ints += [float(2 ** k + d) for k in range(7, 34) for d in (-129, -1, 0, 1, 129)]
ints += [-v for v in ints]
ints += [float(np.float32(bits_f32(random.getrandbits(32)))) for _ in range(800)]
ints += [float('nan'), float('inf'), -float('inf'), 2.0 ** 31, -(2.0 ** 31),
         2.0 ** 31 - 128, -(2.0 ** 31 - 128), 3e9, -3e9, 1e38]
a = np.array([x for x in ints], dtype=np.float32)
with np.errstate(invalid='ignore'):
    i8 = a.astype(np.int8)
emit('i8', a.tolist(), i8.astype(np.float32).tolist())
i4 = ((i8.astype(np.int32) & 15) ^ 8) - 8
emit('i4', a.tolist(), i4.astype(np.float32).tolist())

# bf16, f8e4m3, f8e5m2 from the definitions
for name, fmt, lo, hi in (('bf16', BF16, -140, 130), ('f8e4m3', E4M3, -12, 11),
                          ('f8e5m2', E5M2, -19, 18)):
    xs = inputs_for(fmt.vals, 900, lo, hi)
    emit(name, xs, [fmt.round(x) for x in xs])

with open('dtype_round.txt', 'w') as f:
    f.write('# made by dtype_round_cases.py: DTYPE INPUT EXPECTED as float32 bits\n')
    f.write('\n'.join(lines) + '\n')
print(len(lines), 'cases')

#!/usr/bin/python3
"""coeffs.py — fits the polynomials of vmath_fn.h and prints vmath_coeffs.h.

Run: /usr/bin/python3 src/vmath/coeffs.py > src/vmath/vmath_coeffs.h
Needs mpmath (Debian: python3-mpmath); only to regenerate, never to build.

Each fit is a near-minimax polynomial found by Lawson's iteration (weighted
least squares in a Chebyshev basis, weights multiplied by the error at each
step) at 50 digits, then expanded into powers of the variable the C code
evaluates and rounded to double or float. The accuracy the C functions
reach with the rounded coefficients is what tests/unit/test-vmath.c
measures; the error printed here is the fit's alone.
"""
import struct
import sys

import mpmath as mp

mp.mp.dps = 50


def cheb_to_mono(co):
    """Coefficients of sum co[j] T_j(u) in powers of u."""
    n = len(co)
    T = [[mp.mpf(1)], [mp.mpf(0), mp.mpf(1)]]
    while len(T) < n:
        p, q = T[-1], T[-2]
        nx = [mp.mpf(0)] + [2 * v for v in p]
        for k, v in enumerate(q):
            nx[k] -= v
        T.append(nx)
    out = [mp.mpf(0)] * n
    for j in range(n):
        for k, v in enumerate(T[j]):
            out[k] += co[j] * v
    return out


def fit(f, a, b, deg, rel, rnd=float, npts=240, iters=40):
    """Powers of (x - centre) and the largest (relative or absolute) error
    on the fitting grid. The centre is rounded by rnd first, so that the C
    code subtracts exactly the centre the fit used."""
    c, h = mp.mpf(rnd((a + b) / 2)), (b - a) / 2
    xs = [c + h * mp.cos(mp.pi * (i + 0.5) / npts) for i in range(npts)]
    xs += [a, b]
    ys = [f(x) for x in xs]
    sc = [abs(y) if rel else mp.mpf(1) for y in ys]
    us = [(x - c) / h for x in xs]
    tj = [[mp.chebyt(j, u) for j in range(deg + 1)] for u in us]
    w = [mp.mpf(1)] * len(xs)
    for _ in range(iters):
        A = mp.matrix(len(xs), deg + 1)
        B = mp.matrix(len(xs), 1)
        for i in range(len(xs)):
            sw = mp.sqrt(w[i]) / sc[i]
            for j in range(deg + 1):
                A[i, j] = sw * tj[i][j]
            B[i] = sw * ys[i]
        co, _ = mp.qr_solve(A, B)
        errs = [abs(sum(co[j] * tj[i][j] for j in range(deg + 1)) - ys[i])
                / sc[i] for i in range(len(xs))]
        s = sum(w[i] * errs[i] for i in range(len(xs)))
        w = [w[i] * errs[i] / s for i in range(len(xs))]
    mono = cheb_to_mono([co[j] for j in range(deg + 1)])
    return [m / h ** k for k, m in enumerate(mono)], c, max(errs)


def shift(coef, c):
    """Powers of (x - c) into powers of x."""
    out = [mp.mpf(0)] * len(coef)
    for k, a in enumerate(coef):
        for j in range(k + 1):
            out[j] += a * mp.binomial(k, j) * (-c) ** (k - j)
    return out


def to_float(v):
    return struct.unpack('f', struct.pack('f', float(v)))[0]


def c_double(v):
    return float(v).hex()


def c_float(v):
    m, e = to_float(v).hex().split('p')
    return m.rstrip('0').rstrip('.') + 'p' + e + 'f'


def emit(name, coef, ctype, err, centre=None):
    conv = c_double if ctype == 'double' else c_float
    print(f'/* fit error {mp.nstr(err, 3)} */')
    if centre is not None:
        print(f'#define {name.upper()}_CENTRE {conv(centre)}')
    print(f'static const {ctype} {name}[{len(coef)}] = {{')
    words = [conv(v) + ',' for v in coef]
    per = 3 if ctype == 'double' else 4
    for i in range(0, len(words), per):
        print('\t' + ' '.join(words[i:i + per]))
    print('};')


def main():
    half_ln2 = mp.log(2) / 2 * mp.mpf('1.002')
    s_max = (mp.sqrt(2) - 1) / (mp.sqrt(2) + 1)
    ez = mp.mpf('0.875') ** 2

    def q_exp(r):  # e^r = 1 + r + r^2 q(r)
        return (mp.exp(r) - 1 - r) / r ** 2 if r else mp.mpf(1) / 2

    def g_log(z):  # log1p(f) = 2 atanh(s) = 2 s + s z g(z), z = s^2
        s = mp.sqrt(z)
        return (2 * mp.atanh(s) - 2 * s) / (s * z) if z else mp.mpf(2) / 3

    def e_erf(z):  # erf(x) = x + x e(x^2)
        x = mp.sqrt(z)
        return mp.erf(x) / x - 1 if z else 2 / mp.sqrt(mp.pi) - 1

    def p_erfc(t):  # erfc(z) = t exp(-z^2 + p(t)), t = 1 / (1 + z/2)
        z = 2 / t - 2
        return mp.log(mp.erfc(z) / t) + z * z

    # gelu's fast form (f32, x ≥ −6): Q(a) = erfc(a/√2)/2
    # = tp·exp(−a²/2 + p(tp)), tp = (K/2)/(K + a), K = 2√2 as a float
    kg = mp.mpf(to_float(2 * mp.sqrt(2)))

    def p_gelu(tp):
        a = kg / 2 / tp - kg
        return mp.log(mp.erfc(a / mp.sqrt(2)) / 2 / tp) + a * a / 2

    print('/* vmath_coeffs.h — the polynomials of vmath_fn.h, written by '
          'coeffs.py. */')
    print('#ifndef MMCALC_VMATH_COEFFS_H\n#define MMCALC_VMATH_COEFFS_H\n')
    # erfc's fit starts where erf's odd polynomial stops (f64), or at 0
    # (f32, where gelu uses erfc alone)
    for ctype, sfx, dexp, dlog, derf, derfc, zmin, zmax, rnd in (
            ('double', 'd', 9, 7, 10, 20, mp.mpf('0.875'), mp.mpf(28),
             float),
            ('float', 'f', 4, 3, 6, 10, mp.mpf(0), mp.mpf('10.5'),
             to_float)):
        c, _, e = fit(q_exp, -half_ln2, half_ln2, dexp, True)
        emit(f'exp_q_{sfx}', c, ctype, e)
        c, cc, e = fit(g_log, mp.mpf(0), s_max ** 2 * mp.mpf('1.001'),
                       dlog, True)
        emit(f'log_g_{sfx}', shift(c, cc), ctype, e)
        c, cc, e = fit(e_erf, mp.mpf(0), ez, derf, False)
        emit(f'erf_e_{sfx}', shift(c, cc), ctype, e)
        tl, th = 1 / (1 + zmax / 2), 1 / (1 + zmin / 2)
        c, cc, e = fit(p_erfc, tl, th, derfc, False, rnd)
        emit(f'erfc_p_{sfx}', c, ctype, e, centre=cc)
        if ctype == 'float':
            c, cc, e = fit(p_gelu, kg / 2 / (kg + 6), mp.mpf('0.5'), 8,
                           False, rnd)
            emit('gelu_p_f', c, ctype, e, centre=cc)
        print()
    print('#endif')


if __name__ == '__main__':
    sys.exit(main())

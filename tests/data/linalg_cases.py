# linalg_cases.py — writes the linalg_*.npy fixtures of tests/unit/test-linalg.c
# and linalg_solve_shapes.tsv with numpy.linalg's answers. Run from this
# directory with a Python that has NumPy (/usr/bin/python3 here, NumPy 1.24):
#     /usr/bin/python3 linalg_cases.py
# Inputs are well conditioned (checked below) so that NumPy's results are
# themselves accurate to far better than the tests' 1e-12 (f64) and 1e-5
# (f32); f32 cases are computed by NumPy in f32.
import numpy as np

rng = np.random.default_rng(20240521)


def save(name, a):
    np.save('linalg_%s.npy' % name, np.ascontiguousarray(a))


def well(*shape, dtype=np.float64):
    """Standard normal, shifted so every matrix in the stack is well
    conditioned: its singular values lie in about [1, 4]."""
    m, n = shape[-2], shape[-1]
    a = rng.standard_normal(shape) / np.sqrt(max(m, n))
    k = min(m, n)
    a[..., np.arange(k), np.arange(k)] += 2.5
    assert np.all(np.linalg.cond(a.astype(np.float64)) < 20)
    return a.astype(dtype)


# qr: block sizes 32 (panels) are crossed; a stack; wide; f32
for name, a in [('qr_tall', well(70, 45)), ('qr_wide', well(45, 70)),
                ('qr_stack', well(2, 3, 6, 4)),
                ('qr_f32', well(70, 45, dtype=np.float32))]:
    q, r = np.linalg.qr(a)
    save(name + '_a', a)
    save(name + '_q', q)
    save(name + '_r', r)

# solve: a vector stack (b has one axis fewer than A), broadcasting matrix
# right-hand sides, a size with several levels of recursion, f32
cases = [
    ('solve_vec', well(3, 40, 40), rng.standard_normal((3, 40))),
    ('solve_bcast', well(2, 40, 40), rng.standard_normal((3, 1, 40, 5))),
    ('solve_big', well(150, 150), rng.standard_normal(150)),
    ('solve_f32', well(40, 40, dtype=np.float32),
     rng.standard_normal((40, 3)).astype(np.float32)),
]
for name, a, b in cases:
    save(name + '_a', a)
    save(name + '_b', b)
    save(name + '_x', np.linalg.solve(a, b))

# inv, det, slogdet (one matrix with a negative determinant at least)
for name, a in [('inv', well(2, 50, 50)),
                ('inv_f32', well(30, 30, dtype=np.float32))]:
    save(name + '_a', a)
    save(name + '_x', np.linalg.inv(a))
a = well(4, 30, 30)
a[1, [0, 1]] = a[1, [1, 0]]
for name, x in [('det', a), ('det_f32', a.astype(np.float32))]:
    sign, logdet = np.linalg.slogdet(x)
    save(name + '_a', x)
    save(name + '_det', np.linalg.det(x))
    save(name + '_sign', sign)
    save(name + '_logdet', logdet)
assert np.any(np.linalg.det(a) < 0)

# cholesky: 150 > the block of 128; the upper triangle is garbage, which
# NumPy (LAPACK 'L') does not read
def spd(*shape, dtype=np.float64):
    g = well(*shape)
    s = g @ np.swapaxes(g, -1, -2)
    return s.astype(dtype)


a = spd(150, 150)
a[np.triu_indices(150, 1)] = rng.standard_normal(150 * 149 // 2)
for name, x in [('chol_big', a), ('chol_stack', spd(3, 20, 20)),
                ('chol_f32', spd(20, 20, dtype=np.float32))]:
    save(name + '_a', x)
    save(name + '_l', np.linalg.cholesky(x))

# svd (reduced): tall, wide, a stack, the QR-first path (m >= 1.6 n), f32;
# singular values 4 down to 1 evenly spaced, so that the vectors (whose
# error goes as eps/gap) are as well determined as the values; and the
# singular values alone of a 150x140 (blocked bidiagonal reduction)
def spaced(*shape, dtype=np.float64):
    m, n, k = shape[-2], shape[-1], min(shape[-2], shape[-1])
    batch = shape[:-2]
    u = np.linalg.qr(rng.standard_normal(batch + (m, k)))[0]
    v = np.linalg.qr(rng.standard_normal(batch + (n, k)))[0]
    s = np.linspace(4, 1, k)
    return ((u * s) @ np.swapaxes(v, -1, -2)).astype(dtype)


for name, a in [('svd_tall', spaced(60, 40)), ('svd_wide', spaced(40, 60)),
                ('svd_stack', spaced(2, 5, 3)), ('svd_qr', spaced(90, 30)),
                ('svd_f32', spaced(60, 40, dtype=np.float32))]:
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    save(name + '_a', a)
    save(name + '_u', u)
    save(name + '_s', s)
    save(name + '_vh', vh)
a = rng.standard_normal((150, 140))
save('svd_big_a', a)
save('svd_big_s', np.linalg.svd(a, compute_uv=False))

# lstsq (rcond=None: eps·max(m, n)): full rank tall with a vector and a
# matrix b, rank deficient (two repeated columns), wide, f32
full = well(50, 20)
deficient = full.copy()
deficient[:, 18] = deficient[:, 2]
deficient[:, 19] = deficient[:, 3] - deficient[:, 5]
for name, a, b in [('lstsq_vec', full, rng.standard_normal(50)),
                   ('lstsq_mat', full, rng.standard_normal((50, 3))),
                   ('lstsq_rank', deficient, rng.standard_normal(50)),
                   ('lstsq_wide', well(20, 50), rng.standard_normal(20)),
                   ('lstsq_f32', well(50, 20, dtype=np.float32),
                    rng.standard_normal(50).astype(np.float32))]:
    x, res, rank, s = np.linalg.lstsq(a, b, rcond=None)
    save(name + '_a', a)
    save(name + '_b', b)
    save(name + '_x', x)
    save(name + '_res', res)
    save(name + '_rank', np.array(rank, dtype=np.float64))
    save(name + '_s', s)

# solve's shape rules: A's shape, b's shape, then the result's shape or
# "error" (NumPy 1.24: b is a stack of vectors when it has one axis fewer
# than A, else a stack of matrices)
shapes = [((3, 3), (3,)), ((3, 3), (3, 2)), ((3, 3), (4,)), ((3, 3), (4, 2)),
          ((3, 3), ()), ((2, 3, 3), (2, 3)), ((2, 3, 3), (3,)),
          ((2, 3, 3), (3, 2)), ((2, 3, 3), (5, 3, 2)), ((2, 3, 3), (2, 3, 2)),
          ((2, 3, 3), (1, 3, 2)), ((2, 3, 3), (4, 2, 3, 1)),
          ((2, 3, 3), (3, 3)), ((4, 1, 3, 3), (2, 3, 1)),
          ((4, 1, 3, 3), (4, 2, 3)), ((3, 3), (2, 3)), ((3, 3), (1, 1, 3, 2)),
          ((2, 3, 3), (3, 3, 1)), ((0, 3, 3), (0, 3)), ((3, 3), (3, 0)),
          ((0, 0), (0,)), ((2, 4), (2,)), ((3,), (3,))]
with open('linalg_solve_shapes.tsv', 'w') as f:
    f.write('# a\tb\tresult (numpy %s)\n' % np.__version__)
    for sa, sb in shapes:
        a = np.zeros(sa)
        if len(sa) >= 2 and sa[-1] == sa[-2]:
            a = a + np.eye(sa[-1])
        try:
            r = 'x'.join(map(str, np.linalg.solve(a, np.ones(sb)).shape))
            r = r or '()'
        except (ValueError, np.linalg.LinAlgError):
            r = 'error'
        fmt = lambda s: 'x'.join(map(str, s)) if s else '()'
        f.write('%s\t%s\t%s\n' % (fmt(sa), fmt(sb), r))

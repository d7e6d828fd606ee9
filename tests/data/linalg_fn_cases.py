# linalg_fn_cases.py — what tests/unit/test-linalg-fn.c checks the
# numpy.linalg built-ins against, beside linalg_cases.py's fixtures:
#   linalg_regression_x.npy  numpy.linalg.lstsq of the seed's regression
#                            (regression_X.npy, regression_y.npy: the
#                            walkthrough's y = X @ w) with rcond=None;
#   linalg_fn_shapes.tsv     NumPy's result shape, or "error", of each
#                            function on generated shapes, stacks
#                            included, as mmcalc expressions.
# Run from this directory with a Python that has NumPy (/usr/bin/python3
# here, NumPy 1.24):
#     /usr/bin/python3 linalg_fn_cases.py
import numpy as np

X = np.load('regression_X.npy')
y = np.load('regression_y.npy')
np.save('linalg_regression_x.npy', np.linalg.lstsq(X, y, rcond=None)[0])

rng = np.random.default_rng(20240602)


def matrix(shape):
    """A well-conditioned matrix of the shape (a stack when it has more
    than 2 axes): the identity plus a little noise where square, so that
    solve, inv and cholesky succeed and only shapes can fail."""
    a = 0.1 * rng.standard_normal(shape)
    if len(shape) >= 2:
        k = min(shape[-2], shape[-1])
        a[..., np.arange(k), np.arange(k)] += 3
        if shape[-1] == shape[-2]:
            a = a @ np.swapaxes(a, -1, -2)  # symmetric positive definite
    return a


functions = {
    'qr': lambda a: np.linalg.qr(a)[0],
    'qr_r': lambda a: np.linalg.qr(a)[1],
    'inv': np.linalg.inv,
    'det': np.linalg.det,
    'slogdet': lambda a: np.linalg.slogdet(a)[1],
    'slogdet_sign': lambda a: np.linalg.slogdet(a)[0],
    'cholesky': np.linalg.cholesky,
    'svd': lambda a: np.linalg.svd(a, compute_uv=False),
    'svdvals': lambda a: np.linalg.svd(a, compute_uv=False),
    'svd_u': lambda a: np.linalg.svd(a, full_matrices=False)[0],
    'svd_vh': lambda a: np.linalg.svd(a, full_matrices=False)[2],
}


def fmt(s):
    if len(s) == 0:
        return '()'
    return '(' + 'x'.join(map(str, s)) + (',)' if len(s) == 1 else ')')


def answer(f, *args):
    try:
        return fmt(np.shape(f(*args)))
    except (ValueError, np.linalg.LinAlgError):
        return 'error'


def shape():
    nd = int(rng.choice([1, 2, 2, 2, 3, 4]))
    lead = tuple(int(rng.integers(1, 4)) for _ in range(nd - 2))
    m = int(rng.integers(1, 6))
    n = m if rng.random() < 0.5 else int(rng.integers(1, 6))
    return (lead + (m, n))[-nd:]


with open('linalg_fn_shapes.tsv', 'w') as out:
    out.write('# expression\tNumPy\'s shape or error (numpy %s)\n'
              % np.__version__)
    for name, f in functions.items():
        for _ in range(12):
            s = shape()
            out.write('%s(%s)\t%s\n' % (name, fmt(s), answer(f, matrix(s))))
    for _ in range(24):
        m, n = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        sa = (m, n) if rng.random() < 0.8 else (2, m, n)
        rows = m if rng.random() < 0.8 else m + 1
        sb = (rows,) if rng.random() < 0.5 else (rows, int(rng.integers(1, 4)))
        out.write('lstsq(%s, %s)\t%s\n' % (
            fmt(sa), fmt(sb),
            answer(lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0],
                   matrix(sa), rng.standard_normal(sb))))

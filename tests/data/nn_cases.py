# nn_cases.py — writes NumPy's answers for the operators of axes, einsum,
# activations, norms, gathers and losses (issue 21), for test-nn.c:
#   nn_shapes.tsv  an mmcalc expression on abstract shapes, TAB, the
#                  result's shape as NumPy gives it (4x5), (3,), () or
#                  "error" when NumPy raises
#   nn_views.tsv   shape, permutation, new shape, TAB, "view" when NumPy's
#                  reshape of the permuted array shares its memory, else
#                  "copy"
#   nn_values.tsv  a name, the dtypes of the inputs and of the result
#                  (f64/f64; f32 ones computed in f32), an expression
#                  over named inputs, the inputs as
#                  NAME=SHAPE:VALUES;... and the expected result as
#                  SHAPE:VALUES (2x3:1,2,3,4,5,6; values exact in their
#                  dtype)
# Run from this directory with a Python that has NumPy (/usr/bin/python3
# here, NumPy 1.24):
#     /usr/bin/python3 nn_cases.py
# NumPy has no rmsnorm, gelu, silu, cross_entropy or embedding: those
# references are written here in NumPy the way PyTorch defines them
# (torch.nn.functional), in float64, and the f32 ones rounded from them.
import os
import numpy as np

rng = np.random.default_rng(20250121)
shape_cases = []


def sh(s):
    """NumPy's shape as mmcalc's tests write it: (4x5), (3,), ()."""
    s = tuple(s)
    if len(s) == 1:
        return '(%d,)' % s[0]
    return '(' + 'x'.join(str(d) for d in s) + ')'


def lit(s):
    """An abstract operand of this shape, as mmcalc reads it."""
    s = tuple(s)
    if len(s) == 0:
        return '()'
    if len(s) == 1:
        return '(%d,)' % s[0]
    return '(' + ' x '.join(str(d) for d in s) + ')'


def tup(t):
    t = tuple(t)
    if len(t) == 1:
        return '(%d,)' % t[0]
    return '(%s)' % ', '.join(str(v) for v in t)


def case(expr, fn):
    try:
        r = fn()
        shape_cases.append((expr, sh(np.shape(r))))
    except (ValueError, IndexError, TypeError, np.AxisError):
        shape_cases.append((expr, 'error'))


def rshape(nd, lo=1, hi=5):
    return tuple(int(v) for v in rng.integers(lo, hi, size=nd))


def z(s):
    return np.zeros(s)


# ---- axes ----
for _ in range(40):
    s = rshape(int(rng.integers(1, 5)))
    p = list(rng.permutation(len(s)))
    if rng.random() < 0.3:  # negative axes
        p = [a - len(s) if rng.random() < 0.5 else a for a in p]
    if rng.random() < 0.15:  # a wrong permutation
        p = p[:-1] if rng.random() < 0.5 else p[:-1] + [p[0]]
    case('permute(%s, %s)' % (lit(s), tup(p)),
         lambda s=s, p=p: np.transpose(z(s), p))
    case('transpose(%s, %s)' % (lit(s), tup(p)),
         lambda s=s, p=p: np.transpose(z(s), p))
for _ in range(20):
    s = rshape(int(rng.integers(1, 4)))
    a, b = (int(v) for v in rng.integers(-4, 4, size=2))
    case('swapaxes(%s, %d, %d)' % (lit(s), a, b),
         lambda s=s, a=a, b=b: np.swapaxes(z(s), a, b))
for _ in range(30):
    s = rshape(int(rng.integers(0, 4)))
    k = int(rng.integers(1, 3))
    ax = [int(v) for v in rng.integers(-len(s) - k - 1, len(s) + k + 1, size=k)]
    case('expand_dims(%s, %s)' % (lit(s), tup(ax)),
         lambda s=s, ax=ax: np.expand_dims(z(s), tuple(ax)))
for _ in range(30):
    s = tuple(1 if rng.random() < 0.5 else int(v) for v in rshape(
        int(rng.integers(0, 5))))
    if rng.random() < 0.3:
        case('squeeze(%s)' % lit(s), lambda s=s: np.squeeze(z(s)))
        continue
    k = int(rng.integers(1, 3))
    ax = [int(v) for v in rng.integers(-len(s) - 1, len(s) + 1, size=k)]
    case('squeeze(%s, %s)' % (lit(s), tup(ax)),
         lambda s=s, ax=ax: np.squeeze(z(s), tuple(ax)))
for _ in range(30):
    s = rshape(int(rng.integers(1, 4)), 1, 5)
    n = int(np.prod(s))
    t = list(rshape(int(rng.integers(1, 4)), 1, 5))
    if rng.random() < 0.6:  # mostly a valid target, one dim inferred
        t[-1] = max(1, n // max(1, int(np.prod(t[:-1]))))
        if rng.random() < 0.5:
            t[int(rng.integers(0, len(t)))] = -1
    case('reshape(%s, %s)' % (lit(s), tup(t)),
         lambda s=s, t=t: np.reshape(z(s), t))


def index_text(items):
    out = []
    for it in items:
        if it is None:
            out.append('None')
        elif isinstance(it, slice):
            out.append('%s:%s%s' % ('' if it.start is None else it.start,
                                    '' if it.stop is None else it.stop,
                                    '' if it.step is None else ':%d' % it.step))
        else:
            out.append(str(it))
    return ', '.join(out)


for _ in range(30):
    s = rshape(int(rng.integers(1, 4)))
    items = []
    for _ in range(int(rng.integers(1, 5))):
        u = rng.random()
        if u < 0.4:
            items.append(None)
        elif u < 0.7:
            items.append(int(rng.integers(-3, 3)))
        else:
            items.append(slice(None, int(rng.integers(1, 4)), None))
    case('%s[%s]' % (lit(s), index_text(items)),
         lambda s=s, items=items: z(s)[tuple(items)])

# ---- reductions over several axes, argmax, logsumexp ----
def lse(a, axis=None, keepdims=False):
    """scipy.special.logsumexp's definition (NumPy has none)."""
    a = np.asarray(a)
    m = np.amax(a, axis=axis, keepdims=True) if a.size else np.float64(0)
    m = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide='ignore'):
        r = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
    return r if keepdims else np.squeeze(r, axis=axis)


for _ in range(50):
    s = rshape(int(rng.integers(1, 5)), 0 if rng.random() < 0.1 else 1, 5)
    k = int(rng.integers(0, len(s) + 1))
    ax = [int(v) for v in rng.integers(-len(s), len(s), size=k)]
    if rng.random() < 0.1:
        ax.append(len(s))  # out of range
    kd = bool(rng.random() < 0.3)
    fn = ['sum', 'mean', 'max', 'min'][int(rng.integers(0, 4))]
    case('%s(%s, axis=%s%s)' % (fn, lit(s), tup(ax),
                                ', keepdims=true' if kd else ''),
         lambda s=s, ax=ax, kd=kd, fn=fn:
         getattr(np, 'a' + fn if fn in ('max', 'min') else fn)(
             z(s), axis=tuple(ax), keepdims=kd))
    case('logsumexp(%s, axis=%s%s)' % (lit(s), tup(ax),
                                       ', keepdims=true' if kd else ''),
         lambda s=s, ax=ax, kd=kd: lse(z(s), axis=tuple(ax), keepdims=kd))
for _ in range(20):
    s = rshape(int(rng.integers(1, 4)), 0 if rng.random() < 0.1 else 1, 5)
    a = int(rng.integers(-len(s) - 1, len(s) + 1))
    kd = bool(rng.random() < 0.3)
    case('argmax(%s, axis=%d%s)' % (lit(s), a, ', keepdims=true' if kd
                                    else ''),
         lambda s=s, a=a, kd=kd: np.argmax(z(s), axis=a, keepdims=kd))

# ---- maximum, minimum, where, clip: broadcasting; tril, triu ----
def bshape(base):
    """A shape that broadcasts against base most of the time."""
    s = list(base[int(rng.integers(0, len(base) + 1)):])
    s = [1 if rng.random() < 0.3 else d for d in s]
    if rng.random() < 0.15 and s:
        s[int(rng.integers(0, len(s)))] += 1  # a misfit
    if rng.random() < 0.2:
        s = [int(rng.integers(1, 3))] + s
    return tuple(s)


for _ in range(40):
    a = rshape(int(rng.integers(0, 4)))
    b = bshape(a)
    fn = 'maximum' if rng.random() < 0.5 else 'minimum'
    case('%s(%s, %s)' % (fn, lit(a), lit(b)),
         lambda a=a, b=b, fn=fn: getattr(np, fn)(z(a), z(b)))
    c = bshape(a)
    case('where(%s, %s, %s)' % (lit(c), lit(a), lit(b)),
         lambda a=a, b=b, c=c: np.where(z(c), z(a), z(b)))
    case('clip(%s, %s, %s)' % (lit(a), lit(b), lit(c)),
         lambda a=a, b=b, c=c: np.clip(z(a), z(b), z(c)))
for _ in range(10):
    a = rshape(int(rng.integers(2, 5)))
    k = int(rng.integers(-3, 4))
    case('tril(%s, %d)' % (lit(a), k), lambda a=a, k=k: np.tril(z(a), k))
    case('triu(%s, k=%d)' % (lit(a), k), lambda a=a, k=k: np.triu(z(a), k))

# ---- norms and swiglu (PyTorch's definitions, written in NumPy) ----
def silu(a):
    return a / (1 + np.exp(-a))


def swiglu(x, w1, w3):
    return silu(x @ w1) * (x @ w3)


def rmsnorm(x, w=None, eps=None):
    if eps is None:
        eps = np.finfo(x.dtype).eps
    y = x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps)
    return y if w is None else y * w


def layernorm(x, w=None, b=None, eps=1e-5):
    mu = np.mean(x, axis=-1, keepdims=True)
    y = (x - mu) / np.sqrt(np.mean((x - mu) ** 2, axis=-1, keepdims=True)
                           + eps)
    return y * (1 if w is None else w) + (0 if b is None else b)


def weight_like(s, ok=0.8):
    n = s[-1] if len(s) else 1
    if rng.random() > ok:
        n += 1
    return (n,)


def check_affine(s, *ws):
    """PyTorch's rule: the weight's shape is the normalised shape."""
    if len(s) == 0:
        raise ValueError('no axis')
    for w in ws:
        if tuple(w) != (s[-1],):
            raise ValueError('weight')
    return np.zeros(s)


for _ in range(15):
    s = rshape(int(rng.integers(0, 4)))
    w = weight_like(s)
    case('rmsnorm(%s, %s)' % (lit(s), lit(w)),
         lambda s=s, w=w: check_affine(s, w))
    b = weight_like(s, 0.9)
    case('layernorm(%s, %s, %s)' % (lit(s), lit(w), lit(b)),
         lambda s=s, w=w, b=b: check_affine(s, w, b))
for _ in range(25):
    x = rshape(int(rng.integers(1, 4)))
    f = int(rng.integers(1, 5))
    w1 = (x[-1] + (1 if rng.random() < 0.15 else 0), f)
    w3 = (w1[0], f + (1 if rng.random() < 0.15 else 0))
    case('swiglu(%s, %s, %s)' % (lit(x), lit(w1), lit(w3)),
         lambda x=x, w1=w1, w3=w3: swiglu(z(x), z(w1), z(w3)))

# ---- take, embedding, cross_entropy ----
def embedding(ids, table):
    """torch.nn.functional.embedding's rule: a 2-D table, rows by id."""
    if table.ndim != 2:
        raise ValueError('table')
    return np.take(table, ids.astype(np.int64), axis=0)


def cross_entropy(logits, targets, reduction='mean', ignore=-100):
    """torch.nn.functional.cross_entropy with class-index targets."""
    cax = 0 if logits.ndim == 1 else 1
    want = logits.shape[:cax] + logits.shape[cax + 1:]
    if logits.ndim == 0 or targets.shape != want:
        raise ValueError('targets')
    lp = logits - lse(logits, axis=cax, keepdims=True)
    t = targets.astype(np.int64)
    keep = t != ignore
    tt = np.where(keep, t, 0)
    picked = np.take_along_axis(lp, np.expand_dims(tt, cax), axis=cax)
    loss = np.where(keep, -np.squeeze(picked, cax), 0)
    if reduction == 'none':
        return loss
    if reduction == 'sum':
        return loss.sum()
    return loss.sum() / keep.sum()


for _ in range(25):
    t = rshape(int(rng.integers(1, 4)))
    ids = rshape(int(rng.integers(0, 3)))
    ax = int(rng.integers(-len(t) - 1, len(t) + 1))
    case('take(%s, %s, axis=%d)' % (lit(t), lit(ids), ax),
         lambda t=t, ids=ids, ax=ax: np.take(z(t), np.zeros(ids, np.int64),
                                             axis=ax))
    case('embedding(%s, %s)' % (lit(ids), lit(t)),
         lambda t=t, ids=ids: embedding(z(ids), z(t)))
for _ in range(25):
    lg = rshape(int(rng.integers(1, 4)))
    tg = lg[:1] + lg[2:] if len(lg) > 1 else ()
    if rng.random() < 0.3:
        tg = bshape(tg) if tg else (2,)
    red = ['mean', 'sum', 'none'][int(rng.integers(0, 3))]
    case('cross_entropy(%s, %s, reduction="%s")' % (lit(lg), lit(tg), red),
         lambda lg=lg, tg=tg, red=red: cross_entropy(z(lg), z(tg), red))

# ---- einsum ----
LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'


def einsum_case(n_ops=None):
    """A random einsum of one or two operands (or n_ops): letters with
    sizes, shared ones contracted or kept, sometimes '...', a diagonal, a
    size of 1 broadcast, an implicit output, or a misfit."""
    if n_ops is None:
        n_ops = 1 if rng.random() < 0.25 else 2
    pool = list(rng.choice(list(LETTERS), size=6, replace=False))
    size = {c: int(rng.integers(1, 5)) for c in pool}
    terms, shapes = [], []
    ell = rng.random() < 0.2
    eshape = rshape(int(rng.integers(0, 3)))
    for k in range(n_ops):
        t = list(rng.choice(pool, size=int(rng.integers(0, 4)),
                            replace=False))
        if t and rng.random() < 0.1:
            t.append(t[0])  # a diagonal
        sh = [size[c] for c in t]
        if sh and rng.random() < 0.1:
            sh[int(rng.integers(0, len(sh)))] = 1  # broadcast
        if sh and rng.random() < 0.08:
            sh[int(rng.integers(0, len(sh)))] += 1  # a misfit
        if ell:
            cut = int(rng.integers(0, len(eshape) + 1))
            t.insert(int(rng.integers(0, len(t) + 1)), '...')
            pos = t.index('...')
            sh[pos:pos] = list(eshape[cut:])
        terms.append(''.join(t))
        shapes.append(tuple(sh))
    spec = ','.join(terms)
    if rng.random() < 0.6:
        used = sorted({c for t in terms for c in t if c != '.'})
        out = list(rng.choice(used, size=int(rng.integers(0, len(used) + 1)),
                              replace=False)) if used else []
        if ell and rng.random() < 0.9:
            out.insert(int(rng.integers(0, len(out) + 1)), '...')
        if rng.random() < 0.05:
            out.append('z')  # not in an operand
        spec += '->' + ''.join(out)
    return spec, shapes


for _ in range(120):
    spec, shapes = einsum_case()
    case('einsum("%s", %s)' % (spec, ', '.join(lit(x) for x in shapes)),
         lambda spec=spec, shapes=shapes:
         np.einsum(spec, *[z(x) for x in shapes]))

# ---- comparisons (added after the cases above, with their own stream,
# so that those stay as they were) ----
rng2 = np.random.default_rng(20261202)
CMP = ['greater', 'greater_equal', 'less', 'less_equal', 'equal',
       'not_equal']
for _ in range(30):
    rng, rng2 = rng2, rng  # bshape and rshape draw from rng
    a = rshape(int(rng.integers(0, 4)))
    b = bshape(a)
    fn = CMP[int(rng.integers(0, len(CMP)))]
    if rng.random() < 0.5:
        a, b = b, a
    rng, rng2 = rng2, rng
    case('%s(%s, %s)' % (fn, lit(a), lit(b)),
         lambda a=a, b=b, fn=fn: getattr(np, fn)(z(a), z(b)))

# einsum of three to five operands, contracted two at a time
for _ in range(60):
    rng, rng2 = rng2, rng
    spec, shapes = einsum_case(int(rng.integers(3, 6)))
    rng, rng2 = rng2, rng
    case('einsum("%s", %s)' % (spec, ', '.join(lit(x) for x in shapes)),
         lambda spec=spec, shapes=shapes:
         np.einsum(spec, *[z(x) for x in shapes]))

# ---- reshape of permuted arrays: a view or a copy ----
view_cases = []
for _ in range(60):
    s = rshape(int(rng.integers(1, 5)), 1, 5)
    p = [int(v) for v in rng.permutation(len(s))]
    a = np.zeros(s).transpose(p)
    n = a.size
    t = []
    left = n
    while left > 1 and len(t) < 4:
        divs = [d for d in range(1, left + 1) if left % d == 0]
        d = divs[int(rng.integers(0, len(divs)))]
        t.append(d)
        left //= d
    t.append(left)
    r = a.reshape(t)
    view_cases.append((' '.join(str(d) for d in s), ' '.join(map(str, p)),
                       ' '.join(map(str, t)),
                       'view' if np.shares_memory(a, r) else 'copy'))

# ---- values ----
value_cases = []


def enc(a):
    """SHAPE:VALUES, the shape as 2x3x4 ('' for 0-d), the values in C order
    with enough digits to be exact in their dtype."""
    a = np.asarray(a)
    fmt = '%.17g' if a.dtype == np.float64 else '%.9g'
    return '%s:%s' % ('x'.join(str(d) for d in a.shape),
                      ','.join(fmt % v for v in a.ravel()))


def tag(a):
    return 'f64' if np.asarray(a).dtype == np.float64 else 'f32'


def value(name, expr, inputs, want):
    """inputs: {NAME: array}, all of one dtype; the expression sees them
    under NAME; the result must have want's dtype."""
    dts = {tag(v) for v in inputs.values()}
    assert len(dts) == 1, name
    value_cases.append((name, '%s/%s' % (dts.pop(), tag(want)), expr,
                        ';'.join('%s=%s' % (k, enc(v))
                                 for k, v in inputs.items()),
                        enc(want)))


def einsum_value(spec, shapes, gen, dt, dtag):
    """An einsum's case: operands A, B, ... of these shapes drawn from
    gen, NumPy's result computed in float64."""
    ops = {'ABCDE'[k]: gen.standard_normal(x).astype(dt)
           for k, x in enumerate(shapes)}
    want = np.einsum(spec, *[v.astype(np.float64) for v in ops.values()])
    value('einsum_%s_%s' % (spec.replace(',', '_').replace('->', '_to_')
                            .replace('...', 'E'), dtag),
          'einsum("%s", %s)' % (spec, ', '.join(ops)), ops,
          np.asarray(want).astype(dt))


for dt, dtag in ((np.float64, 'f64'), (np.float32, 'f32')):
    x = rng.standard_normal((2, 3, 4)).astype(dt)
    value('permute_%s' % dtag, 'permute(X, 2, 0, 1)', {'X': x},
          np.transpose(x, (2, 0, 1)))
    value('reshape_perm_%s' % dtag, 'reshape(permute(X, 1, 0, 2), (3, 8))',
          {'X': x}, np.transpose(x, (1, 0, 2)).reshape(3, 8))
    value('newaxis_%s' % dtag, 'X[None, 1, :, None]', {'X': x},
          x[None, 1, :, None])
    value('squeeze_%s' % dtag, 'squeeze(expand_dims(X, (0, 2)), 0)',
          {'X': x}, np.squeeze(np.expand_dims(x, (0, 2)), 0))

    x = rng.standard_normal((3, 4, 5)).astype(dt)
    value('sum_axes_%s' % dtag, 'sum(X, axis=(0, -1))', {'X': x},
          np.sum(x, axis=(0, -1)))
    value('mean_axes_%s' % dtag, 'mean(X, axis=(2, 0), keepdims=true)',
          {'X': x}, np.mean(x, axis=(2, 0), keepdims=True))
    xn = x.copy()
    xn[1, 2, 3] = np.nan
    value('max_axes_nan_%s' % dtag, 'max(X, axis=(0, 1))', {'X': xn},
          np.amax(xn, axis=(0, 1)))
    value('min_axes_%s' % dtag, 'min(X, axis=(1, 2))', {'X': x},
          np.amin(x, axis=(1, 2)))
    value('norm_axes_%s' % dtag, 'norm(X, axis=(0, 2))', {'X': x},
          np.sqrt(np.sum(x.astype(np.float64) ** 2, axis=(0, 2))).astype(dt))
    t = np.array([[1, 5, 5, 0], [np.nan, 2, np.nan, 9], [3, 3, 3, 3]], dt)
    value('argmax_%s' % dtag, 'argmax(X, axis=1)', {'X': t},
          np.argmax(t, axis=1).astype(np.float64))
    value('argmax_all_%s' % dtag, 'argmax(X, axis=0, keepdims=true)',
          {'X': x}, np.argmax(x, axis=0, keepdims=True).astype(np.float64))
    value('logsumexp_%s' % dtag, 'logsumexp(X, axis=(0, 2))', {'X': x},
          lse(x.astype(np.float64), axis=(0, 2)).astype(dt))
    li = np.array([[0, -np.inf, 1], [-np.inf, -np.inf, -np.inf],
                   [np.inf, 0, 2], [1000, 1000, -5]], dt)
    value('logsumexp_inf_%s' % dtag, 'logsumexp(X, axis=-1)', {'X': li},
          lse(li.astype(np.float64), axis=-1).astype(dt))
    a = np.array([[1, -2, np.nan], [0.5, 7, -0.0]], dt)
    b = np.array([np.nan, 3, -1], dt)
    value('maximum_%s' % dtag, 'maximum(A, B)', {'A': a, 'B': b},
          np.maximum(a, b))
    value('minimum_%s' % dtag, 'minimum(B, A)', {'A': a, 'B': b},
          np.minimum(b, a))
    cnd = np.array([[1], [0]], dt)
    value('where_%s' % dtag, 'where(C, A, B)', {'C': cnd, 'A': a, 'B': b},
          np.where(cnd, a, b))
    lo = np.array([0, 5, -3], dt)
    value('clip_%s' % dtag, 'clip(A, L, 2)', {'A': a, 'L': lo},
          np.clip(a, lo, np.array(2, dt)))
    m = rng.standard_normal((2, 3, 4)).astype(dt)
    value('tril_%s' % dtag, 'tril(M, -1)', {'M': m}, np.tril(m, -1))
    value('triu_%s' % dtag, 'triu(M, k=2)', {'M': m}, np.triu(m, 2))
    x = (rng.standard_normal((2, 3, 8)) * 2).astype(dt)
    w = rng.standard_normal(8).astype(dt)
    bb = rng.standard_normal(8).astype(dt)
    x64 = x.astype(np.float64)
    value('rmsnorm_%s' % dtag, 'rmsnorm(X, weight=W)', {'X': x, 'W': w},
          rmsnorm(x64, w.astype(np.float64),
                  np.finfo(dt).eps).astype(dt))
    value('rmsnorm_eps_%s' % dtag, 'rmsnorm(X, eps=0.5)', {'X': x},
          rmsnorm(x64, None, 0.5).astype(dt))
    value('layernorm_%s' % dtag, 'layernorm(X, W, B)',
          {'X': x, 'W': w, 'B': bb},
          layernorm(x64, w.astype(np.float64),
                    bb.astype(np.float64)).astype(dt))
    g = np.linspace(-6, 6, 25).astype(dt)
    value('gelu_tanh_%s' % dtag, 'gelu(X, approximate="tanh")', {'X': g},
          (0.5 * g.astype(np.float64) * (1 + np.tanh(
              np.sqrt(2 / np.pi) * (g.astype(np.float64) + 0.044715 *
                                    g.astype(np.float64) ** 3)))).astype(dt))
    xs = rng.standard_normal((2, 3, 5)).astype(dt)
    w1 = (rng.standard_normal((5, 7)) / 2).astype(dt)
    w3 = (rng.standard_normal((5, 7)) / 2).astype(dt)
    value('swiglu_%s' % dtag, 'swiglu(X, W1, W3)',
          {'X': xs, 'W1': w1, 'W3': w3},
          swiglu(xs.astype(np.float64), w1.astype(np.float64),
                 w3.astype(np.float64)).astype(dt))
    value('dropout_eval_%s' % dtag, 'dropout(X, 0.3)', {'X': xs}, xs)
    tab = rng.standard_normal((6, 4)).astype(dt)
    ids = np.array([[5, 0, 2], [2, 2, 1]], dt)
    value('embedding_%s' % dtag, 'embedding(I, T)', {'I': ids, 'T': tab},
          embedding(ids, tab))
    cube = rng.standard_normal((3, 4, 5)).astype(dt)
    tid = np.array([[-1, 0], [3, -4]], dt)
    value('take_%s' % dtag, 'take(X, I, axis=1)', {'X': cube, 'I': tid},
          np.take(cube, tid.astype(np.int64), axis=1))
    lg = (rng.standard_normal((4, 7)) * 3).astype(dt)
    tg = np.array([6, 0, 3, 3], dt)
    l64 = lg.astype(np.float64)
    value('ce_mean_%s' % dtag, 'cross_entropy(L, T)', {'L': lg, 'T': tg},
          np.array(cross_entropy(l64, tg), dt))
    value('ce_sum_%s' % dtag, 'cross_entropy(L, T, reduction="sum")',
          {'L': lg, 'T': tg}, np.array(cross_entropy(l64, tg, 'sum'), dt))
    ti = np.array([6, -100, 3, -100], dt)
    value('ce_ignore_%s' % dtag, 'cross_entropy(L, T)', {'L': lg, 'T': ti},
          np.array(cross_entropy(l64, ti), dt))
    lg3 = (rng.standard_normal((2, 5, 3)) * 2).astype(dt)
    tg3 = np.array([[4, 0, 1], [2, 2, 3]], dt)
    value('ce_none_%s' % dtag, 'cross_entropy(L, T, reduction=none)',
          {'L': lg3, 'T': tg3},
          cross_entropy(lg3.astype(np.float64), tg3, 'none').astype(dt))
    v1 = (rng.standard_normal(5) * 2).astype(dt)
    value('ce_1d_%s' % dtag, 'cross_entropy(L, 2)', {'L': v1},
          np.array(cross_entropy(v1.astype(np.float64), np.array(2)), dt))
    for spec, shapes in [
            ('ij,jk->ik', [(5, 6), (6, 7)]),
            ('bhqd,bhkd->bhqk', [(2, 3, 4, 5), (2, 3, 6, 5)]),
            ('bqhd,bkhd->bhqk', [(2, 4, 3, 5), (2, 6, 3, 5)]),
            ('bhqk,bhkd->bqhd', [(2, 3, 4, 6), (2, 3, 6, 5)]),
            ('ij,ij->ij', [(3, 4), (3, 4)]),
            ('i,j->ji', [(3,), (4,)]),
            ('bi,bi->b', [(5, 4), (5, 4)]),
            ('i,i', [(7,), (7,)]),
            ('ii', [(4, 4)]),
            ('ii->i', [(4, 4)]),
            ('ijk->kj', [(2, 3, 4)]),
            ('ij->', [(3, 4)]),
            ('iij->j', [(3, 3, 2)]),
            ('...ij,...jk', [(2, 1, 3, 4), (5, 4, 2)]),
            ('ij,jk', [(3, 1), (4, 5)]),
            ('ij,jk->k', [(3, 4), (4, 5)]),
            ('ii,i->i', [(3, 3), (3,)]),
            ('abc,cd->dba', [(2, 3, 4), (4, 5)]),
            ('Ab,bC', [(3, 4), (4, 2)]),
            ('ij,jk->ik', [(2, 0), (0, 3)]),
            ('bi,bi->b', [(0, 4), (0, 4)]),
            ('ij,jk', [(40, 70), (70, 30)])]:
        einsum_value(spec, shapes, rng, dt, dtag)

# comparisons, silu, gelu, swapaxes, expand_dims and layernorm without
# weights, from their own stream (the cases above stay as they were)
rng3 = np.random.default_rng(20261203)
for dt, dtag in ((np.float64, 'f64'), (np.float32, 'f32')):
    a = np.array([[1, -2, np.nan, 0.25], [0.5, 7, -0.0, 3]], dt)
    b = np.array([0.5, -2, 1, np.nan], dt)
    for fn in CMP:
        value('%s_%s' % (fn, dtag), '%s(A, B)' % fn, {'A': a, 'B': b},
              getattr(np, fn)(a, b).astype(dt))
    value('where_greater_%s' % dtag, 'where(greater(A, 0), A, 0.1)',
          {'A': a}, np.where(np.greater(a, 0), a, dt(0.1)))
    g = np.linspace(-8, 8, 33).astype(dt)
    g64 = g.astype(np.float64)
    value('silu_%s' % dtag, 'silu(X)', {'X': g}, silu(g64).astype(dt))
    from math import erf
    value('gelu_%s' % dtag, 'gelu(X)', {'X': g},
          np.array([0.5 * v * (1 + erf(v / np.sqrt(2))) for v in g64])
          .astype(dt))
    x = rng3.standard_normal((2, 3, 4)).astype(dt)
    value('swapaxes_%s' % dtag, 'swapaxes(X, 0, -1)', {'X': x},
          np.swapaxes(x, 0, -1))
    value('expand_dims_%s' % dtag, 'expand_dims(X, (0, 3))', {'X': x},
          np.expand_dims(x, (0, 3)))
    value('layernorm_plain_%s' % dtag, 'layernorm(X)', {'X': x},
          layernorm(x.astype(np.float64)).astype(dt))
    for spec, shapes in [
            ('ij,jk,kl->il', [(3, 4), (4, 5), (5, 2)]),
            ('bi,bj,bk->bijk', [(2, 3), (2, 4), (2, 2)]),
            ('i,i,i', [(5,), (5,), (5,)]),
            ('ij,j,jk', [(3, 4), (4,), (4, 6)]),
            ('...ij,jk,...k->...i', [(2, 3, 4), (4, 5), (1, 5)]),
            ('ab,bc,cd,da->', [(3, 4), (4, 2), (2, 5), (5, 3)]),
            ('bhqd,bhkd,bhkv->bhqv', [(2, 2, 3, 4), (2, 2, 5, 4),
                                      (2, 2, 5, 3)])]:
        einsum_value(spec, shapes, rng3, dt, dtag)

with open('nn_shapes.tsv', 'w') as f:
    f.write('# expr\tnumpy %s\n' % np.__version__)
    for e, r in shape_cases:
        f.write('%s\t%s\n' % (e, r))
with open('nn_views.tsv', 'w') as f:
    f.write('# shape\tpermutation\tnew shape\tnumpy %s\n' % np.__version__)
    for c in view_cases:
        f.write('\t'.join(c) + '\n')
with open('nn_values.tsv', 'w') as f:
    f.write('# name\tdtypes\texpr\tinputs\twant\n')
    for c in value_cases:
        f.write('\t'.join(c) + '\n')
print('%d shape cases, %d view cases, %d value cases' % (
    len(shape_cases), len(view_cases), len(value_cases)))

# conv_cases.py — writes the conv_*.npy fixtures of tests/unit/test-conv.c,
# conv_cases.tsv (their parameters) and conv_shapes.tsv (shapes and
# errors). Run from this directory with a Python that has NumPy
# (/usr/bin/python3 here, NumPy 1.24):
#     /usr/bin/python3 conv_cases.py
# PyTorch is not installed: its definitions are written here in NumPy,
# independently of mmcalc's C code —
#   conv2d: torch.nn.functional.conv2d, a cross-correlation (no flip) of
#     zero-padded NCHW input with OIHW weights, groups splitting the
#     channels, plus a bias per output channel;
#   max_pool2d: the largest of each (dilated) window, padding as -inf,
#     NaN winning;
#   avg_pool2d: the window's sum over the divisor ATen's AvgPool2d kernel
#     uses (the window clipped to the padded input when count_include_pad,
#     else to the input);
#   the output sizes and errors of ATen's conv_shape_check and
#     pooling_output_shape / pool2d_shape_check.
# Values are computed in f64; an f32 case's inputs are f32 numbers and its
# reference is the f64 result rounded to f32.
import numpy as np

rng = np.random.default_rng(20240601)


def out_size(n, k, s, lo, hi, d, ceil=False):
    span = n + lo + hi - d * (k - 1) - 1
    if not ceil:
        return span // s + 1
    o = -(-span // s) + 1
    if (o - 1) * s >= n + lo:
        o -= 1
    return o


def conv2d(x, w, b, stride, lo, hi, dil, groups):
    unbatched = x.ndim == 3
    if unbatched:
        x = x[None]
    n, c, h, wd = x.shape
    co, cg, kh, kw = w.shape
    ho = out_size(h, kh, stride[0], lo[0], hi[0], dil[0])
    wo = out_size(wd, kw, stride[1], lo[1], hi[1], dil[1])
    xp = np.pad(x.astype(np.float64),
                ((0, 0), (0, 0), (lo[0], hi[0]), (lo[1], hi[1])))
    out = np.zeros((n, co, ho, wo))
    cog = co // groups
    for g in range(groups):
        xg = xp[:, g * cg:(g + 1) * cg]
        wg = w[g * cog:(g + 1) * cog].astype(np.float64)
        for i in range(kh):
            for j in range(kw):
                a, bb = i * dil[0], j * dil[1]
                patch = xg[:, :, a:a + stride[0] * (ho - 1) + 1:stride[0],
                           bb:bb + stride[1] * (wo - 1) + 1:stride[1]]
                out[:, g * cog:(g + 1) * cog] += np.einsum(
                    'nchw,oc->nohw', patch, wg[:, :, i, j])
    if b is not None:
        out += b.astype(np.float64)[None, :, None, None]
    return out[0] if unbatched else out


def pool2d(kind, x, k, stride, pad, dil, ceil, include_pad):
    unbatched = x.ndim == 3
    if unbatched:
        x = x[None]
    n, c, h, w = x.shape
    ho = out_size(h, k[0], stride[0], pad[0], pad[0], dil[0], ceil)
    wo = out_size(w, k[1], stride[1], pad[1], pad[1], dil[1], ceil)
    x = x.astype(np.float64)
    out = np.zeros((n, c, ho, wo))
    for oh in range(ho):
        for ow in range(wo):
            h0, w0 = oh * stride[0] - pad[0], ow * stride[1] - pad[1]
            if kind == 'max':
                vals = [x[:, :, ih, iw]
                        for ih in range(h0, h0 + dil[0] * k[0], dil[0])
                        for iw in range(w0, w0 + dil[1] * k[1], dil[1])
                        if 0 <= ih < h and 0 <= iw < w]
                out[:, :, oh, ow] = np.max(np.stack(vals), axis=0)
                continue
            h1, w1 = min(h0 + k[0], h + pad[0]), min(w0 + k[1], w + pad[1])
            size = (h1 - h0) * (w1 - w0)
            h0, w0, h1, w1 = max(h0, 0), max(w0, 0), min(h1, h), min(w1, w)
            s = x[:, :, h0:h1, w0:w1].sum(axis=(2, 3))
            out[:, :, oh, ow] = s / (size if include_pad
                                     else (h1 - h0) * (w1 - w0))
    return out[0] if unbatched else out


def save(name, a):
    np.save('conv_%s.npy' % name, np.ascontiguousarray(a))


def randn(shape, dtype):
    return rng.standard_normal(shape).astype(dtype)


# name, x shape, w shape, bias, stride, pad lo, pad hi, dilation, groups,
# same (padding="same": lo/hi then say what it is), dtype
conv = [
    ('basic', (2, 3, 7, 7), (4, 3, 3, 3), True, (1, 1), (1, 1), (1, 1),
     (1, 1), 1, 0, np.float64),
    ('strided', (2, 3, 11, 9), (5, 3, 3, 2), False, (2, 3), (1, 2), (1, 2),
     (2, 1), 1, 0, np.float64),
    ('groups', (1, 4, 8, 8), (6, 2, 3, 3), True, (1, 1), (0, 0), (0, 0),
     (1, 1), 2, 0, np.float64),
    ('depthwise', (2, 3, 9, 9), (6, 1, 3, 3), True, (2, 2), (1, 1), (1, 1),
     (1, 1), 3, 0, np.float32),
    ('same_even', (1, 2, 6, 7), (3, 2, 4, 4), False, (1, 1), (1, 1), (2, 2),
     (1, 1), 1, 1, np.float64),
    ('same_dilated', (1, 2, 8, 8), (2, 2, 3, 3), True, (1, 1), (2, 2),
     (2, 2), (2, 2), 1, 1, np.float64),
    ('unbatched', (3, 6, 5), (2, 3, 2, 2), True, (1, 1), (0, 1), (0, 1),
     (1, 1), 1, 0, np.float64),
    ('pointwise', (2, 8, 24, 24), (16, 8, 1, 1), True, (1, 1), (0, 0),
     (0, 0), (1, 1), 1, 0, np.float32),
    ('patches', (2, 3, 32, 32), (16, 3, 8, 8), True, (8, 8), (0, 0), (0, 0),
     (1, 1), 1, 0, np.float32),
    ('chunks', (12, 3, 9, 9), (5, 3, 3, 3), True, (1, 1), (0, 0), (0, 0),
     (1, 1), 1, 0, np.float64),
    ('deep', (1, 64, 16, 16), (32, 64, 3, 3), True, (1, 1), (1, 1), (1, 1),
     (1, 1), 1, 0, np.float32),
    ('empty_out', (0, 3, 5, 5), (2, 3, 3, 3), False, (1, 1), (0, 0), (0, 0),
     (1, 1), 1, 0, np.float64),
]
# name, x shape, kind, kernel, stride, pad, dilation, ceil_mode,
# count_include_pad, dtype
pools = [
    ('max_stem', (2, 3, 12, 12), 'max', (3, 3), (2, 2), (1, 1), (1, 1), 0, 1,
     np.float64),
    ('max_default', (1, 2, 7, 9), 'max', (2, 2), (2, 2), (0, 0), (1, 1), 0,
     1, np.float32),
    ('max_dilated_ceil', (1, 2, 10, 11), 'max', (3, 2), (2, 3), (1, 1),
     (2, 1), 1, 1, np.float64),
    ('avg_pad', (2, 2, 9, 9), 'avg', (3, 3), (2, 2), (1, 1), (1, 1), 0, 1,
     np.float64),
    ('avg_nopad', (2, 2, 9, 9), 'avg', (3, 3), (2, 2), (1, 1), (1, 1), 0, 0,
     np.float64),
    ('avg_ceil', (1, 3, 10, 7), 'avg', (3, 2), (3, 2), (1, 1), (1, 1), 1, 1,
     np.float32),
    ('avg_global', (3, 7, 7), 'avg', (7, 7), (7, 7), (0, 0), (1, 1), 0, 1,
     np.float64),
]

with open('conv_cases.tsv', 'w') as f:
    f.write('# name\top\tstride\tpad_lo\tpad_hi\tdilation\tgroups\tkernel\t'
            'same ceil include_pad bias (numpy %s)\n' % np.__version__)
    for (name, xs, ws, bias, st, lo, hi, dl, g, same, dt) in conv:
        x, w = randn(xs, dt), randn(ws, dt)
        b = randn((ws[0],), dt) if bias else None
        y = conv2d(x, w, b, st, lo, hi, dl, g).astype(dt)
        save(name + '_x', x)
        save(name + '_w', w)
        if bias:
            save(name + '_b', b)
        save(name + '_y', y)
        f.write('%s\tconv\t%d %d\t%d %d\t%d %d\t%d %d\t%d\t%d %d\t'
                '%d 0 0 %d\n' % (name, st[0], st[1], lo[0], lo[1], hi[0],
                                  hi[1], dl[0], dl[1], g, ws[2], ws[3], same,
                                  int(bias)))
    for (name, xs, kind, k, st, pad, dl, ceil, inc, dt) in pools:
        x = randn(xs, dt)
        y = pool2d(kind, x, k, st, pad, dl, ceil, inc).astype(dt)
        save(name + '_x', x)
        save(name + '_y', y)
        f.write('%s\t%s\t%d %d\t%d %d\t%d %d\t%d %d\t1\t%d %d\t'
                '0 %d %d 0\n' % (name, kind, st[0], st[1], pad[0], pad[1],
                                  pad[0], pad[1], dl[0], dl[1], k[0], k[1],
                                  ceil, inc))


# ---- shapes: ATen's rules, as mmcalc expressions with PyTorch's answer


def fmt_shape(s):
    return '(' + 'x'.join(map(str, s)) + (',)' if len(s) == 1 else ')')


def conv_shape(xs, ws, st, pad, dl, g):
    """The output shape, or None where ATen raises."""
    if len(xs) not in (3, 4) or len(ws) != 4:
        return None
    if min(st) < 1 or min(dl) < 1 or min(pad) < 0 or g < 1:
        return None
    c = xs[-3]
    if ws[0] % g or ws[1] * g != c:
        return None
    out = []
    for ax in range(2):
        n, k = xs[-2 + ax], ws[2 + ax]
        if n + 2 * pad[ax] < dl[ax] * (k - 1) + 1:
            return None
        out.append(out_size(n, k, st[ax], pad[ax], pad[ax], dl[ax]))
    return tuple(xs[:-3]) + (ws[0],) + tuple(out)


def pool_shape(xs, k, st, pad, dl, ceil):
    if len(xs) not in (3, 4) or min(k) < 1 or min(st) < 1 or min(dl) < 1:
        return None
    out = []
    for ax in range(2):
        if pad[ax] > (dl[ax] * (k[ax] - 1) + 1) // 2:
            return None
        o = out_size(xs[-2 + ax], k[ax], st[ax], pad[ax], pad[ax], dl[ax],
                     ceil)
        if o < 1:
            return None
        out.append(o)
    return tuple(xs[:-2]) + tuple(out)


def pair(v):
    return '(%d, %d)' % v if v[0] != v[1] else '%d' % v[0]


with open('conv_shapes.tsv', 'w') as f:
    f.write('# expression\tPyTorch\'s shape or error (numpy %s)\n'
            % np.__version__)
    for _ in range(150):
        batched = rng.random() < 0.8
        c = int(rng.integers(1, 7))
        g = int(rng.choice([1, 1, 1, 2, 3]))
        cin = c if rng.random() < 0.85 else c + 1
        co = int(rng.integers(1, 5)) * g + (1 if rng.random() < 0.1 else 0)
        k = (int(rng.integers(1, 6)), int(rng.integers(1, 6)))
        hw = (int(rng.integers(1, 20)), int(rng.integers(1, 20)))
        st = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        pad = (int(rng.integers(0, 3)), int(rng.integers(0, 3)))
        dl = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
        xs = ((int(rng.integers(1, 4)),) if batched else ()) + \
            (cin * g,) + hw
        ws = (co, c, k[0], k[1])
        want = conv_shape(xs, ws, st, pad, dl, g)
        expr = 'conv2d(%s, %s, stride=%s, padding=%s, dilation=%s, ' \
               'groups=%d)' % (fmt_shape(xs), fmt_shape(ws), pair(st),
                               pair(pad), pair(dl), g)
        f.write('%s\t%s\n' % (expr, fmt_shape(want) if want else 'error'))
    for _ in range(100):
        xs = (int(rng.integers(1, 3)), int(rng.integers(1, 4)),
              int(rng.integers(1, 16)), int(rng.integers(1, 16)))
        if rng.random() < 0.2:
            xs = xs[1:]
        k = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
        st = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        pad = (int(rng.integers(0, 3)), int(rng.integers(0, 3)))
        ceil = int(rng.random() < 0.4)
        if rng.random() < 0.5:
            dl = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
            want = pool_shape(xs, k, st, pad, dl, ceil)
            expr = 'max_pool2d(%s, %s, stride=%s, padding=%s, ' \
                   'dilation=%s, ceil_mode=%s)' % (
                       fmt_shape(xs), pair(k), pair(st), pair(pad),
                       pair(dl), 'true' if ceil else 'false')
        else:
            want = pool_shape(xs, k, st, pad, (1, 1), ceil)
            expr = 'avg_pool2d(%s, %s, stride=%s, padding=%s, ' \
                   'ceil_mode=%s)' % (fmt_shape(xs), pair(k), pair(st),
                                      pair(pad), 'true' if ceil else 'false')
        f.write('%s\t%s\n' % (expr, fmt_shape(want) if want else 'error'))

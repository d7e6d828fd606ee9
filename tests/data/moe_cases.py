# moe_cases.py — writes the moe_*.npy fixtures of tests/unit/test-moe.c:
# a mixture-of-experts layer routed as Mixtral's (Hugging Face's
# MixtralSparseMoeBlock: softmax over the E router logits, the top k kept
# and renormalised, which is a softmax over the k kept logits), each
# expert (act(x @ w1) * (x @ w3)) @ w2 gated, act(x @ w1) @ w2 not, the
# outputs summed with the k weights. Weights are in mmcalc's x @ W
# orientation: router (d x E), w1 and w3 (E x d x f), w2 (E x f x d).
# Ties in the top k go to the lower index (a stable sort). Run from this
# directory with a Python that has NumPy (/usr/bin/python3 here):
#     /usr/bin/python3 moe_cases.py
import math

import numpy as np

rng = np.random.default_rng(20240603)

acts = {
    'silu': lambda h: h / (1 + np.exp(-h)),
    'gelu': lambda h: 0.5 * h * (1 + np.vectorize(math.erf)(h / math.sqrt(2))),
    'relu': lambda h: np.maximum(h, 0),
}


def moe(x, g, w1, w2, w3, k, act):
    d = x.shape[-1]
    t = x.reshape(-1, d)
    logits = t @ g
    idx = np.argsort(-logits, axis=1, kind='stable')[:, :k]
    top = np.take_along_axis(logits, idx, axis=1)
    wt = np.exp(top - top[:, :1])
    wt /= wt.sum(axis=1, keepdims=True)
    out = np.zeros_like(t)
    for i in range(t.shape[0]):
        for j in range(k):
            e = idx[i, j]
            h = acts[act](t[i] @ w1[e])
            if w3 is not None:
                h = h * (t[i] @ w3[e])
            out[i] += wt[i, j] * (h @ w2[e])
    return out.reshape(x.shape)


# name, x shape, E, f, k, gated, act, dtype
cases = [
    ('silu', (7, 8), 4, 16, 2, True, 'silu', np.float64),
    ('gelu_plain', (2, 3, 8), 3, 5, 1, False, 'gelu', np.float64),
    ('relu_f32', (9, 6), 5, 12, 3, True, 'relu', np.float32),
    ('all', (4, 5), 3, 7, 3, True, 'silu', np.float64),
]
with open('moe_cases.tsv', 'w') as f:
    f.write('# name\ttop_k\tgated\tact (numpy %s)\n' % np.__version__)
    for name, xs, e, ff, k, gated, act, dt in cases:
        d = xs[-1]
        x = rng.standard_normal(xs).astype(dt)
        g = rng.standard_normal((d, e)).astype(dt)
        w1 = (rng.standard_normal((e, d, ff)) / math.sqrt(d)).astype(dt)
        w2 = (rng.standard_normal((e, ff, d)) / math.sqrt(ff)).astype(dt)
        w3 = (rng.standard_normal((e, d, ff)) / math.sqrt(d)).astype(dt) \
            if gated else None
        y = moe(*(a.astype(np.float64) if a is not None else None
                  for a in (x, g, w1, w2, w3)), k, act).astype(dt)
        for part, a in [('x', x), ('router', g), ('w1', w1), ('w2', w2),
                        ('w3', w3), ('y', y)]:
            if a is not None:
                np.save('moe_%s_%s.npy' % (name, part), a)
        f.write('%s\t%d\t%d\t%s\n' % (name, k, int(gated), act))

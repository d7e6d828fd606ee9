# Vectorised math gives the same bits for a number, a contiguous tensor
# and a strided one (issue 22): each difference below is exactly 0.
x = 0.7312
gelu(x) - max(gelu(full(3, x, dtype=f64)))
exp(x) - max(exp(full(5, x, dtype=f64)))
gelu_tanh(x) - max(gelu_tanh(full(5, x, dtype=f64)))
erf(x) - max(erf(full(5, x, dtype=f64)))
t = randn(3, 1000, dtype=f64)
max(abs(gelu(t) - gelu(t.T).T))
max(abs(silu(t[:, ::3]) - silu(t)[:, ::3]))
max(abs(tanh(t[:, ::2]) - tanh(t)[:, ::2]))

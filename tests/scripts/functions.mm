# User functions (def) and repeat: costs flow through calls, each node
# counted once; shape literals in a body are the function's parameters.
def lin(x, W) = x @ W
lin((8 x 16), (16 x 32))
# one-line and block bodies; locals stay inside
def mlp(x) {
    h = gelu(x @ (d x 4*d))   # a comment inside
    h @ (4*d x d)
}
y = mlp((T x d))
# params: the two weights, 8·d²
params(y)
# 2·T·d·4d twice plus gelu's 4·T·d
flops(y)
h
# the residual uses H twice: counted once
d = 768
H = (T x d)
r = H + mlp(layernorm(H))
params(r)
flops(r)
# 5 ops: layernorm, @, gelu, @, +
:explain r
# a GPT-2-small-like block repeated 12 times: params 12·9·d²
:device h100
def block(x) {
    h = x + (layernorm(x) @ (d x d))
    h + gelu(layernorm(h) @ (d x 4*d)) @ (4*d x d)
}
T = 1024
g = repeat(12, block, (T x d))
params(g)
flops(g) / flops(block((T x d)))
:explain g depth=1
# symbolic repeat count
z = repeat(L, block, (T x d))
flops(z)
params(z)
L = 96
flops(z)
# execution
:dtype f64
def small(x) = x @ W2 + x
W2 = [[0.5, 0], [0, 0.5]]
repeat(3, small, [[1.0, 2.0]])
repeat(0, small, [[1.0, 2.0]])
small(small([[1.0, 2.0]]))
# errors
def f(x) = f(x)
f((2x2))
def g2(a, b) = a + b
g2((2x2))
def bad(x) = x @ (3 x 3)
bad((2 x 2))
def wide(x) = x @ (2 x 3)
repeat(2, wide, (4 x 2))
repeat(2, relu, (4 x 2))
repeat(-1, small, [[1.0, 2.0]])
nosuch(3)
def sqrt(x) = x
def p(x, x) = x
def f(a,b,c,d,e,f1,g,h,i,j,k,l,m,n,o,p,q) = a
# a repeat of a function whose body ends in another call is a row of the
# function repeated, not of the inner call
def g3(x) = relu(x)
def f3(x) = g3(x @ (n x n))
:explain repeat(2, f3, (4 x 8)) where n = 8

# maximum, minimum, where, clip, tril, triu; where( as a call and as
# the binding keyword
x = [[1, -2, 3], [0/0, 5, -6]]
maximum(x, 0)
minimum(x, [1, 2, 3])
maximum(2, 3)
clip(x, -1, 2)
clip(x, max=0)
clip(x, min=[0, 0, 4])
tril(x)
triu(x, k=1)
tril(ones(2, 3, 3), -1)
# a causal mask for scores
S = reshape(arange(9), 3, 3)
where(tril(ones(3, 3)), S, -1e9)
where(1, x, 0)
where(0, 1, 2)
# where( is a call where a call can be; after a value, where binds
y = where(x, x, 0) * 2
sum(where(eye(n), 2, 1)) where n = 3
(B x T x T) + where((T x T), 0, -1e9) where T = 128
relu(x) where(x, 1, 0)
maximum((B x T x C), (C,))
where((B x 1 x T x T), (B x H x T x T), 0)
maximum(x, (3 x 3))
clip(x)
clip(x, 0, min=1)
tril((3,))
where(x, "a", 0)

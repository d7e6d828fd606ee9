# comparisons: NumPy's greater, less, equal, ... as 1 and 0, a condition
# for where; folding on numbers, broadcasting, symbols, costs, errors
x = [[1, -2, 3], [0.5, 7, -1]]
greater(x, 0)
where(greater(x, 0), x, 0.01 * x)
less_equal(x, [1, 7, 0])
equal(x, x) * not_equal(x, 7)
greater_equal(2, 3)
equal(2, 2)
not_equal(x, log(-1))
less(full(2, 2, 1, dtype=f64), 2)
greater((B x T x T), (T x T))
:explain where(greater((T x T), 0), (B x T x T), -1e9)
greater((2 x 3), (3 x 2))
less(x, "a")
equal(x)

# One definition for each rule (issue 18): a number folded by the checker
# and the same number in a tensor go through the same code, bit for bit;
# suggestions come from the set that fits where the name was typed.
gelu(-3.862) - sum(gelu(full(1, -3.862, dtype=f64)))
sigmoid(-3.5) - sum(sigmoid(full(1, -3.5, dtype=f64)))
tanh(0.3) - sum(tanh(full(1, 0.3, dtype=f64)))
# NumPy's floor-mod: the result has the divisor's sign, -0 included
(-4) % 2
4 % -2
:set sqrtt 1
:set strikt on
:device relux
:help devics
:help settings
:frobnicat

# exact
# Whole numbers are exact up to 2^63 - 1, the largest dimension; a double
# would round 2^63 - 1 up to 2^63 (issue 19).
(9223372036854775807 x 1)
n = 9223372036854775807
(n x 2)
n - 1
2**62 - 1 + 2**62
3 * 4
7 / 2
(9223372036854775808 x 1)
(n x 1) @ (1 x 1)
# Leading zeros do not count against the 63 characters a number may take:
# a whole number is read digit by digit; other numbers are still bounded.
0000000000000000000000000000000000000000000000000000000000000000000000042
0.00000000000000000000000000000000000000000000000000000000000000000000001

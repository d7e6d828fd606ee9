# exact
# :sweep on a device whose figures make every row computable by hand:
# 100 TFLOP/s and 1 TB/s, the ridge at 100 FLOP/B. (n x n) @ (n x n) in
# f32 is 2n^3 FLOP over 12n^2 B: n/6 FLOP/B, so it is memory-bound below
# n = 600 (rate 1 TB/s * n/6) and at the 100 TFLOP/s ceiling from there:
# 60 -> 10 TFLOP/s, 120 -> 20, 240 -> 40, 480 -> 80, 960 -> 100.
# On the chart (width 72, log x from 60 to 7680, 7 doublings) each
# doubling is a seventh of the plot; the compute-bound mark is at 960.
:device custom peak=100T bw=1T
:set unicode off
:set width 72
:sweep n = 60..7680 x2: (n x n) @ (n x n) height=18
# A linear range (+STEP): m rows against a fixed 4096 x 4096 weight turn
# compute-bound at m = 256 (2*m*4096^2 FLOP over (m*4096*2 + 4096^2)*4 B
# reaches 100 FLOP/B between m = 192 and 256).
:set unicode on
:sweep m = 64..1024 +64: (m x 4096) @ (4096 x 4096) height=16
# The swept name is bound for the sweep only: n is unknown after it, and
# a variable of that name comes back as it was.
n = 5
:sweep n = 1..4: (n x n) @ (n x n) height=12
n
# Errors: the header, the range, the step, too many values, other symbols,
# a value where the expression fails (named in the hint).
:sweep (n x n)
:sweep n = 1..4 (n x n)
:sweep n = 8..4: (n x n)
:sweep n = 1..8 x1: (n x n)
:sweep n = 1..1000 +1: (n x n)
:sweep n = 1..4: (n x d) @ (d x d)
:sweep n = 1..4: 3
:sweep n = 4..16: reshape((n x 4), (4, 4)) @ (4 x 4)
:sweep n = 1..4: (n x n) run=true
:sweep n = 1..4: (n x n) bench=0

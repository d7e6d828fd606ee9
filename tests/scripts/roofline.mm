# exact
# :roofline at fixed widths, ASCII and Unicode, on a device whose figures
# make every position computable by hand: every dtype at 100 TFLOP/s and
# 1 TB/s, so the ridge is at 100 FLOP/B.
#   (60x60) @ (60x60): 2*60^3 = 432 kFLOP over 3*60*60*4 = 43.2 kB:
#     10 FLOP/B, memory-bound, 1 TB/s * 10 = 10 TFLOP/s         (point 1)
#   softmax of it: 5 FLOP per element over 60*60*4 B in and out:
#     0.625 FLOP/B, 625 GFLOP/s                                  (point 2)
#   that @ (60x60) again: 10 FLOP/B, 10 TFLOP/s, in the cell of point 1:
#     one marker, labelled "1,3"                                 (point 3)
# The axes fit whole decades: x from 0.1 (below 0.625) to 1k (the ridge
# gets a decade each side), y from 100G (the roof at x = 0.1) to 1P (room
# above the 100T ceiling for its label). At width 60 the y tick labels
# take 4 columns and the axis 1, and half of "1k" sticks out on the
# right: the plot is 60 - 5 - 1 = 54 columns, so x = 10, half way along
# the 4 decades, is column 5 + round(0.5 * 53) = 32 (counted from 0), and
# x = 0.625 is column 5 + round(log10(6.25) / 4 * 53) = 16. height=20
# leaves 14 lines for the plot (title, y label, axis, ticks, x label and
# legend take 6): y = 10T, half way up, is round(0.5 * 13) = 7 lines
# above the plot's bottom line (the 100G tick's), and y = 100T, at 3/4,
# round(0.75 * 13) = 10 above it; 625G is round(log10(6.25) / 4 * 13) = 3.
:device custom peak=100T bw=1T
:set unicode off
:set width 60
:roofline softmax((60 x 60) @ (60 x 60)) @ (60 x 60) height=20
:set unicode on
:roofline softmax((60 x 60) @ (60 x 60)) @ (60 x 60) height=20
# Wider, 100 columns: the plot is 94, so x = 10 is column
# 5 + round(0.5 * 93) = 52. (3000x3000) @ (3000x3000) is 500 FLOP/B:
# compute-bound at the ceiling (column 5 + round(3.699 / 4 * 93) = 91);
# relu of it 1 FLOP per 8 B in and out, 0.125 FLOP/B, 125 GFLOP/s.
:set width 100
:set unicode off
:roofline relu((3000 x 3000) @ (3000 x 3000)) height=16
# A second dtype's ceiling, and the ridge of the dtype the operation uses
# (f16: 400T / 1T = 400 FLOP/B).
:device custom peak=100T bw=1T f16=400T
:dtype f16
:set width 72
:roofline (4096 x 4096) @ (4096 x 4096) height=18
:dtype f32
# A user function is a module: its operations keep their numbers.
def mlp(x) = relu(x @ (512 x 2048)) @ (2048 x 512)
:roofline mlp((64 x 512)) + (64 x 512) height=16
# Symbols bound for the command; a value with no operations; errors.
:roofline (n x n) @ (n x n) where n = 600 height=16
:roofline (n x n) @ (n x n)
:roofline (2x2) height=12
:roofline 3
:roofline (2x2) @ (2x2) height=5
:roofline (2x2) @ (2x2) plot=3
:roofline (2x2) @ (2x2) run=maybe
:roofline (2x2) @ (2x2) run=true
:roofline (2x2) @ (2x2) depth=2

# exact
# :explain's share column and bars: bars=KEY adds each row's share of the
# whole in FLOPs, bytes or predicted time with a bar 20 columns wide;
# sort=KEY also orders the rows by it, largest first, a module keeping
# its operations under it, every row keeping its number.
# On 100 TFLOP/s and 1 TB/s: (256x512) @ (512x512) is 134.2 MFLOP over
# 2 MiB, 64 FLOP/B, memory-bound: 2.097 µs; softmax over (256x512) moves
# 1 MiB: 1.049 µs; the + moves 1.5 MiB: 1.573 µs. The block (two
# products and a softmax) takes 5.243 of 6.816 µs: 76.9%, 15.38 of 20
# columns: 15 full blocks and three eighths (round(0.769 * 160) = 123
# eighths), in ASCII 15 '#'.
:device custom peak=100T bw=1T
:set unicode on
def block(x) = softmax(x @ (512 x 512)) @ (512 x 512)
:explain block((256 x 512)) + (256 x 512) sort=time
:explain block((256 x 512)) + (256 x 512) bars=bytes
:set unicode off
:explain block((256 x 512)) + (256 x 512) sort=time
:explain block((256 x 512)) + (256 x 512) sort=flops depth=1
# The dominant operation first: relu after a product.
:explain relu((1024 x 1024) @ (1024 x 4096)) sort=bytes
# A share too small to see still shows one '#'.
:explain sum((4096 x 4096) @ (4096 x 4096)) sort=flops
:explain (2x2) @ (2x2) sort=size
:explain (2x2) @ (2x2) bars=3

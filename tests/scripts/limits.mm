# Huge shapes stay exact up to 2^64 and are marked approximate beyond
(4294967296 x 4294967296)
(4294967296 x 4294967296) @ (4294967296 x 4294967296)
(1e18,)
(1e19 x 10)
(1e30 x 2)
(1e6 x 1e6) @ (1e6 x 1e6)
:set memlimit 16GiB
zeros(1e6, 1e6)
:set memlimit 1KiB
zeros(100, 100)
zeros(10, 10)
:run (64x64) @ (64x64)

# Huge shapes stay exact up to 2^64 and are marked approximate beyond
(4294967296 x 4294967296)
(4294967296 x 4294967296) @ (4294967296 x 4294967296)
(1e18,)

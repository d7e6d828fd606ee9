(1e19 x 10)
(1e30 x 2)
(1e6 x 1e6) @ (1e6 x 1e6)
:set memlimit 16GiB

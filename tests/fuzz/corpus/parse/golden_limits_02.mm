zeros(1e6, 1e6)
:set memlimit 1KiB
zeros(100, 100)
zeros(10, 10)

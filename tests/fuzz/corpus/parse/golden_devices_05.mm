:device custom peak=100T
time(3)
flops((2x2)@(2x2)) -> ms

:quit
(3x3)

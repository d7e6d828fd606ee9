:bench (2x2) @
:run
:run (3x4) @ (5x6)

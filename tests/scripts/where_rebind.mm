# exact
# A name bound with symbolic dims, rebound by `where` for one statement or
# command, then used again: the saved value must not point into memory
# freed by the rebinding (it crashed, issue 23).
d = (k x 2)
d @ (2 x 3) where d = 3
d
:explain d @ (2 x 3) where d = 3
d
:order d @ (2 x 3) @ (3 x 4) where d = 3
d
:run d @ (2 x 3) where d = 3
d
e = (k x 2)
e @ (2 x 3) where e = 3, f = nosuchname
e
(k x 2) @ (2 x 3) where k = 4, k = (1 x 2)
e

# exact
# Control characters in a source line reach the terminal escaped, with the
# caret under the columns they take.
(2x3) @ (4x5)  # [2J title
1 +  2
x[31m = 3
(2x3) @ (4x5) # ‮�

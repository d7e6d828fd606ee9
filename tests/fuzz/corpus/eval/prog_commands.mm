:run M @ B.T
:run (300x300) @ (300x300)
:explain A @ B + 1
:order A @ B @ B.T
:vars
:clear A
A
:clear
:vars

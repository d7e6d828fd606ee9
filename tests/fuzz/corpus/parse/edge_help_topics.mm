:help
:help shapes
:help costs
:help functions
:help commands
:help softmax
:help nope

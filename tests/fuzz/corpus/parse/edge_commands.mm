:
: 
:help help
:nope
:set precision 1000000
:set threshold -1
:dtype i4
:seed -1
:run
:explain
:order
:clear nope
:set
:set nope 1
:dtype

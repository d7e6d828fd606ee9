:help nothing
:frobnicate
:clear
:vars

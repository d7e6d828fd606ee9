# Common slips get hints (issue 19): the blog's x between matrices and *
# where @ was meant suggest @; commands typed without their colon suggest
# the command; x.shape suggests shape(x).
(1024 x 4096) x (4096 x 4096)
A = (2 x 3); B = (3 x 4)
A x B
(1024x4096) * (4096x4096)
A * B
# * that does not broadcast and is no matrix product either: the usual hint
(2 x 3) * (4 x 5)
help
vars
exit
quit
A.shape

:set precision 3
:set memlimit 2GiB
:set precison 3
:set exact on

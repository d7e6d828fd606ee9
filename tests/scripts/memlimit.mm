# exact
# :set memlimit reads sizes strictly and bounds what one statement
# allocates, its temporaries included (issue 23).
:set memlimit 1e-9
:set memlimit -1
:set memlimit 4 parsecs
:set memlimit 2^64
:set memlimit 4Gb
:set memlimit
:set memlimit 12MiB
A = randn(1000, 1000)
# QR's result fits the prediction, but its f64 work copies do not
q = qr(A)
:set memlimit 64MiB
shape(qr(A))
# Empty work is done at once, however many empty rows there are
sum(zeros(1152921504606846976, 0, 0), axis=1)
softmax(zeros(1152921504606846976, 0))
sum(zeros(2, 0, 3), axis=1)

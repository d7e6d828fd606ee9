# attention with an axis of length 0 (issue 23): an error or NumPy's
# result, never a crash or a silent assumption.
# No features (d = 0): the default scale 1/sqrt(0) is infinite (NumPy's
# 0 * inf gives NaN scores): an error, for numbers and symbols alike.
attention(zeros(1, 2, 0), zeros(1, 2, 0), ones(1, 2, 4))
attention((n x 2 x 0), (n x 2 x 0), (n x 2 x 4))
# With a scale the scores are all 0: each query averages V (NumPy: ones).
attention(zeros(1, 2, 0), zeros(1, 2, 0), ones(1, 2, 4), scale=1)
sum(attention(zeros(1, 2, 0), zeros(1, 2, 0), ones(1, 2, 4), scale=1))
# K and V with no heads divide no count of Q's heads but 0
attention((1 x h x 2 x 4), (1 x 0 x 2 x 4), (1 x 0 x 2 x 4))
attention((1 x 4 x 2 x 4), (1 x 0 x 2 x 4), (1 x 0 x 2 x 4))
attention(zeros(1, 0, 2, 4), zeros(1, 0, 2, 4), zeros(1, 0, 2, 4))
# No keys: each row of scores is empty, the output zeros (NumPy's
# (2 x 0) @ (0 x 4)); no queries: an empty result.
attention(zeros(1, 2, 4), zeros(1, 0, 4), zeros(1, 0, 4))
attention(zeros(1, 0, 4), zeros(1, 3, 4), zeros(1, 3, 4))

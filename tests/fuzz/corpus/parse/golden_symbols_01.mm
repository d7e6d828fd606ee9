Y = X @ W
softmax((B x h x T x T))
layernorm(X) + relu(X)
(n x d/h)

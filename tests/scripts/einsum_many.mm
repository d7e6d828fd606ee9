# einsum of more than two operands: contracted two at a time from the
# left, each step on the GEMM; the cost the steps' sum
:dtype f64
A = reshape(arange(6), 2, 3); B = reshape(arange(12), 3, 4); C = reshape(arange(8), 4, 2)
einsum("ij,jk,kl->il", A, B, C)
A @ B @ C
einsum("ij,jk,kl", A, B, C)
einsum("i,i,i", arange(3), arange(3), arange(3))
einsum("ij,jk,kl->il", (m x k), (k x n), (n x p))
einsum("kl,jk,ij->il", (n x p), (k x n), (m x k))
einsum("bi,bj,bk->bijk", (b x 2), (b x 3), (b x 4))
:explain einsum("ij,j,jk", (64 x 128), (128,), (128 x 32))
einsum("ij,jk,kl->il", (2 x 3), (3 x 4), (5 x 2))
einsum("a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a", (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,))
einsum("abcdefghij,klmnopqrst,abcdefghi,klmnopqr->", (1 x 1 x 1 x 1 x 1 x 1 x 1 x 1 x 1 x 1), (1 x 1 x 1 x 1 x 1 x 1 x 1 x 1 x 1 x 1), (1 x 1 x 1 x 1 x 1 x 1 x 1 x 1 x 1), (1 x 1 x 1 x 1 x 1 x 1 x 1 x 1))
einsum("abcdefghij,abcdefghi,klmnopqrst,klmnopqr->", (1 x 1 x 1 x 1 x 1 x 1 x 1 x 1 x 1 x 1), (1 x 1 x 1 x 1 x 1 x 1 x 1 x 1 x 1), (1 x 1 x 1 x 1 x 1 x 1 x 1 x 1 x 1 x 1), (1 x 1 x 1 x 1 x 1 x 1 x 1 x 1))

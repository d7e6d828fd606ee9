/* rows_tmpl.h — vmath's row operations for one element type; rows.c
 * includes it with T = float, S = f32 and with T = double, S = f64.
 *
 * A row is worked on in passes (a max, a sum, a store ...). A pass over a
 * row of at most one block runs at once, on the thread that has the row
 * (rows are spread over the threads); a longer row's pass runs its blocks
 * over the threads and keeps one partial result per block, combined in
 * block order. Either way a row's result is the same function of its
 * blocks, so it does not depend on the threads. */

#define F(name) VM_CAT(name, S)

struct F(row) {
	const struct VM_CAT(mm_vmath_kernels, S) *k;
	const T *x; /* this row */
	T *y;
	int64_t n;
	const T *w, *b;
	T m, r;
	double c, s;
	int what;
	double *part; /* one per block */
	T *tpart;
};

static void F(block)(void *arg, int64_t b, int64_t e)
{
	struct F(row) *R = arg;
	int64_t j = b / MM_VMATH_BLOCK, len = e - b;
	const T *x = R->x + b;
	T *y = R->y ? R->y + b : NULL;
	switch (R->what) {
	case W_MAX:
		R->tpart[j] = R->k->max(len, x);
		break;
	case W_MIN:
		R->tpart[j] = R->k->min(len, x);
		break;
	case W_SUM:
		R->part[j] = R->k->sum(len, x);
		break;
	case W_SUMSQ:
		R->part[j] = R->k->sumsq(len, x);
		break;
	case W_SUMSQDEV:
		R->part[j] = R->k->sumsqdev(len, x, R->c);
		break;
	case W_SUMEXP:
		R->part[j] = R->k->sumexp(len, x, R->m, NULL);
		break;
	case W_MAXSUMEXP:
		/* the block's max, then its sum of exps while it is in cache;
		 * a block of −inf adds nothing, one with +inf or NaN makes the
		 * row NaN (as x − max would) */
		R->tpart[j] = R->k->max(len, x);
		R->part[j] = R->tpart[j] == -INFINITY ? 0.0
		             : isfinite(R->tpart[j])
		                 ? R->k->sumexp(len, x, R->tpart[j], NULL)
		                 : NAN;
		break;
	case W_SUMEXP_STORE:
		R->part[j] = R->k->sumexp(len, x, R->m, y);
		break;
	case W_SCALE:
		R->k->scale(len, y, R->r);
		break;
	case W_EXPSCALE:
		R->k->expscale(len, x, R->m, R->r, y);
		break;
	case W_SHIFT:
		R->k->shift(len, x, R->c, y);
		break;
	default:
		R->k->affine(len, x, R->c, R->s, R->w ? R->w + b : NULL,
		             R->b ? R->b + b : NULL, y);
		break;
	}
}

/* Runs pass `what` over the row (n ≥ 1). */
static int F(pass)(struct F(row) *R, int what)
{
	R->what = what;
	if (R->n <= MM_VMATH_BLOCK) {
		F(block)(R, 0, R->n);
		return MM_OK;
	}
	return mm_parallel_for(R->n, MM_VMATH_BLOCK, F(block), R);
}

static double F(total)(const struct F(row) *R)
{
	double s = R->part[0];
	for (int64_t j = 1; j < nblocks(R->n); j++)
		s += R->part[j];
	return s;
}

/* max (min) of the blocks' extrema; NaN if one is NaN */
static T F(extremum)(const struct F(row) *R, bool max)
{
	T m = R->tpart[0];
	bool nan = m != m;
	for (int64_t j = 1; j < nblocks(R->n); j++) {
		T v = R->tpart[j];
		nan |= v != v;
		m = (max ? v > m : v < m) ? v : m;
	}
	return nan ? (T)NAN : m;
}

/* A row longer than a block: its max (R->m) and Σ exp(x − max) in one
 * read of the row from memory, each block's sum taken against the
 * block's own max and rescaled by exp(max_j − max), in block order. */
static int F(maxsumexp)(struct F(row) *R, double *s)
{
	int rc = F(pass)(R, W_MAXSUMEXP);
	if (rc != MM_OK)
		return rc;
	R->m = F(extremum)(R, true);
	double m = (double)R->m, t = 0.0;
	for (int64_t j = 0; j < nblocks(R->n); j++)
		t += R->part[j] == 0.0 ? 0.0
		                       : R->part[j] *
		                             vm_exp_d((double)R->tpart[j] - m);
	/* all −inf: NaN, as x − max gives */
	*s = R->m == -INFINITY ? NAN : t;
	return MM_OK;
}

static int F(softmax_row)(struct F(row) *R, bool log)
{
	int rc;
	double s;
	if (R->n > MM_VMATH_BLOCK) {
		/* two reads of the row: the max and the sum, then the exps
		 * computed again rather than read back from memory */
		if ((rc = F(maxsumexp)(R, &s)) != MM_OK)
			return rc;
		if (log) {
			R->c = (double)R->m + vm_log_d(s);
			return F(pass)(R, W_SHIFT);
		}
		R->r = (T)(1.0 / s);
		return F(pass)(R, W_EXPSCALE);
	}
	if ((rc = F(pass)(R, W_MAX)) != MM_OK)
		return rc;
	R->m = F(extremum)(R, true);
	/* a row in cache keeps its exps */
	bool keep = !log;
	if ((rc = F(pass)(R, keep ? W_SUMEXP_STORE : W_SUMEXP)) != MM_OK)
		return rc;
	s = F(total)(R);
	if (log) {
		R->c = (double)R->m + vm_log_d(s);
		return F(pass)(R, W_SHIFT);
	}
	R->r = (T)(1.0 / s);
	return F(pass)(R, keep ? W_SCALE : W_EXPSCALE);
}

static int F(norm_row)(struct F(row) *R, bool rms, double eps)
{
	int rc;
	double n = (double)R->n;
	R->c = 0.0;
	if (!rms) {
		if ((rc = F(pass)(R, W_SUM)) != MM_OK)
			return rc;
		R->c = F(total)(R) / n;
	}
	if ((rc = F(pass)(R, rms ? W_SUMSQ : W_SUMSQDEV)) != MM_OK)
		return rc;
	R->s = 1.0 / sqrt(F(total)(R) / n + eps);
	return F(pass)(R, W_AFFINE);
}

static int F(reduce_row)(struct F(row) *R, mm_vmath_reduce op, T *out)
{
	int rc;
	double v;
	switch (op) {
	case MM_VMATH_MAX:
	case MM_VMATH_MIN:
		rc = F(pass)(R, op == MM_VMATH_MAX ? W_MAX : W_MIN);
		*out = F(extremum)(R, op == MM_VMATH_MAX);
		return rc;
	case MM_VMATH_NORM:
		rc = F(pass)(R, W_SUMSQ);
		v = sqrt(F(total)(R));
		break;
	case MM_VMATH_LOGSUMEXP:
		if ((rc = F(pass)(R, W_MAX)) != MM_OK)
			return rc;
		R->m = F(extremum)(R, true);
		/* all −inf: log 0 = −inf; a +inf: log inf = inf */
		if (isinf(R->m))
			R->m = 0;
		rc = F(pass)(R, W_SUMEXP);
		v = (double)R->m + vm_log_d(F(total)(R));
		break;
	default:
		rc = F(pass)(R, W_SUM);
		v = F(total)(R);
		if (op == MM_VMATH_MEAN)
			v /= (double)R->n;
		break;
	}
	*out = (T)v;
	return rc;
}

struct F(job) {
	struct F(row) proto;
	int kind;
	mm_vmath_reduce op;
	double eps;
	T *out;
};

/* The job's operation on row r, with R set up for it. */
static int F(one_row)(const struct F(job) *J, struct F(row) *R, int64_t r)
{
	R->x = J->proto.x + r * R->n;
	R->y = J->proto.y ? J->proto.y + r * R->n : NULL;
	switch (J->kind) {
	case K_SOFTMAX:
	case K_LOG_SOFTMAX:
		return F(softmax_row)(R, J->kind == K_LOG_SOFTMAX);
	case K_LAYERNORM:
	case K_RMSNORM:
		return F(norm_row)(R, J->kind == K_RMSNORM, J->eps);
	default:
		return F(reduce_row)(R, J->op, J->out + r);
	}
}

static void F(rows_piece)(void *arg, int64_t b, int64_t e)
{
	const struct F(job) *J = arg;
	double part;
	T tpart;
	for (int64_t r = b; r < e; r++) {
		struct F(row) R = J->proto;
		R.part = &part;
		R.tpart = &tpart;
		F(one_row)(J, &R, r);
	}
}

/* Short rows: pieces of whole rows over the threads. Long rows: one at a
 * time, each pass over the threads. */
static int F(run)(struct F(job) *J, int64_t rows)
{
	int64_t n = J->proto.n;
	if (n <= MM_VMATH_BLOCK) {
		int64_t per = CHUNK_BYTES / (n * (int64_t)sizeof(T));
		return mm_parallel_for(rows, per < 1 ? 1 : per, F(rows_piece), J);
	}
	struct F(row) R = J->proto;
	R.part = malloc((size_t)nblocks(n) * sizeof *R.part);
	R.tpart = malloc((size_t)nblocks(n) * sizeof *R.tpart);
	int rc = R.part && R.tpart ? MM_OK : MM_ERR_NOMEM;
	for (int64_t r = 0; r < rows && rc == MM_OK; r++)
		rc = F(one_row)(J, &R, r);
	free(R.part);
	free(R.tpart);
	return rc;
}

/* Checks the sizes, handles empty rows, and runs the job. */
static int F(entry)(struct F(job) *J, int64_t rows, int64_t n, const T *x,
                    T *y)
{
	int64_t total;
	if (rows < 0 || n < 0 || __builtin_mul_overflow(rows, n, &total))
		return MM_ERR_ARG;
	if (rows == 0)
		return MM_OK;
	J->proto.k = &mm_vmath_current()->S;
	J->proto.x = x;
	J->proto.y = y;
	J->proto.n = n;
	if (n > 0)
		return F(run)(J, rows);
	if (J->kind != K_REDUCE)
		return MM_OK;
	if (J->op == MM_VMATH_MAX || J->op == MM_VMATH_MIN)
		return MM_ERR_VALUE;
	for (int64_t r = 0; r < rows; r++)
		J->out[r] = J->op == MM_VMATH_MEAN        ? (T)NAN
		            : J->op == MM_VMATH_LOGSUMEXP ? (T)-INFINITY
		                                          : (T)0;
	return MM_OK;
}

int VM_CAT(mm_vmath_softmax, S)(int64_t rows, int64_t n, const T *x, T *y)
{
	struct F(job) J = {.kind = K_SOFTMAX};
	return F(entry)(&J, rows, n, x, y);
}

int VM_CAT(mm_vmath_log_softmax, S)(int64_t rows, int64_t n, const T *x,
                                    T *y)
{
	struct F(job) J = {.kind = K_LOG_SOFTMAX};
	return F(entry)(&J, rows, n, x, y);
}

int VM_CAT(mm_vmath_layernorm, S)(int64_t rows, int64_t n, const T *x,
                                  const T *weight, const T *bias,
                                  double eps, T *y)
{
	struct F(job) J = {.kind = K_LAYERNORM, .eps = eps,
	                   .proto = {.w = weight, .b = bias}};
	return F(entry)(&J, rows, n, x, y);
}

int VM_CAT(mm_vmath_rmsnorm, S)(int64_t rows, int64_t n, const T *x,
                                const T *weight, double eps, T *y)
{
	struct F(job) J = {.kind = K_RMSNORM, .eps = eps,
	                   .proto = {.w = weight}};
	return F(entry)(&J, rows, n, x, y);
}

int VM_CAT(mm_vmath_reduce, S)(mm_vmath_reduce op, int64_t rows, int64_t n,
                               const T *x, T *out)
{
	if ((unsigned)op >= MM_VMATH_REDUCE_COUNT)
		return MM_ERR_ARG;
	struct F(job) J = {.kind = K_REDUCE, .op = op, .out = out};
	return F(entry)(&J, rows, n, x, NULL);
}

#undef F

/* gemm_tmpl.h — the GEMM driver for one element type. gemm.c includes it
 * once for float and once for double, with T (the type), F(x) (a name with
 * the type's suffix), UKR, GEMV, MR, NR and KC (the kernel table's fields
 * for that type) defined; it reads the cache sizes, the workspace and
 * F(pack_rows) (ROWS rows of a row-major A at a time) from gemm.c. The five
 * loops of the Goto/BLIS algorithm are in unit_job() and block(); the
 * micro-kernel holds the innermost (over k). */

/* Copies rows × kc of A into MR-row slivers (rows past `rows` zero): sliver
 * s holds A[s·MR + i, p] at dst[s·MR·kc + p·MR + i]. */
static void F(pack_a)(T *restrict dst, const T *a, int64_t rs_a,
                      int64_t cs_a, int64_t rows, int64_t kc, int mr)
{
	for (int64_t i0 = 0; i0 < rows; i0 += mr, dst += mr * kc) {
		int r = rows - i0 < mr ? (int)(rows - i0) : mr;
		const T *src = a + i0 * rs_a;
		if (rs_a == 1) {
			for (int64_t p = 0; p < kc; p++) {
				const T *s = src + p * cs_a;
				T *d = dst + p * mr;
				for (int i = 0; i < r; i++)
					d[i] = s[i];
				for (int i = r; i < mr; i++)
					d[i] = 0;
			}
			continue;
		}
		int i = 0;
		if (cs_a == 1)
			for (; i + ROWS <= r; i += ROWS)
				F(pack_rows)(dst + i, mr, src + i * rs_a, rs_a, kc);
		for (; i < r; i++) {
			const T *s = src + i * rs_a;
			if (cs_a == 1)
				for (int64_t p = 0; p < kc; p++)
					dst[p * mr + i] = s[p];
			else
				for (int64_t p = 0; p < kc; p++)
					dst[p * mr + i] = s[p * cs_a];
		}
		for (int i = r; i < mr; i++)
			for (int64_t p = 0; p < kc; p++)
				dst[p * mr + i] = 0;
	}
}

/* Copies kc × cols of B into NR-column slivers (columns past `cols` zero):
 * sliver s holds B[p, s·NR + j] at dst[s·NR·kc + p·NR + j]. */
static void F(pack_b)(T *restrict dst, const T *b, int64_t rs_b,
                      int64_t cs_b, int64_t kc, int64_t cols, int nr)
{
	/* Row-major B goes PACK_ROWS rows at a time, sliver by sliver
	 * within them (pack_rows_b, gemm.c). */
	if (cs_b == 1) {
		for (int64_t p0 = 0; p0 < kc; p0 += PACK_ROWS) {
			int rows = kc - p0 < PACK_ROWS ? (int)(kc - p0) : PACK_ROWS;
			pack_rows_b(dst + p0 * nr, (size_t)(nr * kc) * sizeof(T),
			            b + p0 * rs_b, rs_b * (int64_t)sizeof(T), rows,
			            (size_t)cols * sizeof(T),
			            (size_t)nr * sizeof(T));
		}
		return;
	}
	for (int64_t j0 = 0; j0 < cols; j0 += nr, dst += nr * kc) {
		int w = cols - j0 < nr ? (int)(cols - j0) : nr;
		const T *src = b + j0 * cs_b;
		for (int j = 0; j < w; j++) {
			const T *s = src + j * cs_b;
			if (rs_b == 1)
				for (int64_t p = 0; p < kc; p++)
					dst[p * nr + j] = s[p];
			else
				for (int64_t p = 0; p < kc; p++)
					dst[p * nr + j] = s[p * rs_b];
		}
		for (int j = w; j < nr; j++)
			for (int64_t p = 0; p < kc; p++)
				dst[p * nr + j] = 0;
	}
}

/* C = beta·C (beta == 0: zeros, C not read): the k == 0 or alpha == 0 case. */
static void F(scale)(int64_t m, int64_t n, T beta, T *c, int64_t rs_c,
                     int64_t cs_c)
{
	if (beta == 1)
		return;
	for (int64_t i = 0; i < m; i++)
		for (int64_t j = 0; j < n; j++) {
			T *cij = c + i * rs_c + j * cs_c;
			*cij = beta == 0 ? 0 : beta * *cij;
		}
}

struct F(job) {
	int64_t m, n, k;
	T alpha, beta;
	const T *a;
	int64_t rs_a, cs_a;
	const T *b;
	int64_t rs_b, cs_b;
	T *c;
	int64_t rs_c, cs_c;
	const struct mm_gemm_isa_kernels *kr;
	int64_t kc, nc;            /* block sizes: L1 (A sliver), L2 (B block) */
	int64_t mg, ng;            /* units are whole grains of mg rows, */
	int64_t sm, sn;            /* ng columns: sm, sn grains in all, */
	int64_t um, un;            /* um units down m, un across n, */
	int64_t mcu, ncu;          /* the largest mcu rows × ncu columns */
	int64_t nunits;            /* um · un */
	T *apack;                  /* one mcu × kc A panel per thread */
	T *const *bpack;           /* one kc × nc B block per thread */
	T *shared[2];              /* A, B packed once for all units, or NULL: */
	atomic_int *state[2];      /* the states of their blocks, */
	int64_t pad[2];            /* m, n rounded up to MR, NR, */
	int64_t nblk[2];           /* blocks across m, n in a k block */
	int64_t bpu;               /* B blocks across a unit */
	atomic_long next;          /* the next unit to take */
	atomic_bool stopped;       /* interrupted */
};

/* Cuts g's m × n into um × un units as even as whole grains of mg rows
 * and ng columns allow (MR and NR, or the whole side, so that every unit
 * holds whole tiles): 1025 rows in 4 units of 8-row grains are 264, 256,
 * 256 and 249 rows, where blocks of 264 left 233 for the last, and one of
 * two threads did 528 rows while the other did 497. */
static void F(units)(struct F(job) *g, int64_t mg, int64_t um, int64_t ng,
                     int64_t un)
{
	g->mg = mg;
	g->ng = ng;
	g->sm = (g->m + mg - 1) / mg;
	g->sn = (g->n + ng - 1) / ng;
	g->um = um < 1 ? 1 : um > g->sm ? g->sm : um;
	g->un = un < 1 ? 1 : un > g->sn ? g->sn : un;
	g->mcu = (g->sm + g->um - 1) / g->um * mg;
	g->ncu = (g->sn + g->un - 1) / g->un * ng;
	g->nunits = g->um * g->un;
}

/* Unit q of u along a side of `len` in s grains of g: [lo, hi). */
static void F(cut)(int64_t q, int64_t u, int64_t s, int64_t g, int64_t len,
                   int64_t r[2])
{
	r[0] = q * s / u * g;
	r[1] = (q + 1) * s / u * g;
	r[1] = r[1] < len ? r[1] : len;
}

/* The next unit for this thread, rows i[0]..i[1] and columns j[0]..j[1],
 * number u[0] down m and u[1] across n; false when none is left or the
 * job was interrupted. Jobs are shared by the threads awake (pool.h):
 * whoever takes a unit, its tiles are computed the same way, so the bits
 * do not depend on the threads. Units are taken down m first, so that
 * units running at once have different rows of A (one thread would
 * otherwise pack each A panel while the other, in step with it, packed
 * its own copy, F(claim)); block() keeps them off each other's B. */
static bool F(take)(struct F(job) *g, int64_t i[2], int64_t j[2],
                    int64_t u[2])
{
	if (atomic_load(&g->stopped))
		return false;
	int64_t x = atomic_fetch_add(&g->next, 1);
	if (x >= g->nunits)
		return false;
	u[0] = x % g->um;
	u[1] = x / g->um;
	F(cut)(u[0], g->um, g->sm, g->mg, g->m, i);
	F(cut)(u[1], g->un, g->sn, g->ng, g->n, j);
	return true;
}

/* Units side by side along n all need the same rows of A, and units one
 * above the other the same columns of B. Such an operand is packed once
 * for all, in g->shared, with a state for each of its blocks (0 not
 * packed, 1 being packed, 2 packed). The first thread to want a block
 * packs it there for all; a thread that finds it being packed packs its
 * own copy instead, so nobody waits on a thread that is not running. The
 * values are the same either way, so the bits of C do not depend on who
 * packed. Returns 2 (read the shared block), 1 (pack it there, then set
 * 2) or 0 (pack a private copy). */
static int F(claim)(atomic_int *st)
{
	int s = atomic_load_explicit(st, memory_order_acquire);
	if (s == 0 && atomic_compare_exchange_strong(st, &s, 1))
		return 1;
	return s == 2 ? 2 : 0;
}

/* A packed operand for k block pc..pc+kc: B's columns lo..lo+len (a
 * kc × nc block, the unit's block number blk) if is_b, else A's rows
 * lo..lo+len (a unit's panel), packed in `own` (this thread's buffer) or
 * found or packed in g->shared. */
static const T *F(packed)(struct F(job) *g, bool is_b, T *own, int64_t pc,
                          int64_t kc, int64_t lo, int64_t len, int64_t blk)
{
	atomic_int *st = NULL;
	int c = 0;
	if (g->shared[is_b]) {
		st = &g->state[is_b][pc / g->kc * g->nblk[is_b] + blk];
		if ((c = F(claim)(st)))
			own = g->shared[is_b] + pc * g->pad[is_b] + lo * kc;
	}
	if (c != 2 && is_b)
		F(pack_b)(own, g->b + pc * g->rs_b + lo * g->cs_b, g->rs_b,
		          g->cs_b, kc, len, g->kr->NR);
	else if (c != 2)
		F(pack_a)(own, g->a + lo * g->rs_a + pc * g->cs_a, g->rs_a,
		          g->cs_a, len, kc, g->kr->MR);
	if (c == 1)
		atomic_store_explicit(st, 2, memory_order_release);
	return own;
}

/* Loops 3, 2 and 1 for one packed A panel (rows ilo..ihi, packed at
 * `apanel`) and k block pc..pc+kc: B is packed NC columns at a time into
 * this thread's buffer (L2) or found packed, and every MR × NR tile goes
 * to the kernel.
 * Returns true if interrupted. */
static bool F(block)(struct F(job) *g, T *bbuf, const T *apanel,
                     const int64_t i[2], const int64_t j[2],
                     const int64_t u[2], int64_t pc, int64_t kc, T beta)
{
	const int64_t ilo = i[0], ihi = i[1], j0 = j[0], j1 = j[1];
	const int mr = g->kr->MR, nr = g->kr->NR;
	UKR_TYPE *ukr = g->kr->UKR;

	/* Units one above the other need the same B blocks; each starts
	 * at its own block, as far from its neighbours' as the units allow,
	 * so that units running at once pack different blocks and then find
	 * the others' packed. In step, they packed every block twice (at
	 * 1024³ f64 on 2 threads: 94 private copies for 96 shared packs;
	 * now 3-32). The order of C's blocks within a k block does not
	 * change the bits. */
	const int64_t nb = (j1 - j0 + g->nc - 1) / g->nc;
	const int64_t rot = u[0] * nb / g->um;
	for (int64_t q = 0; q < nb; q++) {                         /* loop 3 */
		int64_t jc = j0 + (q + rot) % nb * g->nc;
		int64_t nc = j1 - jc < g->nc ? j1 - jc : g->nc;
		const T *bb = F(packed)(g, true, bbuf, pc, kc, jc, nc,
		                        u[1] * g->bpu + (jc - j0) / g->nc);
		for (int64_t ir = ilo; ir < ihi; ir += mr) {       /* loop 2 */
			const T *as = apanel + (ir - ilo) * kc;
			int r = ihi - ir < mr ? (int)(ihi - ir) : mr;
			T *cr = g->c + ir * g->rs_c + jc * g->cs_c;
			for (int64_t jr = 0; jr < nc; jr += nr) {  /* loop 1 */
				int w = nc - jr < nr ? (int)(nc - jr) : nr;
				ukr(kc, g->alpha, as, 1, mr, bb + jr * kc, nr, beta,
				    cr + jr * g->cs_c, g->rs_c, g->cs_c, r, w);
			}
			if (mm_interrupted() || atomic_load_explicit(
			            &g->stopped, memory_order_relaxed))
				return true;
		}
	}
	return false;
}

/* A large product shared by the threads awake: each takes the next unit
 * (a block of C, mcu rows by ncu columns, tiles aligned) and computes it
 * with loops 5 and 4 here, packing its A panel (kept in L3) for each k
 * block or finding it packed (F(packed)), and 3 to 1 in block(). A
 * worker that wakes late takes what is left; whoever computes a tile,
 * its arithmetic is the same. */
static void F(unit_job)(void *arg, int tid, int nt)
{
	struct F(job) *g = arg;
	(void)nt;
	T *bbuf = g->bpack[tid];
	T *abuf = g->apack + tid * g->mcu * g->kc;
	int64_t i[2], j[2], u[2];
	while (F(take)(g, i, j, u)) {
		for (int64_t pc = 0; pc < g->k; pc += g->kc) {     /* loop 4 */
			int64_t kc = g->k - pc < g->kc ? g->k - pc : g->kc;
			const T *apanel = F(packed)(g, false, abuf, pc, kc, i[0],
			                            i[1] - i[0], u[0]);
			if (F(block)(g, bbuf, apanel, i, j, u, pc, kc,
			             pc ? 1 : g->beta)) {
				atomic_store(&g->stopped, true);
				return;
			}
		}
	}
}

/* Balanced blocks of at most `max` along a dimension of size `len`, a
 * multiple of `unit` long (the last may be shorter). */
static int64_t F(even_block)(int64_t len, int64_t max, int unit)
{
	if (len <= max)                 /* no divisions for a small product */
		return (len + unit - 1) / unit * unit;
	int64_t nb = (len + max - 1) / max;
	int64_t b = (len + nb - 1) / nb;
	return (b + unit - 1) / unit * unit;
}

/* Whether the kernel may read A in place for a tile of r rows (it reads
 * all MR rows unless its table says it reads only r), and B for a sliver
 * w columns wide whose rows are cs_b apart (contiguous, and whole or at
 * most NRE wide). */
static bool F(a_in_place)(const struct mm_gemm_isa_kernels *kr, int64_t r)
{
	return r == kr->MR || (r < kr->MR && (kr->re >> r & 1));
}

static bool F(b_in_place)(const struct mm_gemm_isa_kernels *kr,
                          int64_t cs_b, int64_t w)
{
	return cs_b == 1 && (w == kr->NR || w <= kr->NRE);
}

/* Products that fit in L1/L2 (a REPL multiplies many), or a part of one
 * (small_job): no workspace, and nothing packed that the kernel can read
 * in place. A is read where it is when its rows or columns are
 * contiguous, except the last tile of fewer than MR rows, which is copied
 * so the kernel may read all MR (row by row when A is row-major: a
 * transposing pack of those rows was 4% of a 100³ float product) unless
 * the kernel reads only those rows (kr->re); B's
 * rows are read in place when contiguous and the sliver is whole or at
 * most NRE wide. The B sliver is the outer loop, so it stays in L1 while
 * the A tiles stream past it. Also the fallback when the workspace cannot
 * be allocated, for any size and strides. */
static int F(small)(const struct mm_gemm_isa_kernels *kr, int64_t m,
                    int64_t n, int64_t k, T alpha, const T *a, int64_t rs_a,
                    int64_t cs_a, const T *b, int64_t rs_b, int64_t cs_b,
                    T beta, T *c, int64_t rs_c, int64_t cs_c)
{
	_Alignas(64) T abuf[MM_GEMM_MAX_MR * SMALL_KC];
	_Alignas(64) T bbuf[SMALL_KC * MM_GEMM_MAX_NR];
	const int mr = kr->MR, nr = kr->NR;
	const bool a_direct = rs_a == 1 || cs_a == 1;
	int64_t kcb = F(even_block)(k, kr->KC < SMALL_KC ? kr->KC : SMALL_KC, 1);

	for (int64_t pc = 0; pc < k; pc += kcb) {
		int64_t kc = k - pc < kcb ? k - pc : kcb;
		T bt = pc ? 1 : beta;
		for (int64_t jr = 0; jr < n; jr += nr) {
			int w = n - jr < nr ? (int)(n - jr) : nr;
			const T *bs = b + pc * rs_b + jr * cs_b;
			int64_t rsb = rs_b;
			if (!F(b_in_place)(kr, cs_b, w)) {
				F(pack_b)(bbuf, bs, rs_b, cs_b, kc, w, nr);
				bs = bbuf;
				rsb = nr;
			}
			for (int64_t ir = 0; ir < m; ir += mr) {
				int r = m - ir < mr ? (int)(m - ir) : mr;
				const T *as = a + ir * rs_a + pc * cs_a;
				int64_t rsa = rs_a, csa = cs_a;
				bool tail = !F(a_in_place)(kr, r);
				if (tail && cs_a == 1) {
					for (int i = 0; i < r; i++)
						memcpy(abuf + i * kc, as + i * rs_a,
						       (size_t)kc * sizeof(T));
					memset(abuf + r * kc, 0, (size_t)((mr - r) * kc) *
					       sizeof(T));
					as = abuf;
					rsa = kc;
				} else if (tail || !a_direct) {
					F(pack_a)(abuf, as, rs_a, cs_a, r, kc, mr);
					as = abuf;
					rsa = 1;
					csa = mr;
				}
				kr->UKR(kc, alpha, as, rsa, csa, bs, rsb, bt,
				        c + ir * rs_c + jr * cs_c, rs_c, cs_c, r, w);
			}
			if (mm_interrupted())
				return MM_ERR_INTERRUPTED;
		}
	}
	return 0;
}

/* The kernel calls F(small) would make when every tile, the last ones
 * too, is read in place and k is one block, in its order, without its
 * set-up: a 12³ float product took 71 ns, 6 of them in that set-up. */
static inline __attribute__((always_inline)) int
F(tiles)(const struct mm_gemm_isa_kernels *kr, int64_t m, int64_t n,
         int64_t k, T alpha, const T *a, int64_t rs_a, int64_t cs_a,
         const T *b, int64_t rs_b, int64_t cs_b, T beta, T *c, int64_t rs_c,
         int64_t cs_c)
{
	const int mr = kr->MR, nr = kr->NR;
	for (int64_t jr = 0; jr < n; jr += nr) {
		if (mm_interrupted())
			return MM_ERR_INTERRUPTED;
		int w = n - jr < nr ? (int)(n - jr) : nr;
		for (int64_t ir = 0; ir < m; ir += mr)
			kr->UKR(k, alpha, a + ir * rs_a, rs_a, cs_a, b + jr * cs_b,
			        rs_b, beta, c + ir * rs_c + jr * cs_c, rs_c, cs_c,
			        m - ir < mr ? (int)(m - ir) : mr, w);
	}
	return 0;
}

/* A part of a small product (MR rows or NR columns at a time). */
static void F(small_job)(void *arg, int tid, int nt)
{
	struct F(job) *g = arg;
	(void)tid;
	(void)nt;
	int64_t i[2], j[2], u[2];
	while (F(take)(g, i, j, u))
		if (F(small)(g->kr, i[1] - i[0], j[1] - j[0], g->k, g->alpha,
		             g->a + i[0] * g->rs_a, g->rs_a, g->cs_a,
		             g->b + j[0] * g->cs_b, g->rs_b, g->cs_b, g->beta,
		             g->c + i[0] * g->rs_c + j[0] * g->cs_c, g->rs_c,
		             g->cs_c))
			atomic_store(&g->stopped, true);
}

/* A row vector times a matrix (m == 1), GEMV_CHUNK columns at a time,
 * with a polling point between chunks. */
static void F(gemv_job)(void *arg, int tid, int nt)
{
	struct F(job) *g = arg;
	(void)tid;
	(void)nt;
	int64_t i[2], j[2], u[2];
	while (F(take)(g, i, j, u)) {
		if (mm_interrupted()) {
			atomic_store(&g->stopped, true);
			return;
		}
		g->kr->GEMV(j[1] - j[0], g->k, g->alpha, g->a, g->cs_a,
		            g->b + j[0] * g->cs_b, g->rs_b, g->cs_b, g->beta,
		            g->c + j[0] * g->cs_c, g->cs_c);
	}
}

/* Runs fn over g's units on up to nt threads (no more than units). */
static int F(run)(struct F(job) *g, int nt, mm_gemm_job_fn *fn)
{
	if (nt > g->nunits)
		nt = (int)g->nunits;
	pthread_mutex_lock(&call_mu);
	mm_gemm_pool_run(nt, fn, g);
	pthread_mutex_unlock(&call_mu);
	return atomic_load(&g->stopped) ? MM_ERR_INTERRUPTED : 0;
}

static int F(jobs)(const struct mm_gemm_isa_kernels *kr, bool small, int nt,
                   int64_t m, int64_t n, int64_t k, T alpha, const T *a,
                   int64_t rs_a, int64_t cs_a, const T *b, int64_t rs_b,
                   int64_t cs_b, T beta, T *c, int64_t rs_c, int64_t cs_c);

static int F(gemm)(int64_t m, int64_t n, int64_t k, T alpha, const T *a,
                   int64_t rs_a, int64_t cs_a, const T *b, int64_t rs_b,
                   int64_t cs_b, T beta, T *c, int64_t rs_c, int64_t cs_c)
{
	if (m <= 0 || n <= 0)
		return 0;
	if (k <= 0 || alpha == 0) {
		F(scale)(m, n, beta, c, rs_c, cs_c);
		return 0;
	}
	/* The kernels want C's rows contiguous and the skinny path wants a
	 * row vector: if C is a column or column-major, compute
	 * Cᵀ = Bᵀ·Aᵀ instead (a swap of operands and strides, no copy). */
	if (n == 1 ? m != 1 : (m != 1 && rs_c == 1 && cs_c != 1)) {
		const T *t = a;
		a = b;
		b = t;
		int64_t s = m;
		m = n;
		n = s;
		s = rs_a;
		rs_a = cs_b;
		cs_b = s;
		s = cs_a;
		cs_a = rs_b;
		rs_b = s;
		s = rs_c;
		rs_c = cs_c;
		cs_c = s;
	}
	const struct mm_gemm_isa_kernels *kr = kernels();

	/* Which path depends on the shape and strides only, never on the
	 * threads, so that the bits do not either. */
	const bool small = (rs_a == 1 || cs_a == 1) && k <= SMALL_KC &&
	                   (double)m * n * k <= SMALL_MNK;
	/* One thread below MT_MIN_FLOPS. */
	double flops = 2.0 * (double)m * (double)n * (double)k;
	int nt = flops < MT_MIN_FLOPS ? 1 : mm_gemm_threads();
	if (m == 1 || small)
		shared_trim_unused();
	/* The usual small product, first: a job is not needed, and setting
	 * one up (zeroing it) was a quarter of the time of a 4x4 product.
	 * A small matrix-vector product (under GEMV_MT_MIN: microseconds)
	 * polls once. */
	if (m == 1 && (double)n * (double)k < GEMV_MT_MIN) {
		if (mm_interrupted())
			return MM_ERR_INTERRUPTED;
		kr->GEMV(n, k, alpha, a, cs_a, b, rs_b, cs_b, beta, c, cs_c);
		return 0;
	}
	/* One tile the kernel reads in place: the one kernel call F(small)
	 * would make, without its loops (a 2x2x2 product took 28 ns, a third
	 * of it in F(small)'s set-up); several such tiles over one k block,
	 * F(tiles). */
	if (small && nt == 1 && k <= (kr->KC < SMALL_KC ? kr->KC : SMALL_KC)) {
		if (m <= kr->MR && n <= kr->NR && F(a_in_place)(kr, m) &&
		    F(b_in_place)(kr, cs_b, n)) {
			if (mm_interrupted())
				return MM_ERR_INTERRUPTED;
			kr->UKR(k, alpha, a, rs_a, cs_a, b, rs_b, beta, c, rs_c,
			        cs_c, (int)m, (int)n);
			return 0;
		}
		if (F(a_in_place)(kr, (m - 1) % kr->MR + 1) &&
		    F(b_in_place)(kr, cs_b, (n - 1) % kr->NR + 1))
			return F(tiles)(kr, m, n, k, alpha, a, rs_a, cs_a, b,
			                rs_b, cs_b, beta, c, rs_c, cs_c);
	}
	return F(jobs)(kr, small, nt, m, n, k, alpha, a, rs_a, cs_a, b, rs_b,
	               cs_b, beta, c, rs_c, cs_c);
}

/* The rest of F(gemm) (C is row-major by now): the small path, on one
 * thread or several, and the matrix-vector and blocked paths. Out of
 * line, so that its registers and its 300-byte job do not weigh on the
 * products of a few nanoseconds that F(gemm) runs itself (inlined, a
 * 3x3x3 float product went from 0.95 of OpenBLAS to 0.88). */
static __attribute__((noinline)) int
F(jobs)(const struct mm_gemm_isa_kernels *kr, bool small, int nt, int64_t m,
        int64_t n, int64_t k, T alpha, const T *a, int64_t rs_a, int64_t cs_a,
        const T *b, int64_t rs_b, int64_t cs_b, T beta, T *c, int64_t rs_c,
        int64_t cs_c)
{
	int nthreads = mm_gemm_threads();
	if (small && m != 1 && nt == 1)
		return F(small)(kr, m, n, k, alpha, a, rs_a, cs_a, b, rs_b, cs_b,
		                beta, c, rs_c, cs_c);
	struct F(job) g = {
		.m = m, .n = n, .k = k, .alpha = alpha, .beta = beta,
		.a = a, .rs_a = rs_a, .cs_a = cs_a,
		.b = b, .rs_b = rs_b, .cs_b = cs_b,
		.c = c, .rs_c = rs_c, .cs_c = cs_c, .kr = kr,
	};
	if (m == 1) {
		F(units)(&g, 1, 1, GEMV_CHUNK, (n + GEMV_CHUNK - 1) / GEMV_CHUNK);
		return F(run)(&g, nthreads, F(gemv_job));
	}

	const int mr = kr->MR, nr = kr->NR;
	const int64_t es = (int64_t)sizeof(T);

	/* On more threads, a small product goes in MR rows or NR columns
	 * along its longer side. */
	if (small) {
		if (m > n)
			F(units)(&g, mr, (m + mr - 1) / mr, n, 1);
		else
			F(units)(&g, m, 1, nr, (n + nr - 1) / nr);
		return F(run)(&g, nt, F(small_job));
	}

	/* Block sizes: KC from the kernel, so its A sliver fits in 3/4 of L1
	 * (measured best on Zen 4: 384 float, 256 double), NC so a
	 * thread's B block fills about half its L2, and a unit's A panel
	 * (read again from L3 for every B block) at most the size of L2: on
	 * Zen 4 (1 MiB L2, an L3 shared with other machines), f64 4096³ went
	 * from 0.93-0.97 of OpenBLAS with 2048-row panels to 1.00-1.01 with
	 * 512, 2048³ and the (1024x4096)@(4096x4096) layer by 2-3%. That
	 * needs B packed once for all the units down m (below); when B is
	 * too large to share, panels stay up to a quarter of L3, since
	 * packing B again for each of many units cost more (0.92-0.95).
	 * On one thread, panels may be twice L2. Units down m then run one
	 * after the other, so B shared between them goes out to memory and
	 * back; with one 1024-row panel instead of two of 512, the f64
	 * layer packs each B block once, into L2, and went from 54.5-54.6
	 * to 55.1-55.4 GFLOP/s (OpenBLAS 54.8-55.4). Squares from 1024 to
	 * 4096, f32 and f64, stayed within the noise. */
	const struct caches *cs = cache_sizes();
	int64_t kcl1 = cs->l1 * 3 / 4 / (mr * es);
	g.kc = F(even_block)(k, kcl1 < 32 ? 32 : kcl1 < kr->KC ? kcl1 : kr->KC, 1);
	int64_t nc = cs->l2 / 2 / (g.kc * es) / nr * nr;
	g.nc = nc < nr ? nr : nc;
	bool b_shareable = (size_t)(k * ((n + nr - 1) / nr * nr) * es) <=
	                   SHARED_MAX;
	int64_t panel = cs->l3 / 4;
	if (b_shareable && cs->l2 < panel)
		panel = nt == 1 && 2 * cs->l2 < panel ? 2 * cs->l2 : cs->l2;
	int64_t mc = panel / (g.kc * es) / mr * mr;
	if (mc < 4 * mr)
		mc = 4 * mr;

	/* Units: up to two per thread along the longer side, none under
	 * UNIT_MIN rows or columns (smaller ones pass over C in too many
	 * pieces), rows no more than mc.
	 * Two a thread let a worker that wakes late still take a share.
	 * The bits do not depend on this split, only the speed. */
	int64_t um = 1, un = 1;
	if (m >= n)
		um = m / UNIT_MIN < 2 * nt ? m / UNIT_MIN : 2 * nt;
	else
		un = n / UNIT_MIN < 2 * nt ? n / UNIT_MIN : 2 * nt;
	if (um < (m + mc - 1) / mc)
		um = (m + mc - 1) / mc;
	F(units)(&g, mr, um, nr, un);
	if (nt > g.nunits)
		nt = (int)g.nunits;

	pthread_mutex_lock(&call_mu);
	T *const *bp = (T *const *)workspace((size_t)(nt * g.mcu * g.kc * es),
	                                     (size_t)(g.kc * g.nc * es), nt);
	if (!bp) {
		pthread_mutex_unlock(&call_mu);
		return F(small)(kr, m, n, k, alpha, a, rs_a, cs_a, b, rs_b,
		                cs_b, beta, c, rs_c, cs_c);
	}
	g.apack = ws.a;
	g.bpack = bp;
	/* Operands that several units need are packed once (F(claim)):
	 * repacking B for every unit was 3-5% of a product on 2 threads. */
	int64_t nkb = (k + g.kc - 1) / g.kc;
	g.bpu = (g.ncu + g.nc - 1) / g.nc;
	g.pad[0] = (m + mr - 1) / mr * mr;
	g.pad[1] = (n + nr - 1) / nr * nr;
	g.nblk[0] = g.um;
	g.nblk[1] = g.un * g.bpu;
	size_t used[2] = {0, 0};
	for (int s = 0; s < 2; s++) {
		size_t bytes = (size_t)(k * g.pad[s] * es);
		struct shared *sh;
		if ((s ? g.um : g.un) > 1 && bytes <= SHARED_MAX &&
		    (sh = shared_pack(s, bytes, (size_t)(nkb * g.nblk[s])))) {
			g.shared[s] = sh->p;
			g.state[s] = sh->state;
			used[s] = bytes;
		}
	}
	mm_gemm_pool_run(nt, F(unit_job), &g);
	shared_trim(used);
	pthread_mutex_unlock(&call_mu);
	return atomic_load(&g.stopped) ? MM_ERR_INTERRUPTED : 0;
}

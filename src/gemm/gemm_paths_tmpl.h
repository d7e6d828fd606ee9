/* gemm_paths_tmpl.h — the paths of a product other than the blocked
 * one's loops (gemm_tmpl.h: the small path, the matrix-vector and skinny
 * paths), the choice among them and their blocking (F(plan)), the entry
 * point F(gemm) and batches (F(batch)). gemm.c includes it after
 * gemm_tmpl.h, with the same macros defined. */

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
				kr->PACK_B(bbuf, bs, rs_b, cs_b, kc, w, nr);
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
					kr->PACK_A(abuf, as, rs_a, cs_a, r, kc, mr);
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
			atomic_store(&g->ctl->stopped, true);
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
			atomic_store(&g->ctl->stopped, true);
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
	return atomic_load(&g->ctl->stopped) ? MM_ERR_INTERRUPTED : 0;
}

/* The skinny path: C's columns j0..j1, all m <= SKINNY_M rows, with A
 * packed at `ap` (F(pack_rows)) and B read in place, row-major. A decode
 * step multiplies a few rows by a large matrix: each element of B serves
 * m FMAs only, so the product runs at the speed B streams from memory,
 * and packing it (74% of the time at (8x4096)@(4096x4096)) or reading it
 * down its columns a sliver at a time (a new 4 KiB page every row) loses
 * that speed. Here B goes SKINNY_ROWS rows at a time, each row read from
 * left to right across the columns by the rows kernel (skinny.c), which
 * keeps the sums of all m rows for a sliver in registers over those rows
 * and prefetches further along each row; between calls the sums wait in
 * `acc` (nc columns at a time, in L2), whose rows are SKINNY_PAD apart
 * beyond nc so that they do not share L1's sets with each other and with
 * B's rows (C's rows, 16 KiB apart at n = 4096, cost a third). Then
 * alpha·sum + beta·C goes to C. Returns true if interrupted. */
static bool F(skinny_run)(struct F(job) *g, int64_t j0, int64_t j1,
                          const T *ap, T *acc)
{
	const int64_t m = g->m, k = g->k, rs_b = g->rs_b;
	for (int64_t jc = j0; jc < j1; jc += g->nc) {
		int64_t jw = j1 - jc < g->nc ? j1 - jc : g->nc;
		const int64_t rs_o = jw + SKINNY_PAD;
		for (int64_t p0 = 0; p0 < k; p0 += g->kc) {
			int64_t kg = k - p0 < g->kc ? k - p0 : g->kc;
			g->kr->ROWS((int)m, kg, jw, ap + p0 * m,
			            g->b + p0 * rs_b + jc, rs_b, acc, rs_o, p0 == 0);
			if (F(stop)(g))
				return true;
		}
		for (int64_t i = 0; i < m; i++)
			for (int64_t j = 0; j < jw; j++) {
				T *cij = g->c + i * g->rs_c + (jc + j) * g->cs_c;
				T s = acc[i * rs_o + j];
				*cij = g->beta == 0 ? g->alpha * s
				                    : g->alpha * s + g->beta * *cij;
			}
	}
	return false;
}

/* A skinny product's A, m × k, packed for the rows kernel: Aᵀ row after
 * row, dst[p·m + i] = A[i, p]. */
static void F(pack_rows)(const struct F(job) *g, T *restrict dst)
{
	const int64_t m = g->m, k = g->k;
	for (int64_t i = 0; i < m; i++) {
		const T *ai = g->a + i * g->rs_a;
		for (int64_t p = 0; p < k; p++)
			dst[p * m + i] = ai[p * g->cs_a];
	}
}

/* A part of a skinny product, A packed already (g->shared[0]). */
static void F(skinny_job)(void *arg, int tid, int nt)
{
	struct F(job) *g = arg;
	(void)nt;
	int64_t i[2], j[2], u[2];
	while (F(take)(g, i, j, u))
		if (F(skinny_run)(g, j[0], j[1], g->shared[0], g->bbuf[tid]))
			return;
}

/* Units that nt threads finish together: n of them (capped at 2·nt), a
 * multiple of nt; at least nt, if the side has room. 384³ on 2 threads
 * went in 3 units, of which one thread did two. */
static int64_t F(round_units)(int64_t n, int nt)
{
	if (n > 2 * nt)
		n = 2 * nt;
	if (nt <= 1)
		return n < 1 ? 1 : n;
	return n < nt ? nt : n / nt * nt;
}

/* The small path's split for nt threads: nt units of whole MR rows or NR
 * columns, whichever side gives the threads more even shares, the
 * longer side if they tie (96³ in 32-column units was 3 for 2 threads).
 * As few units as threads: each unit passes all of its B slivers
 * through L1 for its rows of A, so 8-row units (12 at 96³) read B twelve
 * times where two units read it twice; a worker that wakes late finds
 * the caller on the second unit, and the product runs at one thread's
 * speed, never slower. */
static void F(plan_small)(struct F(job) *g, int nt)
{
	const int mr = g->kr->MR, nr = g->kr->NR;
	int64_t ur = (g->m + mr - 1) / mr, uc = (g->n + nr - 1) / nr;
	double er = (double)ur / (double)((ur + nt - 1) / nt * nt);
	double ec = (double)uc / (double)((uc + nt - 1) / nt * nt);
	if (er > ec || (er == ec && g->m > g->n))
		F(units)(g, mr, nt, g->n, 1);
	else
		F(units)(g, g->m, 1, nr, nt);
}

/* The skinny path's blocking: sums of nc columns within a quarter of L2,
 * units of columns (two a thread, so that a worker that wakes late still
 * takes a share, and B's rows are read in long runs; A is packed once,
 * before). need[0]: A
 * packed over all of k; need[1]: the sums. */
static void F(plan_skinny)(struct F(job) *g, int nt, size_t need[2])
{
	const int nr = g->kr->NR;
	const int64_t es = (int64_t)sizeof(T);
	int64_t nc = cache_sizes()->l2 / 4 / (g->m * es) / nr * nr;
	g->nc = nc < nr ? nr : nc;
	g->kc = SKINNY_ROWS;
	F(units)(g, g->m, 1, nr, nt > 1 ? 2 * nt : 1);
	need[0] = (size_t)(g->m * g->k);
	need[1] = (size_t)(g->m * ((g->ncu < g->nc ? g->ncu : g->nc) +
	                               SKINNY_PAD));
}

/* The blocked path's blocking for nt threads. need[0]: an A panel (a
 * tile when A is read in place), need[1]: a B block.
 * KC from the kernel, so its A sliver fits in 3/4 of L1 (measured best
 * on Zen 4: 384 float, 256 double), NC so a thread's B block fills about
 * half its L2 but no more than B_BLOCK_MAX (gemm.c), and a unit's A panel (read again from L3 for every B
 * block) at most the size of L2: on Zen 4 (1 MiB L2, an L3 shared with
 * other machines), f64 4096³ went from 0.93-0.97 of OpenBLAS with
 * 2048-row panels to 1.00-1.01 with 512, 2048³ and the
 * (1024x4096)@(4096x4096) layer by 2-3%. That needs B packed once for
 * all the units down m; when B is too large to share, panels stay up to
 * a quarter of L3, since packing B again for each of many units cost
 * more (0.92-0.95). On one thread, panels may be twice L2: units down m
 * then run one after the other, so B shared between them goes out to
 * memory and back; with one 1024-row panel instead of two of 512, the
 * f64 layer packs each B block once, into L2, and went from 54.5-54.6
 * to 55.1-55.4 GFLOP/s (OpenBLAS 54.8-55.4).
 * With n at most eight slivers, A is read in place: each of its
 * elements serves eight kernel calls at most, and packing it was 35% of
 * the time of P@V, 96×(1024×1024)@(1024×64) (measured on one thread,
 * A in place against packed: n = 64 f64 1.22x, n = 128 f32 1.15x and f64
 * 1.12x, n = 256 f32 1.10x, n = 512 f32 0.99x). With n at most four
 * slivers, k goes in blocks of a DIRECT_A_TILE tile of A (gemm.c): A's
 * rows are read in longer runs, P@V 1.10x, 96×(1024×1024)@(1024×128)
 * 1.07x, single products 3-5% (k blocks of 1024 floats rather than 384);
 * with wider B the longer slivers of B cost more than that gains.
 * With a few rows of A (B by columns: x @ W.T, a linear layer's
 * weights), k goes in blocks of up to SKINNY_KC: A's one or two slivers
 * stream from L2 all the same, and B, packed a block at a time into L2
 * through the transposes, is read from memory in long runs down its
 * columns. (8x4096)@(4096x4096).T went 1.2-1.3x faster than in blocks of
 * 384, 1.12x faster than 2048; in f64 1.3x. */
static void F(plan_blocked)(struct F(job) *g, int nt, size_t need[2])
{
	const struct mm_gemm_isa_kernels *kr = g->kr;
	const int mr = kr->MR, nr = kr->NR;
	const int64_t es = (int64_t)sizeof(T), m = g->m, n = g->n, k = g->k;
	const struct caches *cs = cache_sizes();
	g->a_direct = n <= 8 * nr && g->cs_a == 1;
	int64_t kcl1 = cs->l1 * 3 / 4 / (mr * es);
	g->kc = F(even_block)(k, kcl1 < 32 ? 32 : kcl1 < kr->KC ? kcl1 : kr->KC,
	                      1);
	if (g->a_direct && n <= 4 * nr)
		g->kc = F(even_block)(k, DIRECT_A_TILE / (mr * es), 1);
	if (m <= SKINNY_M)
		g->kc = F(even_block)(k, SKINNY_KC, 1);
	int64_t bblock = cs->l2 / 2 < B_BLOCK_MAX ? cs->l2 / 2 : B_BLOCK_MAX;
	int64_t nc = bblock / (g->kc * es) / nr * nr;
	g->nc = nc < nr ? nr : nc;
	bool b_shareable = (size_t)(k * ((n + nr - 1) / nr * nr) * es) <=
	                   SHARED_MAX;
	int64_t panel = cs->l3 / 4;
	if (b_shareable && cs->l2 < panel)
		panel = nt == 1 && 2 * cs->l2 < panel ? 2 * cs->l2 : cs->l2;
	int64_t mc = panel / (g->kc * es) / mr * mr;
	if (mc < 4 * mr)
		mc = 4 * mr;

	/* Units: up to two per thread along the longer side, a multiple of
	 * the threads, none under UNIT_MIN rows or columns if it can be
	 * helped (smaller ones pass over C in too many pieces), rows no
	 * more than mc. The bits do not depend on this split, only the
	 * speed. */
	int64_t um = 1, un = 1;
	if (g->batch > 1)
		;               /* an entry of a batch, alone on its thread */
	else if (m >= n)
		um = F(round_units)(m / UNIT_MIN, nt);
	else
		un = F(round_units)(n / UNIT_MIN, nt);
	int64_t umc = (m + mc - 1) / mc;
	if (um < umc)
		um = (umc + nt - 1) / nt * nt;
	F(units)(g, mr, um, nr, un);
	/* B blocks of even width across a unit: 384 columns in blocks of
	 * 320 and 64 had one of two threads pack five times the other's
	 * share of the B block they both need first. */
	g->nc = F(even_block)(g->ncu, g->nc, nr);
	need[0] = (size_t)((g->a_direct ? mr : g->mcu) * g->kc);
	need[1] = (size_t)(g->kc * g->nc);
}

/* The path of g (its shape and strides decide, never the threads) and
 * its blocking for nt threads (1: the calling thread alone); need[0],
 * need[1]: elements of the per-thread buffers abuf and bbuf it needs. */
static void F(plan)(struct F(job) *g, int nt, size_t need[2])
{
	const int64_t m = g->m, n = g->n, k = g->k;
	need[0] = need[1] = 0;
	if (m == 1) {
		/* GEMV_CHUNK columns or a little fewer a unit, as many units
		 * as a multiple of the threads */
		g->path = PATH_GEMV;
		int64_t un = (n + GEMV_CHUNK - 1) / GEMV_CHUNK;
		F(units)(g, 1, 1, GEMV_GRAIN, (un + nt - 1) / nt * nt);
	} else if ((g->rs_a == 1 || g->cs_a == 1) && k <= SMALL_KC &&
	           (double)m * (double)n * (double)k <= SMALL_MNK) {
		g->path = PATH_SMALL;
		F(plan_small)(g, nt);
	} else if (m <= SKINNY_M && g->cs_b == 1) {
		g->path = PATH_SKINNY;
		F(plan_skinny)(g, nt, need);
	} else {
		g->path = PATH_BLOCKED;
		F(plan_blocked)(g, nt, need);
	}
}

/* Makes C row-major or a row vector: if C is a column or column-major,
 * compute Cᵀ = Bᵀ·Aᵀ instead (a swap of operands and strides, no copy);
 * the kernels want C's rows contiguous and the matrix-vector path wants
 * a row vector. */
static void F(orient)(struct F(job) *g)
{
	if (g->n == 1 ? g->m == 1 : (g->m == 1 || g->rs_c != 1 || g->cs_c == 1))
		return;
	const T *t = g->a;
	g->a = g->b;
	g->b = t;
	int64_t s = g->m;
	g->m = g->n;
	g->n = s;
	s = g->rs_a;
	g->rs_a = g->cs_b;
	g->cs_b = s;
	s = g->cs_a;
	g->cs_a = g->rs_b;
	g->rs_b = s;
	s = g->rs_c;
	g->rs_c = g->cs_c;
	g->cs_c = s;
	s = g->bs_a;
	g->bs_a = g->bs_b;
	g->bs_b = s;
}

/* The skinny and blocked paths on nt threads: the workspace (under
 * call_mu), A packed once for a skinny product, the operands that units
 * share packed once for all of them (F(packed)), and the threads. */
static int F(packed_run)(struct F(job) *g, int nt, const size_t need[2])
{
	const struct mm_gemm_isa_kernels *kr = g->kr;
	const int mr = kr->MR, nr = kr->NR;
	const size_t es = sizeof(T);
	if (nt > g->nunits)
		nt = (int)g->nunits;
	pthread_mutex_lock(&call_mu);
	if (!workspace(need[0] * es, need[1] * es, nt)) {
		pthread_mutex_unlock(&call_mu);
		return F(small)(kr, g->m, g->n, g->k, g->alpha, g->a, g->rs_a,
		                g->cs_a, g->b, g->rs_b, g->cs_b, g->beta, g->c,
		                g->rs_c, g->cs_c);
	}
	g->abuf = (T *const *)ws.a;
	g->bbuf = (T *const *)ws.b;
	size_t used[2] = {0, 0};
	if (g->path == PATH_SKINNY) {
		F(pack_rows)(g, g->abuf[0]);
		g->shared[0] = g->abuf[0];
		mm_gemm_pool_run(nt, F(skinny_job), g);
	} else {
		int64_t nkb = (g->k + g->kc - 1) / g->kc;
		g->bpu = (g->ncu + g->nc - 1) / g->nc;
		g->pad[0] = (g->m + mr - 1) / mr * mr;
		g->pad[1] = (g->n + nr - 1) / nr * nr;
		g->nblk[0] = g->um;
		g->nblk[1] = g->un * g->bpu;
		for (int s = g->a_direct; s < 2; s++) {
			size_t bytes = (size_t)(g->k * g->pad[s]) * es;
			struct shared *sh;
			if ((s ? g->um : g->un) > 1 && bytes <= SHARED_MAX &&
			    (sh = shared_pack(s, bytes, (size_t)(nkb * g->nblk[s])))) {
				g->shared[s] = sh->p;
				g->state[s] = sh->state;
				used[s] = bytes;
			}
		}
		mm_gemm_pool_run(nt, F(unit_job), g);
	}
	shared_trim(used);
	pthread_mutex_unlock(&call_mu);
	return atomic_load(&g->ctl->stopped) ? MM_ERR_INTERRUPTED : 0;
}

static int F(jobs)(const struct mm_gemm_isa_kernels *kr, int nt, int64_t m,
                   int64_t n, int64_t k, T alpha, const T *a, int64_t rs_a,
                   int64_t cs_a, const T *b, int64_t rs_b, int64_t cs_b,
                   T beta, T *c, int64_t rs_c, int64_t cs_c);

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
	/* As F(orient), on the arguments (a job is not needed for the
	 * products of a few nanoseconds below). */
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

	/* F(plan)'s test for the small path, which depends on the shape and
	 * strides only, never on the threads, so that the bits do not
	 * either. */
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
	if (small && nt == 1 && m != 1)
		return F(small)(kr, m, n, k, alpha, a, rs_a, cs_a, b, rs_b, cs_b,
		                beta, c, rs_c, cs_c);
	return F(jobs)(kr, nt, m, n, k, alpha, a, rs_a, cs_a, b, rs_b, cs_b,
	               beta, c, rs_c, cs_c);
}

/* The rest of F(gemm) (C is row-major by now): the job, its plan and its
 * run. Out of line, so that its registers and its job do not weigh on
 * the products of a few nanoseconds that F(gemm) runs itself (inlined, a
 * 3x3x3 float product went from 0.95 of OpenBLAS to 0.88). */
static __attribute__((noinline)) int
F(jobs)(const struct mm_gemm_isa_kernels *kr, int nt, int64_t m, int64_t n,
        int64_t k, T alpha, const T *a, int64_t rs_a, int64_t cs_a,
        const T *b, int64_t rs_b, int64_t cs_b, T beta, T *c, int64_t rs_c,
        int64_t cs_c)
{
	struct mm_gemm_ctl ctl = {0};
	struct F(job) g = {
		.m = m, .n = n, .k = k, .alpha = alpha, .beta = beta,
		.a = a, .rs_a = rs_a, .cs_a = cs_a,
		.b = b, .rs_b = rs_b, .cs_b = cs_b,
		.c = c, .rs_c = rs_c, .cs_c = cs_c, .kr = kr, .batch = 1,
		.ctl = &ctl,
	};
	size_t need[2];
	const int nth = mm_gemm_threads();
	F(plan)(&g, m == 1 ? nth : nt, need);
	if (g.path == PATH_GEMV)
		return F(run)(&g, nth, F(gemv_job));
	if (g.path == PATH_SMALL)
		return F(run)(&g, nt, F(small_job));
	return F(packed_run)(&g, nt, need);
}

/* Entry e of a batch, on this thread alone (buffers abuf[tid],
 * bbuf[tid]), by the path and blocking F(plan) chose for one thread.
 * Returns true if interrupted. */
static bool F(entry_run)(struct F(job) *e, int tid)
{
	switch (e->path) {
	case PATH_GEMV:
		if (mm_interrupted())
			return true;
		e->kr->GEMV(e->n, e->k, e->alpha, e->a, e->cs_a, e->b, e->rs_b,
		            e->cs_b, e->beta, e->c, e->cs_c);
		return false;
	case PATH_SMALL:
		return F(small)(e->kr, e->m, e->n, e->k, e->alpha, e->a, e->rs_a,
		                e->cs_a, e->b, e->rs_b, e->cs_b, e->beta, e->c,
		                e->rs_c, e->cs_c) != 0;
	case PATH_SKINNY:
		F(pack_rows)(e, e->abuf[tid]);
		return F(skinny_run)(e, 0, e->n, e->abuf[tid], e->bbuf[tid]);
	default:
		break;
	}
	int64_t i[2], j[2], u[2];
	while (F(take)(e, i, j, u))
		if (F(unit_run)(e, i, j, u, e->abuf[tid], e->bbuf[tid]))
			return true;
	return atomic_load(&e->ctl->stopped);
}

/* The entries of a batch shared by the threads awake, each computed
 * whole by the thread that takes it. */
static void F(batch_job)(void *arg, int tid, int nt)
{
	struct F(job) *g = arg;
	(void)nt;
	int64_t q;
	while (!atomic_load(&g->ctl->stopped) &&
	       (q = atomic_fetch_add(&g->ctl->next, 1)) < g->batch) {
		struct mm_gemm_ctl ctl = {0};
		struct F(job) e = *g;
		e.ctl = &ctl;
		e.a += q * g->bs_a;
		e.b += q * g->bs_b;
		e.c += q * g->bs_c;
		if (F(entry_run)(&e, tid)) {
			atomic_store(&g->ctl->stopped, true);
			return;
		}
	}
}

/* A batch (mm_sgemm_batch). With at least as many entries as threads,
 * a multiple of them or four a thread, each thread computes whole
 * entries, one after another: 96 attention heads of 1024×1024×64 on two
 * threads otherwise split every product in two and met twice a product.
 * Otherwise the entries run one after the other, each on all threads.
 * An entry goes the way F(gemm) would take it, so its bits are those of
 * mm_sgemm. */
static int F(batch)(int64_t batch, int64_t m, int64_t n, int64_t k, T alpha,
                    const T *a, int64_t bs_a, int64_t rs_a, int64_t cs_a,
                    const T *b, int64_t bs_b, int64_t rs_b, int64_t cs_b,
                    T beta, T *c, int64_t bs_c, int64_t rs_c, int64_t cs_c)
{
	if (batch <= 0 || m <= 0 || n <= 0)
		return 0;
	int nt = mm_gemm_threads();
	struct mm_gemm_ctl ctl = {0};
	struct F(job) g = {
		.m = m, .n = n, .k = k, .alpha = alpha, .beta = beta,
		.a = a, .rs_a = rs_a, .cs_a = cs_a,
		.b = b, .rs_b = rs_b, .cs_b = cs_b,
		.c = c, .rs_c = rs_c, .cs_c = cs_c, .kr = kernels(),
		.batch = batch, .bs_a = bs_a, .bs_b = bs_b, .bs_c = bs_c,
		.ctl = &ctl,
	};
	bool spread = nt > 1 && batch >= nt &&
	              (batch % nt == 0 || batch >= 4 * nt) && k > 0 && alpha != 0;
	size_t need[2];
	const size_t es = sizeof(T), none[2] = {0, 0};
	if (spread) {
		F(orient)(&g);
		F(plan)(&g, 1, need);
		pthread_mutex_lock(&call_mu);
		spread = workspace(need[0] * es, need[1] * es, nt);
		if (!spread)
			pthread_mutex_unlock(&call_mu);
	}
	if (!spread) {
		for (int64_t q = 0; q < batch; q++) {
			int rc = F(gemm)(m, n, k, alpha, a + q * bs_a, rs_a, cs_a,
			                 b + q * bs_b, rs_b, cs_b, beta,
			                 c + q * bs_c, rs_c, cs_c);
			if (rc)
				return rc;
		}
		return 0;
	}
	g.abuf = (T *const *)ws.a;
	g.bbuf = (T *const *)ws.b;
	mm_gemm_pool_run(nt, F(batch_job), &g);
	shared_trim(none);
	pthread_mutex_unlock(&call_mu);
	return atomic_load(&ctl.stopped) ? MM_ERR_INTERRUPTED : 0;
}

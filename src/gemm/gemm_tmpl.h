/* gemm_tmpl.h — the GEMM driver for one element type. gemm.c includes it
 * once for float and once for double, with T (the type), F(x) (a name with
 * the type's suffix), UKR, GEMV, PACK_A, PACK_B, MR, NR and KC (the kernel
 * table's fields for that type) defined; it reads the cache sizes, the
 * workspace and the shared-block states from gemm.c.
 *
 * A product takes one of four paths, chosen from its shape and strides
 * only (so that the bits never depend on the threads): a row vector times
 * a matrix (GEMV), the small path (operands read in place), the skinny
 * path (a few rows of A: B streamed in place, skinny.c's twin for
 * matrices) and the blocked path: the five loops of the Goto/BLIS
 * algorithm in F(unit_run) and F(block), the micro-kernel holding the
 * innermost (over k). */

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
	int path;                  /* PATH_GEMV, _SMALL, _SKINNY, _BLOCKED */
	bool a_direct;             /* blocked: A read in place, not packed */
	int64_t kc, nc;            /* block sizes: L1 (A sliver), L2 (B block) */
	int64_t mg, ng;            /* units are whole grains of mg rows, */
	int64_t sm, sn;            /* ng columns: sm, sn grains in all, */
	int64_t um, un;            /* um units down m, un across n, */
	int64_t mcu, ncu;          /* the largest mcu rows × ncu columns */
	int64_t nunits;            /* um · un */
	T *const *abuf;            /* per thread: an A panel (skinny: A) */
	T *const *bbuf;            /* per thread: a B block (skinny: sums) */
	T *shared[2];              /* A, B packed once for all units, or NULL: */
	struct mm_gemm_blockstate *state[2]; /* the states of their blocks, */
	int64_t pad[2];            /* m, n rounded up to MR, NR, */
	int64_t nblk[2];           /* blocks across m, n in a k block */
	int64_t bpu;               /* B blocks across a unit */
	int64_t batch, bs_a, bs_b, bs_c; /* a batch: entries and their strides */
	struct mm_gemm_ctl *ctl;   /* the next unit or entry; interrupted */
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
 * units running at once have different rows of A; block() keeps them
 * off each other's B. */
static bool F(take)(struct F(job) *g, int64_t i[2], int64_t j[2],
                    int64_t u[2])
{
	if (atomic_load(&g->ctl->stopped))
		return false;
	int64_t x = atomic_fetch_add(&g->ctl->next, 1);
	if (x >= g->nunits)
		return false;
	u[0] = x % g->um;
	u[1] = x / g->um;
	F(cut)(u[0], g->um, g->sm, g->mg, g->m, i);
	F(cut)(u[1], g->un, g->sn, g->ng, g->n, j);
	return true;
}

/* Whether the job was interrupted, seen now (the flag is set for the
 * other threads). */
static bool F(stop)(struct F(job) *g)
{
	if (mm_interrupted()) {
		atomic_store(&g->ctl->stopped, true);
		return true;
	}
	return atomic_load_explicit(&g->ctl->stopped, memory_order_relaxed);
}

/* Packs slivers lo..lo+len of A's rows (B's columns if is_b) for k block
 * pc..pc+kc at dst. */
static void F(pack)(const struct F(job) *g, bool is_b, T *dst, int64_t pc,
                    int64_t kc, int64_t lo, int64_t len)
{
	if (is_b)
		g->kr->PACK_B(dst, g->b + pc * g->rs_b + lo * g->cs_b, g->rs_b,
		              g->cs_b, kc, len, g->kr->NR);
	else
		g->kr->PACK_A(dst, g->a + lo * g->rs_a + pc * g->cs_a, g->rs_a,
		              g->cs_a, len, kc, g->kr->MR);
}

/* A packed operand for k block pc..pc+kc: B's columns lo..lo+len (a
 * kc × nc block, the unit's block number blk) if is_b, else A's rows
 * lo..lo+len (a unit's panel), packed in `own` (this thread's buffer) or
 * in g->shared. Units side by side along n all need the same rows of A,
 * and units one above the other the same columns of B: such an operand
 * is packed once for all, every thread that needs a block packing groups
 * of its slivers until none is left and then waiting for the groups
 * others took (shared_block(), gemm.c). A block is never packed twice:
 * a private copy of a block being packed by another thread, as this did
 * before, was 43% more packing of B at 1024³ on two threads. */
static const T *F(packed)(struct F(job) *g, bool is_b, T *own, int64_t pc,
                          int64_t kc, int64_t lo, int64_t len, int64_t blk)
{
	if (!g->shared[is_b]) {
		F(pack)(g, is_b, own, pc, kc, lo, len);
		return own;
	}
	struct mm_gemm_blockstate *st =
		&g->state[is_b][pc / g->kc * g->nblk[is_b] + blk];
	T *dst = g->shared[is_b] + pc * g->pad[is_b] + lo * kc;
	const int64_t w = is_b ? g->kr->NR : g->kr->MR;
	const int64_t gw = SHARED_GROUP * w; /* rows or columns a group */
	const int groups = (int)((len + gw - 1) / gw);
	int x;
	while ((x = shared_claim(st, groups)) >= 0) {
		int64_t o = x * gw, part = len - o < gw ? len - o : gw;
		F(pack)(g, is_b, dst + o * kc, pc, kc, lo + o, part);
		shared_done(st);
	}
	shared_wait(st, groups);
	return dst;
}

/* A tile of r rows from row ir and k block pc..pc+kc of A, where the
 * kernel reads it: in the packed panel, in place (g->a_direct) or, for a
 * last tile the kernel must not read in place, copied to `tile`. */
static const T *F(a_tile)(const struct F(job) *g, const T *apanel,
                          int64_t ilo, int64_t ir, int r, int64_t pc,
                          int64_t kc, T *tile, int64_t *rsa, int64_t *csa)
{
	if (apanel) {
		*rsa = 1;
		*csa = g->kr->MR;
		return apanel + (ir - ilo) * kc;
	}
	const T *a = g->a + ir * g->rs_a + pc * g->cs_a;
	if (r == g->kr->MR || (g->kr->re >> r & 1)) {
		*rsa = g->rs_a;
		*csa = g->cs_a;
		return a;
	}
	g->kr->PACK_A(tile, a, g->rs_a, g->cs_a, r, kc, g->kr->MR);
	*rsa = 1;
	*csa = g->kr->MR;
	return tile;
}

/* Loops 3, 2 and 1 for rows ilo..ihi of A (a packed panel at `apanel`,
 * or A itself when apanel is NULL) and k block pc..pc+kc: B is packed NC
 * columns at a time into this thread's buffer (L2) or found packed, and
 * every MR × NR tile goes to the kernel. `tile` holds a copied last tile
 * of A. Returns true if interrupted. */
static bool F(block)(struct F(job) *g, T *bbuf, const T *apanel, T *tile,
                     const int64_t i[2], const int64_t j[2],
                     const int64_t u[2], int64_t pc, int64_t kc, T beta)
{
	const int64_t ilo = i[0], ihi = i[1], j0 = j[0], j1 = j[1];
	const int mr = g->kr->MR, nr = g->kr->NR;
	UKR_TYPE *ukr = g->kr->UKR;

	/* Units one above the other need the same B blocks; each starts
	 * at its own block, as far from its neighbours' as the units allow,
	 * so that units running at once pack different blocks into their
	 * own L2 and then find the others' packed. The order of C's blocks
	 * within a k block does not change the bits. */
	const int64_t nb = (j1 - j0 + g->nc - 1) / g->nc;
	const int64_t rot = u[0] * nb / g->um;
	for (int64_t q = 0; q < nb; q++) {                         /* loop 3 */
		int64_t jc = j0 + (q + rot) % nb * g->nc;
		int64_t nc = j1 - jc < g->nc ? j1 - jc : g->nc;
		const T *bb = F(packed)(g, true, bbuf, pc, kc, jc, nc,
		                        u[1] * g->bpu + (jc - j0) / g->nc);
		for (int64_t ir = ilo; ir < ihi; ir += mr) {       /* loop 2 */
			int r = ihi - ir < mr ? (int)(ihi - ir) : mr;
			int64_t rsa, csa;
			const T *as = F(a_tile)(g, apanel, ilo, ir, r, pc, kc, tile,
			                        &rsa, &csa);
			T *cr = g->c + ir * g->rs_c + jc * g->cs_c;
			for (int64_t jr = 0; jr < nc; jr += nr) {  /* loop 1 */
				int w = nc - jr < nr ? (int)(nc - jr) : nr;
				ukr(kc, g->alpha, as, rsa, csa, bb + jr * kc, nr,
				    beta, cr + jr * g->cs_c, g->rs_c, g->cs_c, r, w);
			}
			if (F(stop)(g))
				return true;
		}
	}
	return false;
}

/* One unit of a blocked product (rows i, columns j, number u): loops 5
 * and 4, its A panel packed for each k block (kept in L3) or found
 * packed, or A read in place; 3 to 1 in block(). abuf holds the panel,
 * bbuf a B block. Returns true if interrupted. */
static bool F(unit_run)(struct F(job) *g, const int64_t i[2],
                        const int64_t j[2], const int64_t u[2], T *abuf,
                        T *bbuf)
{
	for (int64_t pc = 0; pc < g->k; pc += g->kc) {             /* loop 4 */
		int64_t kc = g->k - pc < g->kc ? g->k - pc : g->kc;
		const T *apanel = g->a_direct ? NULL
		                  : F(packed)(g, false, abuf, pc, kc, i[0],
		                              i[1] - i[0], u[0]);
		if (F(block)(g, bbuf, apanel, abuf, i, j, u, pc, kc,
		             pc ? 1 : g->beta))
			return true;
	}
	return false;
}

/* A large product shared by the threads awake: each takes the next unit
 * (a block of C, mcu rows by ncu columns, tiles aligned) and computes it.
 * A worker that wakes late takes what is left; whoever computes a tile,
 * its arithmetic is the same. */
static void F(unit_job)(void *arg, int tid, int nt)
{
	struct F(job) *g = arg;
	(void)nt;
	int64_t i[2], j[2], u[2];
	while (F(take)(g, i, j, u))
		if (F(unit_run)(g, i, j, u, g->abuf[tid], g->bbuf[tid]))
			return;
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

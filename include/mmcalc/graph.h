/* graph.h — the session's dataflow graph. Every tensor value, abstract or
 * concrete, remembers the operation and the operands that made it: their
 * shapes, dtypes and costs, never their data (a concrete result's memory
 * is not kept alive by its history). Costs then flow through variables:
 * flops(y) covers everything upstream of y back to its leaves, each
 * operation once however many times it is used; a statement's own report
 * stops at the values earlier statements made.
 *
 * Nodes are reference-counted: a node holds its operands, a variable
 * holds its value's node, a checked statement holds its nodes until its
 * arena is reset. Rebinding a name leaves the old node in the graph of
 * whatever used it. Releasing a long chain is iterative (no recursion),
 * and so is every walk, however deep the graph.
 *
 * Walks mark nodes with a generation number, so a graph must not be
 * walked by two threads at once (a session's graph is the session's). */
#ifndef MMCALC_GRAPH_H
#define MMCALC_GRAPH_H

#include <stdbool.h>
#include <stdint.h>

#include "mmcalc/arena.h"
#include "mmcalc/cost.h"
#include "mmcalc/value.h"

/* A call of a user function: the module its operations belong to. */
typedef struct mm_gmodule {
	int refs;
	char *name;                /* the function's name (owned) */
	uint64_t call;             /* distinct calls have distinct numbers */
	struct mm_gmodule *parent; /* the call it was made in (a reference) */
	int depth;                 /* 1 for a call made at top level */
} mm_gmodule;

typedef enum mm_gkind {
	MM_G_LEAF,   /* an input: a shape literal, a constructor, a load */
	MM_G_OP,     /* an operation on its operands */
	MM_G_VIEW,   /* its operand's elements seen another way: no cost */
	MM_G_REPEAT  /* in[0] through a function `times` times (body) */
} mm_gkind;

typedef struct mm_gnode {
	int refs;
	mm_gkind kind;
	uint64_t id;         /* unique in the process, increasing in a thread */
	uint64_t stmt;       /* the statement whose checking made it */
	int cls;             /* OP: the mm_opclass of check.h */
	const char *op;      /* OP: its name in tables ("@", "softmax"),
	                        static */
	bool param;          /* LEAF: a parameter (weights) */
	bool data;           /* has data when run: a leaf with data of its
	                        own, or a value a variable holds */
	bool symbolic;       /* its shape or cost has symbols */
	uint64_t key;        /* VIEW: the elements of its base it reads
	                        (its base's id when all of them) */
	int nin;
	struct mm_gnode **in; /* operands (references): in_small or malloc'd */
	struct mm_gnode *in_small[2];
	const char *origin;  /* the variable it was made as (interned by the
	                        session), or NULL; see mm_graph_set_origin */
	mm_gmodule *module;  /* the call it was made in, or NULL */
	/* REPEAT: in[0] is the input, in[1..] the values from outside the
	 * body it reads; body is one application, made of the nodes of id
	 * >= body_from; times (stimes when symbolic) applications. */
	struct mm_gnode *body;
	uint64_t body_from;
	int64_t times;
	mm_poly *stimes;
	uint64_t mark;       /* walks: visited in the walk of this number */
	int tmp;             /* walks: the node's position in the walk */
	mm_poly *polys;      /* owned memory that v and cost point into */
	mm_count held;       /* OP: parameters the operation holds itself
	                        (moe's implicit experts): params() counts them */
	mm_poly *sheld;      /* ... as a polynomial (owned), or NULL */
	mm_count trans;      /* OP: transcendental work in gelus
	                        (mm_check_transcendental) */
	mm_count moe_all, moe_active; /* OP moe: as mm_info's (moe_params) */
	uint8_t moe;
	/* last, so that a new node zeroes only what comes before */
	mm_value v;          /* its shape and dtype (numbers: never) */
	mm_cost cost;        /* OP: what the operation costs */
} mm_gnode;

/* ---- making nodes: each returns a new node (one reference), or NULL
 * when out of memory. v's symbolic dims and cost's polynomials are
 * copied; in[0..nin) gain a reference each. */
mm_gnode *mm_graph_leaf(const mm_value *v, bool data, uint64_t stmt);
mm_gnode *mm_graph_op(const mm_value *v, const mm_cost *cost, int cls,
                      const char *op, mm_gnode *const *in, int nin,
                      uint64_t stmt);
mm_gnode *mm_graph_view(const mm_value *v, mm_gnode *base, uint64_t key,
                        uint64_t stmt);
/* times applications of body (made from in[0], of nodes numbered
 * body_from and up); stimes, when not NULL, is a symbolic count. */
mm_gnode *mm_graph_repeat(const mm_value *v, mm_gnode *const *in, int nin,
                          mm_gnode *body, uint64_t body_from, int64_t times,
                          const mm_poly *stimes, uint64_t stmt);
/* The id the next node made on this thread will get: nodes it makes from
 * now on have ids >= it. */
uint64_t mm_graph_next_id(void);

/* g holds n parameters of its own (p: as a polynomial, or NULL). False
 * when out of memory. */
bool mm_graph_hold_params(mm_gnode *g, mm_count n, const mm_poly *p);

mm_gnode *mm_graph_ref(mm_gnode *g);
void mm_graph_unref(mm_gnode *g);
/* mm_graph_unref as a callback (mm_arena_on_reset). */
void mm_graph_unref_cb(void *g);

mm_gmodule *mm_graph_module_new(const char *name, mm_gmodule *parent);
mm_gmodule *mm_graph_module_ref(mm_gmodule *m);
void mm_graph_module_unref(mm_gmodule *m);
/* Puts the nodes from id `from` up, reachable from root and not yet in a
 * module, into m (a reference each). */
void mm_graph_set_module(mm_gnode *root, uint64_t from, mm_gmodule *m);
/* Names root the value of variable `origin` (kept by the caller as long
 * as the node), unless it has a name already. The other nodes of root's
 * statement (the same stmt) take it as theirs in tables. */
void mm_graph_set_origin(mm_gnode *root, const char *origin);

/* The nodes made before id `from` that the nodes from `from` on, up from
 * root, use directly (a function body's inputs from outside it), but
 * skip: into out (borrowed), at most max. Their number, or -1 when there
 * are more or memory is short. */
int mm_graph_outside(mm_gnode *root, uint64_t from, const mm_gnode *skip,
                     mm_gnode **out, int max);

/* ---- walks ---- */

/* What the graph upstream of a node costs. Numeric counts, and when some
 * dim or count is symbolic (symbolic is then true) the same as
 * polynomials, allocated in the arena given to mm_graph_totals. */
typedef struct mm_gtotals {
	mm_count flops, macs;     /* every operation once */
	mm_count matmul_flops;    /* the part done by matrix products */
	mm_count bytes_in;        /* distinct inputs, each read once */
	mm_count bytes_out;       /* the result, written once */
	mm_count bytes_peak;      /* inputs + live intermediates, at most */
	mm_count bytes_alloc;     /* what running it would allocate anew */
	mm_count params;          /* parameter elements (leaves marked so) */
	mm_count param_bytes;     /* ... and their bytes at their dtypes */
	mm_count transcendental;  /* transcendental work, in gelus */
	int nops;                 /* operations that cost something */
	int nabstract;            /* inputs without data */
	bool symbolic;
	mm_poly *sflops, *smacs, *sbytes_in, *sbytes_out, *sparams;
} mm_gtotals;

/* Totals of root's graph. bounded: stop at the nodes other statements
 * made (they are inputs, as a statement's report counts them); else walk
 * back to the leaves. arena: where symbolic totals go (may be NULL when
 * the caller wants numbers only: symbolic costs then count as 0). Fails
 * only with MM_ERR_NOMEM or a polynomial too large (d filled). */
mm_code mm_graph_totals(const mm_gnode *root, bool bounded, mm_arena *arena,
                        mm_gtotals *t, mm_diag *d);

/* The operations upstream of root in evaluation order (operands before
 * the operations that use them; views and leaves left out): a new array
 * of *n borrowed pointers (free() it), or NULL with *n = 0 when there are
 * none or memory is short. REPEAT nodes are listed once, not their body. */
mm_gnode **mm_graph_ops(const mm_gnode *root, bool bounded, int *n);
/* The same for the body of a REPEAT node (one application). */
mm_gnode **mm_graph_body_ops(const mm_gnode *rep, int *n);

#endif

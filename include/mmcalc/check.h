/* check.h — the checker: walks a statement's syntax tree and annotates
 * every node with what it is (number, string, tensor), its shape, dtype,
 * whether it holds data (concrete) and what its operation costs. Scalars
 * are folded here, so dims like B*T are known before anything runs.
 *
 * Ownership: annotations (mm_info) live in the statement's arena. The
 * environment (mm_env) owns its variables and holds one reference to each
 * concrete tensor in it. */
#ifndef MMCALC_CHECK_H
#define MMCALC_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "mmcalc/arena.h"
#include "mmcalc/builtin.h"
#include "mmcalc/cost.h"
#include "mmcalc/count.h"
#include "mmcalc/diag.h"
#include "mmcalc/env.h"
#include "mmcalc/dtype.h"
#include "mmcalc/parse.h"
#include "mmcalc/poly.h"
#include "mmcalc/shape.h"
#include "mmcalc/tensor.h"
#include "mmcalc/value.h"

/* The class of an operation, for :explain and the matmul/non-matmul split. */
typedef enum mm_opclass {
	MM_C_NONE,        /* a leaf or a free view */
	MM_C_MATMUL,
	MM_C_ELEMENTWISE,
	MM_C_REDUCTION,
	MM_C_SOFTMAX,
	MM_C_NORM,        /* layernorm */
	MM_C_LINALG,      /* qr */
	MM_C_DATA         /* constructors, copies, loads */
} mm_opclass;

/* The annotation of one node. */
typedef struct mm_info {
	mm_value v;          /* what the node's value is */
	bool concrete;       /* TENSOR: has (or will have) data */
	bool leaf;           /* an input: a variable, a literal */
	bool param;          /* a leaf that is a parameter (param()) */
	mm_count held;       /* parameters the operation holds itself (moe
	                        with implicit experts) ... */
	const mm_poly *sheld; /* ... as a polynomial, or NULL */
	mm_count moe_all;    /* moe: its experts' and router's parameters, */
	mm_count moe_active; /* ... and those a token uses (moe_params) */
	uint8_t moe;         /* 1: a moe layer, 2: one whose counts have
	                        symbols */
	bool data;           /* a leaf with data of its own (a concrete
	                        variable, a matrix literal, a load): the
	                        evaluator fetches it, the checker only notes it */
	uint64_t leaf_id;    /* distinct inputs are counted once */
	const mm_builtin *fn; /* CALL: the built-in's row */
	int axis;            /* reductions, softmax, concat: normalised axis */
	bool all_axes;       /* reductions over everything */
	bool keepdims;
	mm_opclass cls;      /* the operation this node performs */
	mm_cost cost;        /* what this node's operation costs (cost.h) */
	double scale;        /* attention: the factor applied to the scores */
	bool causal;         /* attention */
	bool view;           /* result aliases an operand (no new memory) */
	uint64_t view_key;   /* a view of an input: its elements (0: not one) */
	const struct mm_var *var; /* NAME: the variable */
	mm_tensor *value;    /* set by the evaluator (one reference) */
	const char *note;    /* said in the report: "loaded from <i4 ..." */
	bool symbolic;       /* this node or one under it has symbolic dims */
	const char *path;    /* load/save: the resolved file name */
	const void *fn_data; /* CALL: what the built-in's check decided for
	                        its eval (in the arena; its own type) */
	struct mm_gnode *g;  /* TENSOR: its node in the graph (held until the
	                        arena is reset) */
	mm_node *local;      /* NAME: the node a function's parameter or local
	                        variable stands for (evaluated first) */
	mm_node *body;       /* CALL of a user function, or repeat: the node
	                        of the body's result */
	bool repeat;         /* CALL: repeat(L, f, x) (body applied L times) */
	bool shared;         /* a node a local name stands for: kept until the
	                        statement ends, however many use it */
} mm_info;

/* A user function (def): its parameters and its body's text, read again
 * at every call (so shape literals in it are fresh at every call). */
typedef struct mm_userfn {
	char *name;
	int nparams;
	char **params;
	char *body;        /* the expression after '=', or the statements
	                      between the braces */
	size_t body_len;
	bool block;
} mm_userfn;

/* Functions called inside one another at most (recursion is refused). */
#define MM_MAX_CALL_DEPTH 32

/* How a statement is checked. */
typedef struct mm_check_opts {
	mm_dtype dtype;      /* the default dtype (:dtype) */
	bool fill_abstract;  /* :run: abstract leaves will be filled */
	const char *base_dir; /* relative file names start here (a sourced
	                         script's directory); NULL: the current one */
	const char *root;    /* load() and save() name files beneath it only
	                        (path.h's mm_path_confine); NULL: anywhere */
	uint64_t memlimit;   /* load() refuses bigger arrays; 0: no limit */
	bool strict;         /* symbols that may differ are an error */
	const mm_convention *conv; /* how costs count; NULL: mmcalc's */
	/* time(expr): predicted seconds on the current device for flops,
	 * transcendental elements (mm_totals) and bytes of dtype t, or a
	 * negative number with d set when there is no prediction. May be
	 * NULL. */
	double (*predict)(void *ctx, mm_count flops, mm_count transcendental,
	                  mm_count bytes, mm_dtype t, mm_diag *d);
	void *predict_ctx;
	uint64_t stmt;       /* the statement's number: its graph nodes carry
	                        it, and its report stops at other ones' */
	/* The user function named name, or NULL (fn_ctx passed back). May
	 * be NULL: no user functions. */
	const mm_userfn *(*find_fn)(void *fn_ctx, const char *name);
	void *fn_ctx;
} mm_check_opts;

typedef struct mm_checker {
	mm_env *env;
	mm_arena *arena;
	mm_diag *diag;
	mm_check_opts opts;
	int depth;
	uint64_t next_leaf; /* ids for literals, distinct from variables */
	const mm_shape *hole; /* when set, '?' is an abstract tensor of it */
	mm_assume assume;   /* what symbolic shape checks assumed */
	int nvalues;        /* nodes given data while checking (load) */
	struct mm_grefs *grefs; /* the graph nodes the arena holds (check.c) */
	/* inside user functions (check_fn.c): their local names, the
	 * current one's from `frame`, the calls made and their module */
	struct mm_local *locals;
	int nlocals, caplocals, frame;
	const mm_userfn *calls[MM_MAX_CALL_DEPTH];
	int ncalls;
	struct mm_gmodule *module;
} mm_checker;

/* Sets up a checker over env, allocating annotations in arena and
 * reporting errors in d, with options o (NULL: the defaults, f32). */
void mm_checker_init(mm_checker *c, mm_env *env, mm_arena *arena,
                     mm_diag *d, const mm_check_opts *o);

/* Annotates e and every node under it. Returns MM_OK or an error code with
 * the checker's diag filled (its span points into the statement). */
mm_code mm_check_expr(mm_checker *c, mm_node *e);


/* Statement totals, following evaluation order. */
typedef struct mm_totals {
	mm_count flops, macs;       /* all operations */
	mm_count matmul_flops;      /* the matmul share of flops */
	mm_count transcendental;    /* transcendental work in gelus: each
	                               element of exp, log, tanh, erf,
	                               sigmoid, gelu, silu, sin, cos or a
	                               softmax weighted by its cost against
	                               gelu's (exp 0.38, sin 7.6): what the
	                               host's gelu rate times (device.h) */
	mm_count bytes_in;          /* distinct inputs, each read once */
	mm_count bytes_out;         /* the result, written once */
	mm_count bytes_peak;        /* inputs + live intermediates, at most */
	mm_count bytes_alloc;       /* what execution would allocate anew */
	int nops;                   /* operations that cost something */
	int nabstract;              /* inputs without data (:run fills them) */
} mm_totals;

void mm_check_totals(const mm_node *e, mm_totals *t);
/* One operation's transcendental work in gelus (what
 * mm_totals.transcendental adds up). */
mm_count mm_check_transcendental(const mm_info *i);

/* The operands evaluation computes for node e (arguments that are only
 * looked at, as in shape(x) or zeros(shape(x)), are left out), into out;
 * returns their number, at most MM_MAX_OPERANDS. */
#define MM_MAX_OPERANDS 64
int mm_check_operands(const mm_node *e, mm_node **out);

/* Totals of a statement with symbolic dims, as polynomials allocated in
 * arena (peak memory is left out: it is a maximum, not a polynomial). */
typedef struct mm_sym_totals {
	mm_poly *flops, *macs, *bytes_in, *bytes_out;
} mm_sym_totals;

mm_code mm_check_totals_sym(const mm_node *e, mm_arena *arena,
                            mm_sym_totals *t, mm_diag *d);


#endif

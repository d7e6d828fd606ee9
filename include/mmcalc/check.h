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

/* The built-in functions. */
typedef enum mm_builtin {
	MM_F_NONE = 0,
	MM_F_RANDN, MM_F_RAND, MM_F_ZEROS, MM_F_ONES, MM_F_EYE, MM_F_FULL,
	MM_F_ARANGE,
	MM_F_EXP, MM_F_LOG, MM_F_SQRT, MM_F_ABS, MM_F_TANH, MM_F_SIGMOID,
	MM_F_RELU, MM_F_GELU, MM_F_SIN, MM_F_COS, MM_F_DEG2RAD, MM_F_RAD2DEG,
	MM_F_SUM, MM_F_MEAN, MM_F_MAX, MM_F_MIN, MM_F_NORM,
	MM_F_SOFTMAX, MM_F_LAYERNORM, MM_F_TRANSPOSE, MM_F_RESHAPE,
	MM_F_CONCAT, MM_F_QR, MM_F_QR_R, MM_F_SHAPE, MM_F_NUMEL,
	MM_F_FLOPS, MM_F_MACS, MM_F_BYTES, MM_F_LOAD, MM_F_SAVE,
	MM_F_ATTENTION, MM_F_TIME,
	MM_F_COUNT
} mm_builtin;

/* The annotation of one node. */
typedef struct mm_info {
	mm_value v;          /* what the node's value is */
	mm_count bytes;      /* TENSOR: its size (0 when symbolic) */
	bool concrete;       /* TENSOR: has (or will have) data */
	bool leaf;           /* an input: a variable, a literal */
	uint64_t leaf_id;    /* distinct inputs are counted once */
	mm_builtin fn;       /* CALL */
	int axis;            /* reductions, softmax, concat: normalised axis */
	bool all_axes;       /* reductions over everything */
	bool keepdims;
	mm_opclass cls;      /* the operation this node performs */
	mm_count flops, macs;
	mm_count matmul_flops; /* the matmul part of flops (attention) */
	mm_count op_bytes;   /* operands read + result written by this op */
	double scale;        /* attention: the factor applied to the scores */
	bool causal;         /* attention */
	bool view;           /* result aliases an operand (no new memory) */
	uint64_t view_key;   /* a view of an input: its elements (0: not one) */
	const struct mm_var *var; /* NAME: the variable */
	mm_tensor *value;    /* set by the evaluator (one reference) */
	const char *note;    /* said in the report: "loaded from <i4 ..." */
	bool symbolic;       /* this node or one under it has symbolic dims */
	const mm_poly *sflops, *smacs, *sbytes; /* symbolic op costs, or NULL */
	const char *path;    /* load/save: the resolved file name */
} mm_info;

/* How a statement is checked. */
typedef struct mm_check_opts {
	mm_dtype dtype;      /* the default dtype (:dtype) */
	bool fill_abstract;  /* :run: abstract leaves will be filled */
	const char *base_dir; /* relative file names start here (a sourced
	                         script's directory); NULL: the current one */
	uint64_t memlimit;   /* load() refuses bigger arrays; 0: no limit */
	bool strict;         /* symbols that may differ are an error */
	/* time(expr): predicted seconds on the current device, or a negative
	 * number with d set when there is no prediction. May be NULL. */
	double (*predict)(void *ctx, mm_count flops, mm_count bytes,
	                  mm_dtype t, mm_diag *d);
	void *predict_ctx;
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
	int nvalues;        /* nodes given data while checking (variables, load) */
} mm_checker;

/* Annotates e and every node under it. Returns MM_OK or an error code with
 * the checker's diag filled (its span points into the statement). */
mm_code mm_check_expr(mm_checker *c, mm_node *e);

/* The name of a built-in function, and the reverse look-up. */
const char *mm_builtin_name(mm_builtin f);
mm_builtin mm_builtin_find(const char *name);

/* Suggests the closest name among variables, functions (and extra, a
 * NULL-terminated list) to `name`, or NULL when nothing is close. */
const char *mm_check_suggest(const mm_env *env, const char *name,
                             const char *const *extra);

/* Statement totals, following evaluation order. */
typedef struct mm_totals {
	mm_count flops, macs;       /* all operations */
	mm_count matmul_flops;      /* the matmul share of flops */
	mm_count bytes_in;          /* distinct inputs, each read once */
	mm_count bytes_out;         /* the result, written once */
	mm_count bytes_peak;        /* inputs + live intermediates, at most */
	mm_count bytes_alloc;       /* what execution would allocate anew */
	int nops;                   /* operations that cost something */
	int nabstract;              /* inputs without data (:run fills them) */
} mm_totals;

void mm_check_totals(const mm_node *e, mm_totals *t);

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

/* Bytes of a tensor of this shape and dtype (i4 counts half a byte). */
mm_count mm_check_bytes(const mm_shape *s, mm_dtype t);

#endif

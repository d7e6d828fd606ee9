/* session_int.h — the session's insides, shared by session.c (statements)
 * and the commands (command.c, cmd_*.c). Not a public header.
 *
 * Ownership: the session owns its environment, arena, buffers and device;
 * a statement context points into the caller's line for as long as the
 * statement runs. */
#ifndef MMCALC_SESSION_INT_H
#define MMCALC_SESSION_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "mmcalc/check.h"
#include "mmcalc/command.h"
#include "mmcalc/device.h"
#include "mmcalc/format.h"
#include "mmcalc/memory.h"
#include "mmcalc/rng.h"
#include "mmcalc/session.h"

/* The values of the settings (command.c's table describes them). */
/* The values of the settings; each row of command.c's table names its
 * field by offset, and its kind says the field's type: int64_t (INT),
 * bool (BOOL), uint64_t (SIZE, SEED), mm_dtype (DTYPE). */
typedef struct mm_settings {
	int64_t precision;  /* digits after the point */
	int64_t threshold;  /* elements before values print summarised */
	uint64_t memlimit;  /* bytes an execution may allocate */
	bool exact;         /* exact digits beside SI figures */
	bool strict;        /* symbolic assumptions are errors */
	mm_dtype dtype;     /* of new tensors */
	uint64_t seed;
	int64_t threads;
	int64_t convention; /* the index of the named convention conv is,
	                       or the count of them: a custom mix */
	mm_convention conv; /* how costs count */
	int64_t width;      /* charts: display columns (the terminal's) */
	bool unicode;       /* charts and bars in Unicode, else ASCII */
	bool colour;        /* charts in ANSI colour */
} mm_settings;

/* The running sums of :total: every statement with an operation since
 * the session began or :total reset. */
typedef struct mm_running {
	long n;                       /* statements counted */
	mm_count flops, macs, bytes;  /* numeric statements: bytes in + out */
	long nsym;                    /* symbolic statements, summed in: */
	mm_poly sflops, sbytes;
	bool sym_overflow;            /* a sum grew past a polynomial's size */
	double predicted;             /* seconds, over npredicted statements */
	long npredicted;
	double measured;              /* seconds run, over nmeasured */
	long nmeasured;
} mm_running;

struct mm_session {
	mm_env env;
	uint64_t stmt_serial; /* numbers the checked expressions (graph.h) */
	mm_arena arena;
	mm_rng rng;
	mm_settings set, defaults;
	bool json;
	bool quit;
	int source_depth;
	char *base_dir;   /* the directory of the script being sourced */
	mm_device dev;    /* the device predictions are for */
	bool dev_ready;   /* dev holds figures (host: calibrated or cached) */
	bool dev_chosen;  /* picked with :device: abstract reports predict */
	char *cache_path; /* the host calibration cache, or NULL */
	mm_buf text, jbuf;
	char **names;     /* variable names the graph's nodes name as their
	                     origin (interned: mm_sx_intern) */
	int nnames;
	mm_userfn *fns;   /* def: the user functions (session_fn.c) */
	int nfns;
	mm_buf pending;   /* the lines of a block definition so far */
	char *pending_file;
	long pending_line;
	int pending_depth;
	mm_running total; /* :total's running sums (cmd_total.c) */
	mm_cluster cluster; /* :cluster (cmd_memory.c); zeroed: none */
	/* confinement (session_sandbox.c) */
	char *root;         /* files only beneath it (canonical); NULL: any */
	char *preset_dir;   /* while a model preset runs: its directory
	                       (canonical), which :source may also read */
	mm_session_caps caps;
	bool host_fixed;    /* `host` is host_dev, never measured */
	mm_device host_dev;
};

/* The path to open for a file a statement names (relative to the sourced
 * script's directory), or NULL with d set: refused outside the session's
 * root, unless read (:source) is true and it is in the running preset's
 * directory. */
char *mm_sx_path(mm_session *s, const char *name, bool read, mm_diag *d);
/* The host device: fixed figures (mm_session_set_host) or measured. */
mm_code mm_sx_host(mm_session *s, mm_device *out, bool recalibrate,
                   mm_diag *d);
/* The warm-up before timing, in seconds (caps.warmup_s or 0.02), and the
 * most runs of a benchmark (caps.bench_runs or 50). */
double mm_sx_warmup(const mm_session *s);
int mm_sx_bench_max(const mm_session *s);
/* An error message when setting v would pass a cap (caps), else NULL. */
const char *mm_sx_capped(const mm_session *s, const mm_settings *v,
                         char *buf, size_t cap);

/* What one statement is being run with. */
typedef struct mm_stmtctx {
	mm_session *s;
	const char *file;
	long line;
	const char *src;
	size_t len;
	mm_emit_fn emit;
	void *ctx;
	bool values; /* the expression's tree may hold tensors to release */
} mm_stmtctx;

/* Adds a statement's numeric totals (and timing) to s->total. */
void mm_sx_total_add(mm_session *s, const mm_totals *t, const mm_timing *tm);
/* ... and a symbolic statement's. */
void mm_sx_total_add_sym(mm_session *s, const mm_sym_totals *t);
/* :total [reset] */
int mm_cmd_total(mm_stmtctx *c, const mm_stmt *st);

/* How an expression is to be run. */
typedef struct mm_run_opts {
	bool fill;    /* :run: abstract operands get random data */
	int bench;    /* :bench: runs after a warm-up, else 0 */
} mm_run_opts;

/* ---- user functions (session_fn.c) ---- */

/* The user function named name in session ctx, or NULL (the checker's
 * find_fn). */
const mm_userfn *mm_sx_find_fn(void *ctx, const char *name);
void mm_sx_free_fns(mm_session *s);
/* Runs a def statement: the function is added, or replaces one. */
int mm_sx_define(mm_stmtctx *c, const mm_stmt *st);
/* Gathers the lines of a block definition: 0 when src is an ordinary line
 * (run it), 1 when it was kept (more lines to come), 2 when it completed
 * one (run *out, *out_len bytes, from s->pending_file and _line; then
 * reset s->pending), -1 when the definition grew past 1 MiB (dropped). */
int mm_sx_gather(mm_session *s, const char *file, long line, const char *src,
                 size_t len, const char **out, size_t *out_len);

/* name as a string that lives as long as the session (the same pointer
 * for the same name), or NULL when there are too many or memory is
 * short. */
const char *mm_sx_intern(mm_session *s, const char *name);

/* ---- results (session.c): each returns 1 for an error, else 0 ---- */

/* Emits s->text (and s->jbuf) as a result of this kind and clears them. */
void mm_sx_emit(mm_stmtctx *c, mm_result_kind kind);
/* Emits a diagnostic. Returns 1. */
int mm_sx_error(mm_stmtctx *c, const mm_diag *d);
/* Emits d (d->warning set) as a warning; the statement goes on. */
void mm_sx_warn(mm_stmtctx *c, const mm_diag *d);
/* session_where.c: a warning for each `where` binding of st that nothing
 * in the statement uses. */
void mm_sx_where_unused(mm_stmtctx *c, const mm_stmt *st);
/* Emits s->text as a command's output (JSON: a text object). Returns 0. */
int mm_sx_text(mm_stmtctx *c);
/* Emits an error with this code, span, hint (NULL: none) and message. */
int mm_sx_error_at(mm_stmtctx *c, mm_code code, mm_span at, const char *hint,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* ---- checking and running ---- */

/* A checker for this session (fill: :run's abstract leaves get data). */
void mm_sx_checker(mm_checker *ck, mm_session *s, mm_diag *d, bool fill);
/* Checks, executes and reports the expression statement st. */
int mm_sx_run_expr(mm_stmtctx *c, const mm_stmt *st, const mm_run_opts *ro);
/* Binds st's `where` names, runs fn(c, st), and restores them. */
int mm_sx_with_where(mm_stmtctx *c, const mm_stmt *st, mm_command_fn *fn);

/* ---- devices and predictions ---- */

/* Makes s->dev usable: the host is measured (or its cache read) the
 * first time a prediction needs it. */
mm_code mm_sx_device(mm_session *s, mm_diag *d);
/* Predicted seconds on the current device for flops, transcendental
 * elements and bytes of dtype t (mm_device_roofline_ops), or -1 with d
 * filled. */
double mm_sx_predict(void *session, mm_count flops, mm_count transcendental,
                     mm_count bytes, mm_dtype t, mm_diag *d);
/* The same without a diag (for :explain's rows). */
double mm_sx_predict_quiet(void *session, mm_count flops,
                           mm_count transcendental, mm_count bytes,
                           mm_dtype t);

/* The report options of the current settings. */
mm_report_opts mm_sx_report_opts(const mm_session *s);

/* ---- settings (command.c) ---- */

/* Sets the setting k from the text of its value (a word of st at `at`). */
int mm_sx_set(mm_stmtctx *c, const mm_setting *k, mm_span at,
              const char *value);
/* Appends the setting's current value as :set lists it. */
void mm_sx_setting_value(mm_buf *b, const mm_settings *s, const mm_setting *k);

#endif

/* command.h — the commands (:help, :vars, :run, ...) and the settings of
 * :set as tables, a row each. A command's row says how the parser reads
 * its arguments, how :help describes it, and which function runs it; a
 * setting's row gives its key, kind, range and help. The tables drive
 * dispatch, parsing, tab completion, "did you mean" and :help commands /
 * :help settings: adding a command or a setting is one row plus its
 * function and its man-page entry (HACKING.md).
 *
 * Ownership: rows are static and live for the whole program. */
#ifndef MMCALC_COMMAND_H
#define MMCALC_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

#include "mmcalc/buf.h"

/* How the parser reads a command's arguments. */
typedef enum mm_argkind {
	MM_ARGS_NONE,  /* none */
	MM_ARGS_WORDS, /* words: a topic, names, KEY VALUE; "quoted" ones
	                  keep their blanks */
	MM_ARGS_EXPR,  /* EXPR [where n = 8, ...] [key=value ...] */
	MM_ARGS_EXPR_N /* the same with an optional run count after EXPR */
} mm_argkind;

struct mm_stmtctx;
struct mm_stmt;
struct mm_session;

/* Runs a command statement; returns 1 when it failed (reported), else 0. */
typedef int mm_command_fn(struct mm_stmtctx *c, const struct mm_stmt *st);

typedef struct mm_command {
	const char *name;
	const char *aliases;  /* other names, space-separated, or NULL */
	mm_argkind args;
	const char *flags;    /* key=value options it takes (EXPR kinds) */
	const char *usage;    /* ":bench EXPR [N]" */
	const char *summary;  /* one line for :help commands */
	mm_command_fn *run;
} mm_command;

/* The command called name (or an alias of it), or NULL. */
const mm_command *mm_command_find(const char *name);
/* Row i in table order, or NULL past the last. */
const mm_command *mm_command_at(size_t i);
/* Appends the text of :help commands. */
void mm_command_help(mm_buf *b);

typedef enum mm_setting_kind {
	MM_SET_INT,    /* a whole number in [lo, hi] (int64_t) */
	MM_SET_BOOL,   /* on/off, true/false, yes/no, 1/0 (bool) */
	MM_SET_SIZE,   /* bytes: 4GiB, 512 MiB, 2e9 (uint64_t) */
	MM_SET_DTYPE,  /* a dtype name (mm_dtype) */
	MM_SET_SEED,   /* a whole number from 0 to 2^64 - 1 (uint64_t) */
	MM_SET_ENUM,   /* one of the words of choices, by index (int64_t) */
	MM_SET_REAL    /* a number in [lo, hi] (double) */
} mm_setting_kind;

typedef struct mm_setting {
	const char *key;
	mm_setting_kind kind;
	long long lo, hi;     /* MM_SET_INT: the range */
	const char *value;    /* how the value is written: "N", "on|off" */
	const char *help;     /* one line for :help settings */
	const char *deflt;    /* the default, as :help says it */
	const char *choices;  /* MM_SET_ENUM: the words, space-separated */
	size_t offset;        /* of its value in the session's settings */
	/* What a new value changes beyond the value itself (the random
	 * generator for seed, the GEMM's threads), or NULL. */
	void (*apply)(struct mm_session *s);
} mm_setting;

/* The setting called key, or NULL. */
const mm_setting *mm_setting_find(const char *key);
/* Row i in table order, or NULL past the last. */
const mm_setting *mm_setting_at(size_t i);
/* Appends the text of :help settings. */
void mm_setting_help(mm_buf *b);

#endif

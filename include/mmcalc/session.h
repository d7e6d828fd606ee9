/* session.h — libmmcalc's front door: a session holds variables and
 * settings, takes text a line at a time and hands back one result per
 * statement (a report, command output or a diagnostic) through a callback.
 * It never prints: the CLI decides where text goes.
 *
 * Ownership: the session owns everything it creates. A result passed to
 * the callback, and every string in it, is valid only during the call. */
#ifndef MMCALC_SESSION_H
#define MMCALC_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "mmcalc/diag.h"

typedef struct mm_session mm_session;

typedef enum mm_result_kind {
	MM_R_VALUE,  /* an expression's report */
	MM_R_ASSIGN, /* NAME = expr */
	MM_R_TEXT,   /* output of a command (:vars, :help, ...) */
	MM_R_ERROR,  /* a diagnostic */
	MM_R_WARNING /* a diagnostic (d->warning) that did not stop the
	                statement; its result follows */
} mm_result_kind;

typedef struct mm_result {
	mm_result_kind kind;
	const char *file;   /* where the statement came from: "<stdin>", ... */
	long line;          /* 1-based */
	const char *src;    /* the whole source line, for carets */
	size_t src_len;
	const mm_diag *diag; /* MM_R_ERROR */
	const char *text;   /* human text, ending in '\n' ("" for none) */
	const char *json;   /* one JSON object without newline, or NULL */
} mm_result;

typedef void (*mm_emit_fn)(void *ctx, const mm_result *r);

/* The version of libmmcalc ("0.1.0"), from meson.build. */
const char *mm_version(void);

/* A new session with default settings; NULL when out of memory. */
mm_session *mm_session_new(void);
void mm_session_free(mm_session *s);

/* Where the host's calibration is cached (see device.h's
 * mm_device_cache_path); NULL: measure once per session, keep nothing. */
void mm_session_set_cache_path(mm_session *s, const char *path);

/* Produce JSON for results (--json); off by default. */
void mm_session_set_json(mm_session *s, bool on);

/* What the output is shown on, as the defaults of the settings width,
 * unicode and colour (charts and share bars): display columns (30 to
 * 1000; others leave 80), whether Unicode can be shown, whether ANSI
 * colour may be used. The library asks no terminal: the CLI does. */
void mm_session_set_terminal(mm_session *s, int width, bool unicode,
                             bool colour);

/* Runs every statement of one line (len bytes; need not be terminated).
 * file and line say where it came from, for diagnostics. Returns the
 * number of statements that failed. */
int mm_session_run(mm_session *s, const char *file, long line,
                   const char *src, size_t len, mm_emit_fn emit, void *ctx);

/* A definition over several lines (def f(x) { ... }) is gathered: its
 * lines run together once its braces close. True while one is open (a
 * prompt shows that more is expected). */
bool mm_session_pending(const mm_session *s);
/* Drops what is gathered (Ctrl-C at the prompt). */
void mm_session_discard(mm_session *s);
/* Runs what is gathered (at the end of the input: its missing '}' is an
 * error). Returns the failures. */
int mm_session_flush(mm_session *s, mm_emit_fn emit, void *ctx);
/* Runs a whole text (a script), line by line. Returns the failures. */
int mm_session_run_text(mm_session *s, const char *file, const char *text,
                        size_t len, mm_emit_fn emit, void *ctx);

/* True once :quit has run. */
bool mm_session_quit(const mm_session *s);

/* Completion: the i-th (0-based) name among commands (with their ':'),
 * functions and variables that starts with prefix, or NULL past the last.
 * Call with i = 0, 1, 2, ... for one prefix. */
const char *mm_session_complete(mm_session *s, const char *prefix, int i);
/* The same for the word that starts at byte `at` of line (the whole line
 * typed so far): the first argument of :set, :help, :device and :dtype
 * completes among settings, topics, devices and dtypes. The result points
 * into static storage or the session, valid until the next call. */
const char *mm_session_complete_at(mm_session *s, const char *line,
                                   size_t at, const char *prefix, int i);

#endif

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
#include <stdint.h>

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

/* ---- running text from someone else: a service, a fuzzer ----
 *
 * A session may read and write files and use the machine's memory,
 * threads and time as its statements ask. These confine it. Each may be
 * called at any time; the statements that follow are held to it. */

/* Every file the session's statements name — load(), save(), :source,
 * :inspect, :model FILE.json, the plot= of :roofline and :sweep — must be
 * beneath dir (path.h's mm_path_confine says exactly what is refused:
 * absolute paths elsewhere, "..", symbolic links leading out); anything
 * else is an error naming dir, and nothing outside is opened. Relative
 * names start at dir (in a sourced script, at its directory), not at the
 * process's current directory. Model presets (model.h's path, the
 * embedder's choice) are still read. The calibration cache
 * (mm_session_set_cache_path) is the embedder's too and is not confined.
 * NULL lifts the confinement. MM_ERR_IO when dir is not an existing
 * directory (the session is then unchanged). */
mm_code mm_session_set_root(mm_session *s, const char *dir, mm_diag *d);

/* Caps on what statements may ask for, replacing those set before; 0 (or
 * a negative time) leaves that one as it is by default. A statement asking
 * for more is an error (MM_ERR_LIMIT, or MM_ERR_ARG for a run count). */
typedef struct mm_session_caps {
	uint64_t memlimit;  /* the most `:set memlimit` may set; a larger
	                       current value and default are lowered to it */
	int threads;        /* the most `:threads` may set; likewise */
	int bench_runs;     /* the most runs of :bench and bench= (50) */
	double warmup_s;    /* seconds :bench and run=true warm up before
	                       timing (0.02), never less than one run */
	size_t script_bytes; /* the largest script :source reads
	                        (MM_IO_TEXT_MAX, 64 MiB) */
} mm_session_caps;
void mm_session_set_caps(mm_session *s, const mm_session_caps *caps);

/* The figures `host` stands for: with them, :device host (recalibrate
 * too) and every prediction made before a :device use them, and the
 * machine is never measured (a calibration takes 0.6 s and 96 MiB).
 * dev is copied; NULL goes back to measuring. */
struct mm_device;
void mm_session_set_host(mm_session *s, const struct mm_device *dev);

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

/* cli.h — what the command's two halves (main.c, repl.c) share. */
#ifndef MMCALC_CLI_H
#define MMCALC_CLI_H

#include <stdbool.h>

#include "mmcalc/session.h"

typedef struct cli_opts {
	bool json;    /* --json */
	bool quiet;   /* -q: no banner */
	bool no_init; /* --no-init */
	bool echo;    /* --echo: each script line as 'mm> LINE' before its output */
	bool color;   /* diagnostics in colour (a terminal, no NO_COLOR) */
	bool ascii;   /* --ascii: charts and bars without Unicode */
	const char *root; /* --root DIR: the statements' files beneath it */
} cli_opts;

/* Prints one result: text to stdout, diagnostics to stderr. ctx is the
 * cli_opts. */
void cli_emit(void *ctx, const mm_result *r);

/* The interactive prompt; returns the exit status. */
int cli_repl(mm_session *s, cli_opts *o);

/* Runs a script's text (len bytes) line by line, echoing with --echo,
 * until its end, :quit, an interrupt or a failed write. Returns the
 * failed statements. */
long cli_run_text(mm_session *s, const char *name, const char *text,
                  size_t len, cli_opts *o);
/* True when the running script should stop: :quit, Ctrl-C or output
 * that can no longer be written. */
bool cli_stop(const mm_session *s);

/* ---- out.c: every write to stdout and stderr goes through these. Each
 * returns false once a write to its stream has failed (later ones are not
 * tried); cli_finish reports it. */
bool cli_out(const char *s, size_t n);
bool cli_puts(const char *s);
bool cli_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool cli_flush(void);
/* stderr, after flushing stdout so that the order is kept. */
bool cli_err(const char *s, size_t n);
bool cli_errf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* True once a write to stdout or stderr has failed. */
bool cli_output_failed(void);
/* Flushes and closes stdout, flushes stderr; when any write failed, says
 * so on stderr (when it can be written) and returns 2 (130 stays 130),
 * else status. Call once, at the very end. */
int cli_finish(int status);

/* Remembers the terminal's settings on fd, for cli_die_of. */
void cli_save_terminal(int fd);
/* Async-signal-safe end by signal sig: removes the temporary files of a
 * save in progress, restores the terminal saved by cli_save_terminal,
 * then dies of sig (default action, raised again). */
void cli_die_of(int sig);
/* Installs cli_die_of for SIGTERM and SIGHUP (unless they were ignored
 * when the program started, as under nohup). */
void cli_fatal_signals(void);

/* ---- history.c: the prompt's history file ---- */

/* $MMCALC_HISTORY, else $XDG_STATE_HOME/mmcalc/history when that is an
 * absolute path, else ~/.local/state/mmcalc/history; NULL when none can
 * be found. malloc'd. */
char *cli_history_path(void);
/* Loads the last entries of the file (reading at most its last 1 MiB)
 * into Readline's history, bounded to CLI_HISTORY_LINES entries, and
 * trims the file when it is over its size limit. Creates the directories
 * and the file when missing. */
void cli_history_load(const char *path);
/* Adds a line to the history and appends it to the file (when path is
 * not NULL), trimming the file when it passes its size limit. Lines over
 * 64 KiB are not kept. */
void cli_history_add(const char *path, const char *line);

#endif

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
} cli_opts;

/* Prints one result: text to stdout, diagnostics to stderr. ctx is the
 * cli_opts. */
void cli_emit(void *ctx, const mm_result *r);

/* The interactive prompt; returns the exit status. */
int cli_repl(mm_session *s, cli_opts *o);

#endif

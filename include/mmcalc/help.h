/* help.h — the text of :help, one entry per topic. The same entries feed
 * the man page's checks (tests/docs), so the two say the same things. */
#ifndef MMCALC_HELP_H
#define MMCALC_HELP_H

#include <stddef.h>

#include "mmcalc/buf.h"

typedef struct mm_help_topic {
	const char *name;    /* "functions", "commands", ... */
	const char *summary; /* one line for the index */
	const char *text;    /* the body, lines ending in '\n', or NULL when */
	void (*make)(mm_buf *b); /* ... made from a table (built-ins,
	                            commands, settings, devices) */
} mm_help_topic;

/* The topics, in the order :help lists them; *n receives the count. */
const mm_help_topic *mm_help_topics(size_t *n);
/* Appends a row of a table-made topic: "  HEAD", then text from column
 * col (on the next line when HEAD reaches it), wrapped within 79 columns. */
void mm_help_row(mm_buf *b, const char *head, size_t col, const char *text);

/* Appends the body of t. */
void mm_help_text(const mm_help_topic *t, mm_buf *b);
/* A topic by name (also a function or command name, which finds the topic
 * that documents it); NULL when none. */
const mm_help_topic *mm_help_find(const char *name);

#endif

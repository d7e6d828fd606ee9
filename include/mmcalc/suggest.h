/* suggest.h — "did you mean": the candidate closest to a name the user
 * typed, by optimal string alignment distance (a transposition counts
 * one), within a limit that grows with the name's length so that short
 * names do not match everything. Each caller offers the candidates of its
 * own context — settings for :set, devices for :device, topics for :help,
 * variables and functions in an expression — so a misspelt setting never
 * suggests a function.
 *
 * Ownership: the suggester keeps pointers to the name and the candidates;
 * they must outlive it. */
#ifndef MMCALC_SUGGEST_H
#define MMCALC_SUGGEST_H

typedef struct mm_suggest {
	const char *name;
	const char *best; /* the closest candidate so far, or NULL */
	int dist;
} mm_suggest;

void mm_suggest_init(mm_suggest *s, const char *name);
/* Offers one candidate (NULL is ignored). */
void mm_suggest_add(mm_suggest *s, const char *candidate);
/* The closest candidate within the limit, or NULL. */
const char *mm_suggest_best(const mm_suggest *s);

/* The closest of a NULL-terminated list, or NULL. */
const char *mm_suggest_in(const char *name, const char *const *list);

#endif

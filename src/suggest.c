/* suggest.c — "did you mean": edit distance with length-dependent limits. */
#include <string.h>
#include <strings.h>

#include "mmcalc/suggest.h"

/* Optimal string alignment distance, capped for long names. */
static int distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	if (n > 40 || m > 40)
		return 99;
	int d[41][41];
	for (size_t i = 0; i <= n; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= n; i++)
		for (size_t j = 1; j <= m; j++) {
			int cost = a[i - 1] != b[j - 1];
			int v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[n][m];
}

void mm_suggest_init(mm_suggest *s, const char *name)
{
	s->name = name;
	s->best = NULL;
	s->dist = 99;
}

void mm_suggest_add(mm_suggest *s, const char *cand)
{
	if (!cand)
		return;
	const char *name = s->name;
	size_t len = strlen(name);
	/* Short names are close to everything: a one-letter name only
	 * suggests a difference of case, a two-letter one keeps its first. */
	if (len == 1 && strcasecmp(name, cand) != 0)
		return;
	if (len == 2 && name[0] != cand[0])
		return;
	int dist = distance(name, cand);
	int limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
	/* Ties go to the candidate of the same length (Wg: Wq before W). */
	if (dist <= limit && (dist < s->dist ||
	                      (dist == s->dist && s->best &&
	                       strlen(cand) == len && strlen(s->best) != len))) {
		s->dist = dist;
		s->best = cand;
	}
}

const char *mm_suggest_best(const mm_suggest *s)
{
	return s->best;
}

const char *mm_suggest_in(const char *name, const char *const *list)
{
	mm_suggest s;
	mm_suggest_init(&s, name);
	for (; list && *list; list++)
		mm_suggest_add(&s, *list);
	return mm_suggest_best(&s);
}

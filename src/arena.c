/* arena.c — bump allocation in chunks. */
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/arena.h"

struct mm_arena_chunk {
	mm_arena_chunk *next;
	size_t cap;
	alignas(max_align_t) unsigned char data[];
};

struct mm_arena_defer {
	mm_arena_defer *next;
	void (*fn)(void *);
	void *p;
};

#define CHUNK 8192

bool mm_arena_on_reset(mm_arena *a, void (*fn)(void *), void *p)
{
	mm_arena_defer *d = mm_arena_alloc(a, sizeof *d);
	if (!d)
		return false;
	d->fn = fn;
	d->p = p;
	d->next = a->defer;
	a->defer = d;
	return true;
}

/* Runs the deferred calls, newest first. A call may allocate in the
 * arena; what it defers runs too. */
static void run_deferred(mm_arena *a)
{
	while (a->defer) {
		mm_arena_defer *d = a->defer;
		a->defer = d->next;
		d->fn(d->p);
	}
}

void *mm_arena_alloc(mm_arena *a, size_t n)
{
	const size_t al = alignof(max_align_t);
	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + al - 1) & ~(al - 1);
	if (!a->head || a->used + n > a->head->cap) {
		size_t cap = n > CHUNK ? n : CHUNK;
		mm_arena_chunk *c = malloc(sizeof *c + cap);
		if (!c)
			return NULL;
		c->next = a->head;
		c->cap = cap;
		a->head = c;
		a->used = 0;
	}
	void *p = a->head->data + a->used;
	a->used += n;
	memset(p, 0, n);
	return p;
}

char *mm_arena_strndup(mm_arena *a, const char *s, size_t n)
{
	char *p = mm_arena_alloc(a, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

void mm_arena_reset(mm_arena *a)
{
	run_deferred(a);
	if (!a->head)
		return;
	/* Keep the oldest chunk: a typical statement fits in it. */
	mm_arena_chunk *c = a->head;
	while (c->next) {
		mm_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = c;
	a->used = 0;
}

void mm_arena_free(mm_arena *a)
{
	run_deferred(a);
	mm_arena_chunk *c = a->head;
	while (c) {
		mm_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->used = 0;
}

/* arena.h — a bump allocator. Everything allocated from an arena is freed
 * at once by mm_arena_free (or kept for reuse by mm_arena_reset); the parser
 * allocates every node of a statement from one. */
#ifndef MMCALC_ARENA_H
#define MMCALC_ARENA_H

#include <stdbool.h>
#include <stddef.h>

typedef struct mm_arena_chunk mm_arena_chunk;
typedef struct mm_arena_defer mm_arena_defer;

typedef struct mm_arena {
	mm_arena_chunk *head; /* the chunk being filled; older ones follow */
	size_t used;          /* bytes used in head */
	mm_arena_defer *defer; /* run at reset and free, newest first */
} mm_arena;

#define MM_ARENA_INIT {NULL, 0, NULL}

/* Returns n zeroed bytes aligned for any type, or NULL when out of memory. */
void *mm_arena_alloc(mm_arena *a, size_t n);
/* Copies n bytes of s and a NUL; NULL when out of memory. */
char *mm_arena_strndup(mm_arena *a, const char *s, size_t n);
/* Runs fn(p) when the arena is next reset or freed (newest first): for
 * what the arena's contents hold outside it, such as references to
 * graph nodes. False when out of memory (fn is then not called). */
bool mm_arena_on_reset(mm_arena *a, void (*fn)(void *), void *p);
/* Frees everything but the first chunk, which is kept for reuse. */
void mm_arena_reset(mm_arena *a);
void mm_arena_free(mm_arena *a);

#endif

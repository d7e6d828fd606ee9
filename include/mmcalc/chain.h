/* chain.h — matrix chain order for `:order A @ B @ C ...`: the cheapest
 * bracketing by the classic O(n³) dynamic program, the left-to-right and
 * right-to-left orders, and every bracketing (or the best ones) with its
 * cost. A chain of n matrices has dims p[0..n]: matrix i is p[i] × p[i+1].
 * A product of (m × k) by (k × n) costs 2·m·k·n FLOPs (m·k·n MACs);
 * a bracketing costs the sum over its n - 1 products, as an mm_count, so
 * it never wraps (huge chains give approximate counts). Batch dimensions
 * multiply every order alike and are left to the caller.
 *
 * Ownership: mm_chain_order is a plain value; names passed to
 * mm_chain_render are borrowed for the call. */
#ifndef MMCALC_CHAIN_H
#define MMCALC_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "mmcalc/buf.h"
#include "mmcalc/count.h"
#include "mmcalc/diag.h"
#include "mmcalc/poly.h"

#define MM_CHAIN_MAX 32   /* matrices in a chain */
#define MM_CHAIN_ENUM_MAX 10 /* chains up to this long are enumerated fully */

/* One product of a bracketing: (A[lo..mid]) @ (A[mid+1..hi]). */
typedef struct mm_chain_step {
	uint8_t lo, mid, hi;
} mm_chain_step;

/* A bracketing: its n - 1 products in evaluation order (each operand is
 * ready before the product that uses it) and its total cost. */
typedef struct mm_chain_order {
	mm_count flops;
	uint8_t n;      /* matrices */
	uint8_t nsteps; /* n - 1 */
	mm_chain_step step[MM_CHAIN_MAX - 1];
} mm_chain_order;

/* The cheapest bracketing; on ties the largest split index at each level,
 * so that when every order costs the same the answer is left to right. MM_ERR_VALUE when n is 0, MM_ERR_LIMIT when n > MM_CHAIN_MAX;
 * the same errors for the functions below. */
mm_code mm_chain_optimal(size_t n, const uint64_t *p, mm_chain_order *out,
                         mm_diag *d);
/* ((A @ B) @ C) @ ...: NumPy's and most code's order. */
mm_code mm_chain_left(size_t n, const uint64_t *p, mm_chain_order *out,
                      mm_diag *d);
/* A @ (B @ (C @ ...)). */
mm_code mm_chain_right(size_t n, const uint64_t *p, mm_chain_order *out,
                       mm_diag *d);

/* Bracketings sorted by cost, cheapest first (ties: nearer left to right
 * first),
 * at most cap of them in out[], their number in *count, and the number of
 * bracketings there are (the Catalan number C(n-1), approximate when
 * huge) in *total (may be NULL). For n <= MM_CHAIN_ENUM_MAX every
 * bracketing is considered; longer chains keep the k cheapest of every
 * interval (k = cap, at most 16) in a dynamic program, which gives the
 * cap cheapest of the whole chain too. */
mm_code mm_chain_enumerate(size_t n, const uint64_t *p, mm_chain_order *out,
                           size_t cap, size_t *count, mm_count *total,
                           mm_diag *d);

/* Total FLOPs of a bracketing for dims p (recomputed from its steps). */
mm_count mm_chain_cost(const mm_chain_order *o, const uint64_t *p);

/* Symbolic FLOPs of bracketing o when the dims are polynomials
 * dims[0..o->n] (2·m·k·n summed over the products, canonical form): for
 * chains with symbols, get every bracketing from mm_chain_enumerate with
 * all dims 1, cost each here, and compare them at bound values
 * (mm_poly_eval), or for every dims >= 1 with mm_poly_nonneg on the
 * difference of two costs. Errors as mm_poly_mul (MM_ERR_LIMIT). */
mm_code mm_chain_cost_poly(const mm_chain_order *o, const mm_poly *dims,
                           mm_poly *out, mm_diag *d);

/* Appends the bracketing with the given names: "(A @ B) @ C",
 * "A @ (B @ C)", "(A @ B) @ (C @ D)"; the outermost product has no
 * parentheses. names may be NULL (A, B, C, ..., then M27, M28, ...);
 * otherwise it has o->n entries. */
void mm_chain_render(mm_buf *b, const mm_chain_order *o,
                     const char *const *names);

#endif

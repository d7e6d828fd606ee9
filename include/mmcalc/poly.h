/* poly.h — polynomials with integer coefficients over named symbols: the
 * dimensions and costs of shapes like (n x d), (B*T x C) or (d/h x h).
 *
 * Ownership: an mm_poly is a fixed-size value with no pointers and no heap
 * memory. Copy it with `=`, keep it in an arena node, a shape or on the
 * stack; there is nothing to free. Operations write their result through an
 * `out` pointer that may alias an operand. When a result needs more than
 * MM_POLY_MAX_TERMS terms or MM_POLY_MAX_SYMS symbols, the operation fails
 * with MM_ERR_LIMIT and leaves *out unchanged. Errors fill an mm_diag with
 * an empty span: the caller knows which source text the polynomial came
 * from and may overwrite the span.
 *
 * Value: (Σ coef_i · Π sym_j^exp_ij) / den, where exponents may be
 * negative. A quotient by a monomial that does not divide every term keeps
 * the divisor as negative exponents (d/h is d·h⁻¹, printed "d/h"); a
 * quotient by an integer that does not divide the content keeps a common
 * positive denominator (n/2). So every quotient of a polynomial by a
 * monomial is exact and symbolic, and substitution decides later whether
 * the value is an integer. Dividing by a sum is supported only when the
 * quotient is a single term ((2·n·d + 2·d) / (n + 1) = 2·d).
 *
 * Canonical form (kept after every operation):
 * - Symbols are kept in order of first appearance: an operation lists the
 *   first operand's symbols, then the new ones of the second. Within a
 *   monomial symbols print in that order, so (n x d) @ (d x d) costs
 *   2·n·d², not 2·d²·n. Symbols whose exponent is 0 in every term are
 *   dropped.
 * - Terms are sorted by total degree, highest first, then by exponents
 *   compared symbol by symbol in that order, higher first (graded
 *   lexicographic): 2·n·d + d², n² + n + 1, d/h + 1.
 * - Like terms are combined and zero terms removed; the zero polynomial has
 *   no terms. The denominator is positive and shares no factor with all the
 *   coefficients (content).
 * Equality (mm_poly_eq) is of values and ignores the symbol order, so
 * n·d built from (n x d) equals d·n built from (d x n).
 *
 * Overflow: coefficients are exact int64 while they fit. An operation
 * whose exact result would overflow makes the polynomial approximate:
 * double coefficients (the denominator folded in), never a wrapped number.
 * An approximate operand makes the result approximate. */
#ifndef MMCALC_POLY_H
#define MMCALC_POLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmcalc/buf.h"
#include "mmcalc/count.h"
#include "mmcalc/diag.h"

#define MM_POLY_MAX_TERMS 16
#define MM_POLY_MAX_SYMS 8
#define MM_POLY_NAME 24 /* a symbol name has at most 23 bytes */

typedef struct mm_poly_term {
	int64_t coef;  /* exact coefficient (over den) when !approx */
	double fcoef;  /* the coefficient's value, den folded in; the only
	                  valid coefficient when approx */
	int8_t exp[MM_POLY_MAX_SYMS]; /* exponent of each symbol, may be < 0 */
} mm_poly_term;

typedef struct mm_poly {
	uint8_t nterms, nsyms;
	bool approx;
	int64_t den; /* common denominator, >= 1; 1 when approx */
	char sym[MM_POLY_MAX_SYMS][MM_POLY_NAME];
	mm_poly_term term[MM_POLY_MAX_TERMS];
} mm_poly;

/* Returns a symbol's value: true and *value when bound, false otherwise. */
typedef bool (*mm_poly_lookup)(void *ctx, const char *name, int64_t *value);

/* Print flags. */
enum {
	MM_POLY_ASCII = 1,  /* "2*n*d^2", parseable back: for JSON and -> */
	MM_POLY_EXPAND = 2, /* do not factor out the content: 8·n·d + 4·d² */
};

/* ---- construction ---- */

/* The constant c. */
void mm_poly_const(mm_poly *out, int64_t c);
/* A constant from a count: exact while it fits int64, else approximate. */
void mm_poly_from_count(mm_poly *out, mm_count c);
/* The symbol name[0..len) (len bytes, need not be NUL-terminated).
 * MM_ERR_LIMIT if longer than MM_POLY_NAME - 1, MM_ERR_VALUE if empty. */
mm_code mm_poly_sym(mm_poly *out, const char *name, size_t len, mm_diag *d);

/* ---- arithmetic: *out may alias a or b; on error *out is unchanged ---- */

mm_code mm_poly_add(mm_poly *out, const mm_poly *a, const mm_poly *b,
                    mm_diag *d);
mm_code mm_poly_sub(mm_poly *out, const mm_poly *a, const mm_poly *b,
                    mm_diag *d);
mm_code mm_poly_mul(mm_poly *out, const mm_poly *a, const mm_poly *b,
                    mm_diag *d);
/* a · k for an integer k. */
/* a · k for a number k: exact when k is a fraction p/q with q of the form
 * 2^i·5^j up to 10^6 (0.4, 2.5, 1e-3), else approximate. */
mm_code mm_poly_scale(mm_poly *out, const mm_poly *a, double k, mm_diag *d);
mm_code mm_poly_mul_int(mm_poly *out, const mm_poly *a, int64_t k,
                        mm_diag *d);
/* a / b: exact when b is a single term (see the top of the file);
 * MM_ERR_VALUE when b is zero; MM_ERR_UNSUPPORTED when b is a sum and
 * the quotient is not a single term. */
mm_code mm_poly_div(mm_poly *out, const mm_poly *a, const mm_poly *b,
                    mm_diag *d);
/* a^k for 0 <= k <= 64 (a^0 = 1). */
mm_code mm_poly_pow(mm_poly *out, const mm_poly *a, unsigned k, mm_diag *d);

/* ---- inspection ---- */

/* Equal values (exactness included: an approximate polynomial is never
 * equal to an exact one). */
bool mm_poly_eq(const mm_poly *a, const mm_poly *b);
bool mm_poly_is_zero(const mm_poly *p);
/* No symbols (the value may still be a fraction or approximate). */
bool mm_poly_is_const(const mm_poly *p);
/* True and *out when p is an exact integer constant. */
bool mm_poly_get_const(const mm_poly *p, int64_t *out);
/* True and *out when p is a constant, non-negative integer, exact or
 * approximate (as a count: approximate stays approximate). */
bool mm_poly_get_count(const mm_poly *p, mm_count *out);
/* True when every term's exponents are >= 0 and den is 1: an integer for
 * every integer value of the symbols. */
bool mm_poly_is_integral(const mm_poly *p);
/* The symbols in canonical order; names live inside *p. */
size_t mm_poly_nsyms(const mm_poly *p);
const char *mm_poly_sym_name(const mm_poly *p, size_t i);
bool mm_poly_has_sym(const mm_poly *p, const char *name);
/* Puts p's symbols in the order of names (those it has; the others after
 * them, as they were) and its terms in canonical order for that order:
 * so that several polynomials of one report print alike. */
void mm_poly_reorder(mm_poly *p, const char *const *names, int n);
/* The integer content: the gcd of the coefficients, with the sign of the
 * leading term; 1 for zero and approximate polynomials. When rest is not
 * NULL it receives p / content. */
int64_t mm_poly_content(const mm_poly *p, mm_poly *rest);
/* The common factor of p's terms: the content's magnitude times each
 * symbol's least exponent over the terms, when it is positive, or also
 * when negative if `denominators` (then dividing p by it clears that
 * symbol from the denominators: for positive sizes, both sides of an
 * inequality may be divided by it). *factor receives it and, when rest
 * is not NULL, *rest receives p / factor; both are left unchanged on
 * error (MM_ERR_LIMIT when an exponent would leave its range). */
mm_code mm_poly_common_factor(const mm_poly *p, bool denominators,
                              mm_poly *factor, mm_poly *rest, mm_diag *d);

/* True when p >= 0 provably for every value >= lo (lo >= 0) of every
 * symbol: p is rewritten in s = lo + s' for each symbol and every
 * coefficient comes out >= 0. A sufficient test, not a decision: false
 * means "not proven" (also for negative exponents and rewrites too large
 * for MM_POLY_MAX_TERMS; an approximate polynomial is proven only when no
 * coefficient is negative). With lo = 1 it
 * says which of two costs is never larger, whatever the dims:
 * 2·n·d² - 2·d² is >= 0 for n, d >= 1. */
bool mm_poly_nonneg(const mm_poly *p, int64_t lo);

/* ---- substitution and evaluation ---- */

/* Replaces every symbol that lookup binds by its value, leaving the others
 * symbolic. MM_ERR_VALUE when a bound value is 0 and the symbol is a
 * divisor (d/h with h = 0). lookup may be NULL (nothing is bound). */
mm_code mm_poly_subst(mm_poly *out, const mm_poly *p, mm_poly_lookup lookup,
                      void *ctx, mm_diag *d);
/* p's value with every symbol bound by lookup, as a count:
 * MM_ERR_NAME naming the first unbound symbol, MM_ERR_VALUE when the value
 * is negative or not an integer (d/h with d = 100, h = 12); division by
 * zero as in mm_poly_subst. An approximate p gives an approximate count. */
mm_code mm_poly_eval(const mm_poly *p, mm_poly_lookup lookup, void *ctx,
                     mm_count *out, mm_diag *d);

/* ---- printing ---- */

/* Appends p to b: human form "2·n·d²", "4·(2·n·d + d²)", "d/h", "(n + 1)/2",
 * "~2e36·n" (U+00B7 middle dot and superscript digits); with MM_POLY_ASCII
 * "2*n*d^2", "4*(2*n*d + d^2)", "d/h", "2e36*n" (no '~', so it parses back;
 * check p->approx). The content is factored out of a sum unless
 * MM_POLY_EXPAND, and the denominator and any divisor common to all terms
 * go under the whole sum: "(n + 1)/2", "3·(n + 1)/(2·h)". */
void mm_poly_print(mm_buf *b, const mm_poly *p, unsigned flags);

/* ---- parsing ---- */

/* Parses what mm_poly_print writes, in either form, back into *out:
 *   sum     := term (('+' | '-') term)*
 *   term    := factor (('*' | '·' | '/') factor)*
 *   factor  := ('-' | '+') factor | primary ('^' INT | SUPERSCRIPTS)?
 *   primary := INT | NUMBER | NAME | '(' sum ')'
 * NUMBER (with '.' or 'e') is exact when it is an integer below 2^63,
 * otherwise approximate; a leading '~' is skipped. Division follows
 * mm_poly_div, powers are 0..64. Spaces are allowed between tokens.
 * text has len bytes; MM_ERR_SYNTAX (span = the offending bytes) when it
 * is not one whole polynomial. For JSON round trips and tests; the
 * language's own dims go through the parser and mm_poly_add etc. */
mm_code mm_poly_parse(mm_poly *out, const char *text, size_t len,
                      mm_diag *d);

#endif

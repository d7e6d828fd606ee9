/* solve.h — holes: `(1024x4096) @ ? = (1024x512)` asks which shape the
 * unknown operand must have. The answer is the most general shape that
 * makes the left side's shape equal the right side's. */
#ifndef MMCALC_SOLVE_H
#define MMCALC_SOLVE_H

#include "mmcalc/check.h"

/* Solves lhs = want for the one '?' in lhs: checks the rest of lhs with c,
 * fills *out with the hole's shape and verifies it by checking lhs again
 * with the hole bound. MM_ERR_SHAPE (with the reason) when no shape works,
 * MM_ERR_ARG when lhs holds no '?' or more than one, MM_ERR_UNSUPPORTED
 * when the hole sits under an operation that cannot be inverted. */
mm_code mm_solve_hole(mm_checker *c, mm_node *lhs, const mm_shape *want,
                      mm_shape *out);
/* After mm_solve_hole answered hole with fewer axes than want (a weight
 * the batch shares): true and *alt when the batched hole (want's leading
 * axes, then hole's) fits as well, the alternative to mention. lhs is
 * checked again with alt: read the answer's costs from lhs before. */
bool mm_solve_batched(mm_checker *c, mm_node *lhs, const mm_shape *want,
                      const mm_shape *hole, mm_shape *alt);

#endif

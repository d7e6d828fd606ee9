/* check_int.h — what the checker's files share (check.c: the walk;
 * check_num.c: arithmetic on numbers and formulas; check_fn.c: user
 * functions). Not a public header. */
#ifndef MMCALC_CHECK_INT_H
#define MMCALC_CHECK_INT_H

#include "mmcalc/check.h"

/* a op b on two numbers into i (exact integers while they fit, units
 * following the operator). */
mm_code mm_ck_fold_numbers(mm_checker *c, const mm_node *e,
                           const mm_value *a, const mm_value *b, mm_info *i);
/* a op b where one is a formula of symbols: its polynomial. */
mm_code mm_ck_fold_formula(mm_checker *c, const mm_node *e,
                           const mm_value *a, const mm_value *b, mm_info *i);
/* A name that a function's parameter or local variable binds: the node it
 * stands for, or NULL (check_fn.c). */
mm_node *mm_ck_local_find(const mm_checker *c, const char *name);
/* A call of the user function f (check_fn.c). */
mm_code mm_ck_user_call(mm_checker *c, mm_node *e, mm_info *i,
                        const mm_userfn *f);

#endif

/* interrupt.h — a process-wide "stop what you are doing" flag. A signal
 * handler calls mm_interrupt_request(); long work (GEMM between blocks,
 * elementwise loops between chunks, loaders) polls mm_interrupted() and
 * returns MM_ERR_INTERRUPTED. Async-signal-safe to set. */
#ifndef MMCALC_INTERRUPT_H
#define MMCALC_INTERRUPT_H

#include <stdbool.h>

void mm_interrupt_request(void);
void mm_interrupt_clear(void);
bool mm_interrupted(void);

#endif

/* interrupt.c — the process-wide interruption flag. */
#include <stdatomic.h>

#include "mmcalc/interrupt.h"

/* Lock-free, so a signal handler may store to it; atomic, so the GEMM's
 * worker threads see the store. */
static atomic_int flag;

void mm_interrupt_request(void)
{
	atomic_store_explicit(&flag, 1, memory_order_relaxed);
}

void mm_interrupt_clear(void)
{
	atomic_store_explicit(&flag, 0, memory_order_relaxed);
}

bool mm_interrupted(void)
{
	return atomic_load_explicit(&flag, memory_order_relaxed) != 0;
}

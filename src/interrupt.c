/* interrupt.c — the process-wide interruption flag. */
#include <signal.h>

#include "mmcalc/interrupt.h"

static volatile sig_atomic_t flag;

void mm_interrupt_request(void) { flag = 1; }
void mm_interrupt_clear(void) { flag = 0; }
bool mm_interrupted(void) { return flag != 0; }

/* cmd_sweep.c — :sweep. */
#include "cmd_chart.h"
int mm_cmd_sweep(mm_stmtctx *c, const mm_stmt *st) { (void)st; return mm_sx_text(c); }

/* cmd_model.h — what the model commands share (cmd_model.c: :model and
 * reading a model program back; cmd_memory.c: :memory, :cluster, :split).
 * Not a public header. */
#ifndef MMCALC_CMD_MODEL_H
#define MMCALC_CMD_MODEL_H

#include "mmcalc/memory.h"
#include "session_int.h"

int mm_cmd_model(mm_stmtctx *c, const mm_stmt *st);
int mm_cmd_memory(mm_stmtctx *c, const mm_stmt *st);
int mm_cmd_cluster(mm_stmtctx *c, const mm_stmt *st);
int mm_cmd_split(mm_stmtctx *c, const mm_stmt *st);

/* The transformer the session's variables describe, as a preset or
 * config.json leaves them: its parameters and forward FLOPs from the
 * graph of variable `name` (`model` when NULL), its sizes from
 * hidden_size, num_hidden_layers, num_attention_heads,
 * num_key_value_heads, head_dim, intermediate_size, num_local_experts,
 * num_experts_per_tok, batch and seq. MM_ERR_NAME when one is missing
 * (:model makes them). */
mm_code mm_sx_model(mm_session *s, const char *name, mm_mem_model *m,
                    int64_t *batch, int64_t *seq, mm_diag *d);

#endif

/* fuzz-hfconfig.c — libFuzzer target: the config.json reader on arbitrary
 * text. A config that passes must hold what hfconfig.h promises (counts
 * from 1 to 2^31 - 1, heads dividing, experts in range, a positive
 * epsilon); its parameters are counted (or overflow, said so) and it is
 * rendered in both styles, which must be one line per field and one line
 * in all. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/hfconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const mm_hfconfig *c)
{
	const int64_t n[] = {c->hidden_size, c->num_hidden_layers,
	                     c->num_attention_heads, c->num_key_value_heads,
	                     c->head_dim, c->intermediate_size, c->vocab_size,
	                     c->max_position_embeddings, c->num_local_experts,
	                     c->num_experts_per_tok};
	for (size_t k = 0; k < sizeof n / sizeof n[0]; k++)
		if (n[k] < 1 || n[k] > INT32_MAX)
			abort();
	if (c->num_attention_heads % c->num_key_value_heads ||
	    c->num_experts_per_tok > c->num_local_experts ||
	    !(c->norm_eps > 0) || !isfinite(c->norm_eps) || !c->model_type ||
	    (unsigned)c->arch >= MM_HF_ARCH_COUNT)
		abort();
	if (!(c->given >> MM_HF_HEAD_DIM & 1) &&
	    c->head_dim * c->num_attention_heads != c->hidden_size)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mm_hfconfig c;
	mm_diag d;
	mm_code r = mm_hfconfig_parse((const char *)data, size, "config.json", &c,
	                              &d);
	if (r != MM_OK) {
		if (d.code != r || !d.message[0] || c.model_type)
			abort();
		return 0;
	}
	check(&c);
	mm_hf_params p;
	r = mm_hfconfig_params(&c, &p, &d);
	if (r != MM_OK && (r != MM_ERR_LIMIT || p.total))
		abort();
	if (r == MM_OK && (p.active > p.total || p.total < p.embedding))
		abort();
	mm_buf b = MM_BUF_INIT;
	mm_hfconfig_render(&c, MM_HF_ARGS, &b);
	const char *s = mm_buf_str(&b);
	if (b.failed || !b.len || s[b.len - 1] != '\n' ||
	    strchr(s, '\n') != s + b.len - 1)
		abort();
	mm_buf_reset(&b);
	mm_hfconfig_render(&c, MM_HF_ASSIGN, &b);
	if (b.failed || !b.len || mm_buf_str(&b)[b.len - 1] != '\n')
		abort();
	mm_buf_free(&b);
	return 0;
}

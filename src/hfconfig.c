/* hfconfig.c — Hugging Face config.json (llama, mistral, mixtral, gpt2)
 * read with jansson, checked, counted and rendered for :model. */
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/ckd.h"
#include "mmcalc/format.h"
#include "mmcalc/hfconfig.h"
#include "mmcalc/io.h"

static const mm_span nospan = {0, 0};

/* The largest count accepted: no real model comes near it, and counts
 * multiplied in mm_hfconfig_params stay far from overflowing. */
#define COUNT_MAX INT32_MAX

/* What a key that the file leaves out, or sets to null, stands for. */
typedef enum rule {
	R_VALUE,    /* the row's default value (null: refused) */
	R_HEADS,    /* num_attention_heads */
	R_HEAD_DIM, /* hidden_size / num_attention_heads */
	R_4H        /* 4 · hidden_size */
} rule;

/* One key of config.json. */
typedef struct key {
	const char *name;
	mm_hf_field field;
	double dflt;    /* when absent and absent == R_VALUE */
	rule absent, null;
	bool alias;     /* another name of a field a key before sets */
} key;

#define V(NAME, FIELD, DFLT) {NAME, FIELD, DFLT, R_VALUE, R_VALUE, false}
#define ALIAS(NAME, FIELD) {NAME, FIELD, 0, R_VALUE, R_VALUE, true}

/* transformers' defaults (see hfconfig.h for the sources). */
static const key llama_keys[] = {
	V("vocab_size", MM_HF_VOCAB, 32000),
	V("hidden_size", MM_HF_HIDDEN, 4096),
	V("intermediate_size", MM_HF_FFN, 11008),
	V("num_hidden_layers", MM_HF_LAYERS, 32),
	V("num_attention_heads", MM_HF_HEADS, 32),
	{"num_key_value_heads", MM_HF_KV_HEADS, 0, R_HEADS, R_HEADS, false},
	{"head_dim", MM_HF_HEAD_DIM, 0, R_HEAD_DIM, R_HEAD_DIM, false},
	V("max_position_embeddings", MM_HF_POSITIONS, 2048),
	V("rms_norm_eps", MM_HF_NORM_EPS, 1e-6),
	V("tie_word_embeddings", MM_HF_TIED, 0),
	V("attention_bias", MM_HF_ATTN_BIAS, 0),
	V("mlp_bias", MM_HF_MLP_BIAS, 0),
	{NULL, 0, 0, 0, 0, false},
};

static const key mistral_keys[] = {
	V("vocab_size", MM_HF_VOCAB, 32000),
	V("hidden_size", MM_HF_HIDDEN, 4096),
	V("intermediate_size", MM_HF_FFN, 14336),
	V("num_hidden_layers", MM_HF_LAYERS, 32),
	V("num_attention_heads", MM_HF_HEADS, 32),
	{"num_key_value_heads", MM_HF_KV_HEADS, 8, R_VALUE, R_HEADS, false},
	{"head_dim", MM_HF_HEAD_DIM, 0, R_HEAD_DIM, R_HEAD_DIM, false},
	V("max_position_embeddings", MM_HF_POSITIONS, 4096 * 32),
	V("rms_norm_eps", MM_HF_NORM_EPS, 1e-6),
	V("tie_word_embeddings", MM_HF_TIED, 0),
	{NULL, 0, 0, 0, 0, false},
};

static const key mixtral_keys[] = {
	V("vocab_size", MM_HF_VOCAB, 32000),
	V("hidden_size", MM_HF_HIDDEN, 4096),
	V("intermediate_size", MM_HF_FFN, 14336),
	V("num_hidden_layers", MM_HF_LAYERS, 32),
	V("num_attention_heads", MM_HF_HEADS, 32),
	{"num_key_value_heads", MM_HF_KV_HEADS, 8, R_VALUE, R_HEADS, false},
	{"head_dim", MM_HF_HEAD_DIM, 0, R_HEAD_DIM, R_HEAD_DIM, false},
	V("max_position_embeddings", MM_HF_POSITIONS, 4096 * 32),
	V("rms_norm_eps", MM_HF_NORM_EPS, 1e-5),
	V("tie_word_embeddings", MM_HF_TIED, 0),
	V("num_local_experts", MM_HF_EXPERTS, 8),
	V("num_experts_per_tok", MM_HF_EXPERTS_TOK, 2),
	{NULL, 0, 0, 0, 0, false},
};

static const key gpt2_keys[] = {
	V("vocab_size", MM_HF_VOCAB, 50257),
	V("n_positions", MM_HF_POSITIONS, 1024),
	V("n_embd", MM_HF_HIDDEN, 768),
	V("n_layer", MM_HF_LAYERS, 12),
	V("n_head", MM_HF_HEADS, 12),
	{"n_inner", MM_HF_FFN, 0, R_4H, R_4H, false},
	V("layer_norm_epsilon", MM_HF_NORM_EPS, 1e-5),
	V("tie_word_embeddings", MM_HF_TIED, 1),
	ALIAS("hidden_size", MM_HF_HIDDEN),
	ALIAS("num_hidden_layers", MM_HF_LAYERS),
	ALIAS("num_attention_heads", MM_HF_HEADS),
	ALIAS("max_position_embeddings", MM_HF_POSITIONS),
	{NULL, 0, 0, 0, 0, false},
};

static const struct {
	const char *type;
	const key *keys;
} archs[MM_HF_ARCH_COUNT] = {
	[MM_HF_LLAMA] = {"llama", llama_keys},
	[MM_HF_MISTRAL] = {"mistral", mistral_keys},
	[MM_HF_MIXTRAL] = {"mixtral", mixtral_keys},
	[MM_HF_GPT2] = {"gpt2", gpt2_keys},
};

const char *mm_hfconfig_supported(void)
{
	return "llama, mistral, mixtral, gpt2";
}

bool mm_hfconfig_given(const mm_hfconfig *c, mm_hf_field f)
{
	return (unsigned)f < MM_HF_FIELD_COUNT && (c->given >> f & 1);
}

/* ---- fields by number ---- */

static int64_t *count_field(mm_hfconfig *c, mm_hf_field f)
{
	switch (f) {
	case MM_HF_HIDDEN: return &c->hidden_size;
	case MM_HF_LAYERS: return &c->num_hidden_layers;
	case MM_HF_HEADS: return &c->num_attention_heads;
	case MM_HF_KV_HEADS: return &c->num_key_value_heads;
	case MM_HF_HEAD_DIM: return &c->head_dim;
	case MM_HF_FFN: return &c->intermediate_size;
	case MM_HF_VOCAB: return &c->vocab_size;
	case MM_HF_POSITIONS: return &c->max_position_embeddings;
	case MM_HF_EXPERTS: return &c->num_local_experts;
	case MM_HF_EXPERTS_TOK: return &c->num_experts_per_tok;
	default: return NULL;
	}
}

static bool *bool_field(mm_hfconfig *c, mm_hf_field f)
{
	return f == MM_HF_TIED        ? &c->tie_word_embeddings
	       : f == MM_HF_ATTN_BIAS ? &c->attention_bias
	       : f == MM_HF_MLP_BIAS  ? &c->mlp_bias
	                              : NULL;
}

/* ---- reading ---- */

typedef struct ctx {
	const char *file;
	mm_diag *d;
	mm_hfconfig *c;
	rule pending[MM_HF_FIELD_COUNT]; /* derived after all keys are read */
} ctx;

/* An MM_ERR_FORMAT error "FILE: ...": BAD(x, fmt, args...), fmt a
 * literal and at least one argument. */
#define BAD(x, fmt, ...)                                               \
	mm_diag_set((x)->d, MM_ERR_FORMAT, nospan, "%s: " fmt, (x)->file, \
	            __VA_ARGS__)

/* What v is, for a message: "-4", "4096.5", "a string". */
static const char *what(char out[40], const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_INTEGER:
		snprintf(out, 40, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return out;
	case JSON_REAL: /* the shortest text that reads back */
		for (int prec = 1; prec <= 17; prec++) {
			snprintf(out, 40, "%.*g", prec, json_real_value(v));
			if (strtod(out, NULL) == json_real_value(v))
				break;
		}
		if (!strpbrk(out, ".e")) /* 4096.0 is not the whole number 4096 */
			strcat(out, ".0");
		return out;
	case JSON_STRING: return "a string";
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "a list";
	case JSON_TRUE: return "true";
	case JSON_FALSE: return "false";
	default: return "null";
	}
}

/* The value v of key k into its field. */
static mm_code take(ctx *x, const key *k, const json_t *v)
{
	char w[40];
	int64_t *n = count_field(x->c, k->field);
	bool *b = bool_field(x->c, k->field);
	if (n) {
		json_int_t i = json_is_integer(v) ? json_integer_value(v) : 0;
		if (i < 1 || i > COUNT_MAX)
			return BAD(x, "%s must be a whole number from 1 to %d, "
			              "found %s", k->name, COUNT_MAX, what(w, v));
		if (k->alias && mm_hfconfig_given(x->c, k->field) && *n != i)
			return BAD(x, "%s %" JSON_INTEGER_FORMAT " disagrees with "
			              "the %" PRId64 " its other name gave", k->name,
			           i, *n);
		*n = (int64_t)i;
	} else if (b) {
		if (!json_is_boolean(v))
			return BAD(x, "%s must be true or false, found %s", k->name,
			           what(w, v));
		*b = json_is_true(v);
	} else {
		double e = json_number_value(v);
		if (!json_is_number(v) || !isfinite(e) || e <= 0)
			return BAD(x, "%s must be a positive number, found %s",
			           k->name, what(w, v));
		x->c->norm_eps = e;
	}
	x->c->given |= 1u << k->field;
	return MM_OK;
}

/* Key k from the root object: the file's value, its default, or a rule
 * to apply once everything is read. */
static mm_code one_key(ctx *x, const key *k, const json_t *root)
{
	const json_t *v = json_object_get(root, k->name);
	if (v && !json_is_null(v))
		return take(x, k, v);
	if (k->alias)
		return MM_OK;
	rule r = v ? k->null : k->absent;
	if (v && r == R_VALUE)
		return BAD(x, "%s is null; it must be %s", k->name,
		           k->field == MM_HF_NORM_EPS ? "a positive number"
		           : bool_field(x->c, k->field) ? "true or false"
		                                        : "a whole number");
	x->pending[k->field] = r;
	if (r != R_VALUE) {
		x->c->derived |= 1u << k->field;
		return MM_OK;
	}
	int64_t *n = count_field(x->c, k->field);
	bool *b = bool_field(x->c, k->field);
	if (n)
		*n = (int64_t)k->dflt;
	else if (b)
		*b = k->dflt != 0;
	else
		x->c->norm_eps = k->dflt;
	return MM_OK;
}

/* The derived defaults, then the checks that tie fields together. */
static mm_code derive(ctx *x)
{
	mm_hfconfig *c = x->c;
	bool head_dim = x->pending[MM_HF_HEAD_DIM] == R_HEAD_DIM ||
	                c->arch == MM_HF_GPT2;
	if (x->pending[MM_HF_KV_HEADS] == R_HEADS || c->arch == MM_HF_GPT2)
		c->num_key_value_heads = c->num_attention_heads;
	if (head_dim) {
		if (c->hidden_size % c->num_attention_heads)
			return BAD(x, "hidden_size %" PRId64 " is not a multiple of "
			              "num_attention_heads %" PRId64, c->hidden_size,
			           c->num_attention_heads);
		c->head_dim = c->hidden_size / c->num_attention_heads;
	}
	if (x->pending[MM_HF_FFN] == R_4H) {
		if (c->hidden_size > COUNT_MAX / 4)
			return BAD(x, "n_inner's default, 4 * n_embd = %" PRId64
			              ", is over %d", 4 * c->hidden_size, COUNT_MAX);
		c->intermediate_size = 4 * c->hidden_size;
	}
	if (c->num_attention_heads % c->num_key_value_heads)
		return BAD(x, "num_attention_heads %" PRId64 " is not a multiple "
		              "of num_key_value_heads %" PRId64 ": each key/value "
		              "head serves a whole number of query heads",
		           c->num_attention_heads, c->num_key_value_heads);
	if (c->num_experts_per_tok > c->num_local_experts)
		return BAD(x, "num_experts_per_tok %" PRId64 " is more than "
		              "num_local_experts %" PRId64, c->num_experts_per_tok,
		           c->num_local_experts);
	return MM_OK;
}

/* The architecture the root names, or an error. */
static mm_code arch_of(ctx *x, const json_t *root)
{
	const json_t *t = json_object_get(root, "model_type");
	char w[40];
	if (!t) {
		BAD(x, "no model_type, so the %s is unknown", "architecture");
		mm_diag_hint(x->d, "mmcalc reads these model types: %s",
		             mm_hfconfig_supported());
		return MM_ERR_FORMAT;
	}
	if (!json_is_string(t))
		return BAD(x, "model_type must be a string, found %s", what(w, t));
	for (int a = 0; a < MM_HF_ARCH_COUNT; a++)
		if (strcmp(json_string_value(t), archs[a].type) == 0) {
			x->c->arch = (mm_hf_arch)a;
			x->c->model_type = archs[a].type;
			return MM_OK;
		}
	char shown[72];
	size_t n = 0;
	for (const char *s = json_string_value(t); *s && n < 60; s++)
		shown[n++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
	shown[n] = '\0';
	return mm_diag_set(x->d, MM_ERR_UNSUPPORTED, nospan,
	                   "%s: model_type \"%s%s\" is not one mmcalc reads; it "
	                   "reads %s", x->file, shown,
	                   strlen(json_string_value(t)) > n ? "..." : "",
	                   mm_hfconfig_supported());
}

static mm_code from_json(ctx *x, const json_t *root)
{
	mm_hfconfig *c = x->c;
	if (!json_is_object(root))
		return BAD(x, "a config.json holds a JSON object, not %s",
		           json_is_array(root) ? "a list" : "a value");
	mm_code r = arch_of(x, root);
	if (r)
		return r;
	c->num_local_experts = c->num_experts_per_tok = 1;
	c->attention_bias = c->mlp_bias = c->arch == MM_HF_GPT2;
	for (const key *k = archs[c->arch].keys; k->name; k++)
		if ((r = one_key(x, k, root)))
			return r;
	return derive(x);
}

mm_code mm_hfconfig_parse(const char *text, size_t len, const char *name,
                          mm_hfconfig *out, mm_diag *d)
{
	memset(out, 0, sizeof *out);
	json_error_t e;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES |
	                                     JSON_DECODE_ANY, &e);
	if (!root) {
		for (char *s = e.text; *s; s++)
			if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
				*s = '?';
		if (json_error_code(&e) == json_error_out_of_memory)
			return mm_diag_set(d, MM_ERR_NOMEM, nospan,
			                   "%s: out of memory", name);
		return mm_diag_set(d, MM_ERR_FORMAT, nospan,
		                   "%s: not valid JSON: %s (line %d, column %d)",
		                   name, e.text, e.line, e.column);
	}
	ctx x = {name, d, out, {R_VALUE}};
	mm_code r = from_json(&x, root);
	json_decref(root);
	if (r != MM_OK)
		memset(out, 0, sizeof *out);
	return r;
}

mm_code mm_hfconfig_read(const char *path, mm_hfconfig *out, mm_diag *d)
{
	char *text;
	size_t len;
	memset(out, 0, sizeof *out);
	mm_code r = mm_io_read_text(path, MM_HF_CONFIG_MAX, &text, &len, d);
	if (r != MM_OK)
		return r;
	r = mm_hfconfig_parse(text, len, path, out, d);
	free(text);
	return r;
}

/* ---- parameters ---- */

/* Checked arithmetic that remembers an overflow. */
typedef struct acc {
	bool over;
} acc;

static uint64_t mul(acc *a, uint64_t x, uint64_t y)
{
	uint64_t r;
	if (mm_ckd_mul(&r, x, y)) {
		a->over = true;
		return 0;
	}
	return r;
}

static uint64_t add(acc *a, uint64_t x, uint64_t y)
{
	uint64_t r;
	if (mm_ckd_add(&r, x, y)) {
		a->over = true;
		return 0;
	}
	return r;
}

/* One layer of GPT-2 (GPT2Block): c_attn (h → 3h) and c_proj (h → h)
 * with biases, c_fc (h → I) and c_proj (I → h) with biases, ln_1, ln_2. */
static void gpt2_layer(acc *a, const mm_hfconfig *c, uint64_t *attn,
                       uint64_t *mlp, uint64_t *norms)
{
	uint64_t h = (uint64_t)c->hidden_size, i = (uint64_t)c->intermediate_size;
	*attn = add(a, mul(a, h, 4 * h), 4 * h);
	*mlp = add(a, mul(a, 2 * h, i), add(a, i, h));
	*norms = 4 * h;
}

/* One decoder layer of Llama, Mistral or Mixtral: q, k, v, o (biases
 * with attention_bias), an MLP of gate, up and down per expert (biases
 * with mlp_bias), a router of h·E for more than one expert, two RMSNorms. */
static void llama_layer(acc *a, const mm_hfconfig *c, uint64_t *attn,
                        uint64_t *expert, uint64_t *router, uint64_t *norms)
{
	uint64_t h = (uint64_t)c->hidden_size, i = (uint64_t)c->intermediate_size;
	uint64_t q = mul(a, (uint64_t)c->num_attention_heads, (uint64_t)c->head_dim);
	uint64_t kv = mul(a, (uint64_t)c->num_key_value_heads, (uint64_t)c->head_dim);
	*attn = mul(a, h, add(a, mul(a, 2, q), mul(a, 2, kv)));
	if (c->attention_bias)
		*attn = add(a, *attn, add(a, add(a, q, mul(a, 2, kv)), h));
	*expert = mul(a, mul(a, 3, h), i);
	if (c->mlp_bias)
		*expert = add(a, *expert, add(a, mul(a, 2, i), h));
	*router = c->num_local_experts > 1 ? mul(a, h, (uint64_t)c->num_local_experts)
	                                   : 0;
	*norms = 2 * h;
}

mm_code mm_hfconfig_params(const mm_hfconfig *c, mm_hf_params *p,
                           mm_diag *d)
{
	acc a = {false};
	uint64_t h = (uint64_t)c->hidden_size, v = (uint64_t)c->vocab_size;
	uint64_t L = (uint64_t)c->num_hidden_layers;
	uint64_t attn, expert, router = 0, norms, active_mlp;
	memset(p, 0, sizeof *p);
	p->embedding = mul(&a, v, h);
	if (c->arch == MM_HF_GPT2) {
		p->embedding = add(&a, p->embedding,
		                   mul(&a, (uint64_t)c->max_position_embeddings, h));
		gpt2_layer(&a, c, &attn, &expert, &norms);
		p->norms = add(&a, mul(&a, L, norms), 2 * h);
	} else {
		llama_layer(&a, c, &attn, &expert, &router, &norms);
		p->norms = add(&a, mul(&a, L, norms), h);
	}
	p->attention = mul(&a, L, attn);
	p->mlp = mul(&a, L, mul(&a, expert, (uint64_t)c->num_local_experts));
	active_mlp = mul(&a, L, mul(&a, expert, (uint64_t)c->num_experts_per_tok));
	p->router = mul(&a, L, router);
	p->head = c->tie_word_embeddings ? 0 : mul(&a, v, h);
	uint64_t rest = add(&a, add(&a, p->embedding, p->attention),
	                    add(&a, add(&a, p->router, p->norms), p->head));
	p->total = add(&a, rest, p->mlp);
	p->active = add(&a, rest, active_mlp);
	if (a.over) {
		memset(p, 0, sizeof *p);
		return mm_diag_set(d, MM_ERR_LIMIT, nospan,
		                   "the parameter count of this %s config overflows "
		                   "64 bits", c->model_type);
	}
	return MM_OK;
}

/* ---- rendering ---- */

/* What a default the file left out stands for, as a comment. */
static const char *why(const mm_hfconfig *c, mm_hf_field f)
{
	if (mm_hfconfig_given(c, f))
		return NULL;
	if (!(c->derived >> f & 1))
		return "default";
	return f == MM_HF_KV_HEADS   ? "default: num_attention_heads"
	       : f == MM_HF_HEAD_DIM ? "default: hidden_size / num_attention_heads"
	                             : "default: 4 * hidden_size";
}

static void put(mm_buf *b, mm_hf_style s, const char *k, const char *v,
                const char *comment)
{
	if (s == MM_HF_ARGS) {
		mm_buf_printf(b, "%s=%s ", k, v);
		return;
	}
	mm_buf_printf(b, "%s = %s", k, v);
	if (comment)
		mm_buf_printf(b, "  # %s", comment);
	mm_buf_putc(b, '\n');
}

static void put_count(mm_buf *b, mm_hf_style s, const mm_hfconfig *c,
                      const char *k, mm_hf_field f)
{
	char v[24];
	snprintf(v, sizeof v, "%" PRId64, *count_field((mm_hfconfig *)c, f));
	put(b, s, k, v, why(c, f));
}

void mm_hfconfig_render(const mm_hfconfig *c, mm_hf_style style, mm_buf *b)
{
	static const struct {
		const char *key;
		mm_hf_field f;
	} counts[] = {
		{"hidden_size", MM_HF_HIDDEN},
		{"num_hidden_layers", MM_HF_LAYERS},
		{"num_attention_heads", MM_HF_HEADS},
		{"num_key_value_heads", MM_HF_KV_HEADS},
		{"head_dim", MM_HF_HEAD_DIM},
		{"intermediate_size", MM_HF_FFN},
		{"vocab_size", MM_HF_VOCAB},
		{"max_position_embeddings", MM_HF_POSITIONS},
	};
	bool gpt2 = c->arch == MM_HF_GPT2;
	char t[24];
	snprintf(t, sizeof t, "\"%s\"", c->model_type);
	put(b, style, "model_type", t, NULL);
	for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++)
		if (!gpt2 || (counts[k].f != MM_HF_KV_HEADS &&
		              counts[k].f != MM_HF_HEAD_DIM))
			put_count(b, style, c, counts[k].key, counts[k].f);
	put(b, style, "tie_word_embeddings", c->tie_word_embeddings ? "1" : "0",
	    why(c, MM_HF_TIED));
	mm_buf eps = MM_BUF_INIT;
	mm_format_double(&eps, c->norm_eps);
	put(b, style, gpt2 ? "layer_norm_epsilon" : "rms_norm_eps",
	    mm_buf_str(&eps), why(c, MM_HF_NORM_EPS));
	mm_buf_free(&eps);
	if (c->arch == MM_HF_LLAMA) {
		put(b, style, "attention_bias", c->attention_bias ? "1" : "0",
		    why(c, MM_HF_ATTN_BIAS));
		put(b, style, "mlp_bias", c->mlp_bias ? "1" : "0",
		    why(c, MM_HF_MLP_BIAS));
	}
	if (c->arch == MM_HF_MIXTRAL) {
		put_count(b, style, c, "num_local_experts", MM_HF_EXPERTS);
		put_count(b, style, c, "num_experts_per_tok", MM_HF_EXPERTS_TOK);
	}
	if (style == MM_HF_ARGS) /* the last blank becomes the newline */
		b->data[b->len - 1] = '\n';
}

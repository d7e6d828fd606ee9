/* command.c — the commands and the settings: their tables and the
 * functions that run them (:order is in cmd_order.c). */
#include <errno.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/io.h"
#include "mmcalc/eval.h"
#include "mmcalc/explain.h"
#include "mmcalc/gemm.h"
#include "mmcalc/help.h"
#include "mmcalc/path.h"
#include "mmcalc/suggest.h"
#include "cmd_chart.h"
#include "session_int.h"

/* Scripts may source scripts, but not forever. */
#define MAX_SOURCE_DEPTH 16

int mm_cmd_order(mm_stmtctx *c, const mm_stmt *st);
int mm_cmd_inspect(mm_stmtctx *c, const mm_stmt *st);
int mm_cmd_model(mm_stmtctx *c, const mm_stmt *st);
int mm_cmd_memory(mm_stmtctx *c, const mm_stmt *st);
int mm_cmd_cluster(mm_stmtctx *c, const mm_stmt *st);
int mm_cmd_split(mm_stmtctx *c, const mm_stmt *st);
int mm_cmd_vars(mm_stmtctx *c, const mm_stmt *st);

/* The text of a command's arguments from word k on (as typed), in the
 * arena; "" when there are none. */
static const char *rest_of(mm_stmtctx *c, const mm_stmt *st, int k)
{
	if (k >= st->nwords)
		return "";
	uint32_t a = st->words[k].span.start;
	const char *r = mm_arena_strndup(&c->s->arena, c->src + a,
	                                 st->args.end - a);
	return r ? r : "";
}

/* ---- :help ---- */

static int cmd_help(mm_stmtctx *c, const mm_stmt *st)
{
	const char *topic = rest_of(c, st, 0);
	mm_buf *b = &c->s->text;
	size_t n;
	const mm_help_topic *t = mm_help_topics(&n);
	if (!*topic) {
		mm_help_text(&t[0], b);
		mm_buf_puts(b, "\nTopics:\n");
		for (size_t k = 0; k < n; k++)
			mm_buf_printf(b, "  %-10s %s\n", t[k].name, t[k].summary);
		return mm_sx_text(c);
	}
	const char *word = topic[0] == ':' ? topic + 1 : topic;
	const mm_help_topic *h = mm_help_find(word);
	if (h) {
		mm_help_text(h, b);
		return mm_sx_text(c);
	}
	mm_suggest sg;
	mm_suggest_init(&sg, word);
	for (size_t k = 0; k < n; k++)
		mm_suggest_add(&sg, t[k].name);
	const char *s = mm_suggest_best(&sg);
	char hint[128];
	snprintf(hint, sizeof hint, "did you mean :help %s?", s ? s : "");
	return mm_sx_error_at(c, MM_ERR_ARG, st->args,
	                      s ? hint : ":help lists the topics",
	                      "no help on '%s'", word);
}

/* ---- :clear, :quit ---- */

static int cmd_clear(mm_stmtctx *c, const mm_stmt *st)
{
	if (st->nwords == 0) {
		mm_env_clear(&c->s->env);
		return mm_sx_text(c);
	}
	int failed = 0;
	for (int k = 0; k < st->nwords; k++) {
		char name[64];
		snprintf(name, sizeof name, "%.*s", (int)strcspn(st->words[k].text, ","),
		         st->words[k].text);
		if (*name && !mm_env_remove(&c->s->env, name) && !failed)
			failed = mm_sx_error_at(c, MM_ERR_NAME, st->words[k].span, NULL,
			                        "no variable named '%s'", name);
	}
	return failed ? failed : mm_sx_text(c);
}

static int cmd_quit(mm_stmtctx *c, const mm_stmt *st)
{
	(void)st;
	c->s->quit = true;
	return 0;
}

/* ---- settings ---- */

static void apply_seed(mm_session *s)
{
	mm_rng_seed(&s->rng, s->set.seed);
}

static void apply_threads(mm_session *s)
{
	/* The host's figures are measured with a thread count: the next
	 * prediction reads or measures them for the new one. */
	if (mm_gemm_threads() != (int)s->set.threads &&
	    s->dev.kind == MM_DEVICE_HOST)
		s->dev_ready = false;
	mm_gemm_set_threads((int)s->set.threads);
}

/* The named convention the settings now match, or "custom". */
static void apply_conv_field(mm_session *s)
{
	const mm_convention_def *d = mm_convention_named(&s->set.conv);
	size_t n = 0;
	while (mm_convention_at(n))
		n++;
	s->set.convention = d ? d - mm_convention_at(0) : (int64_t)n;
}

/* :set convention NAME: every constant of that convention. */
static void apply_convention(mm_session *s)
{
	const mm_convention_def *d = mm_convention_at((size_t)s->set.convention);
	if (d)
		s->set.conv = d->c;
}

#define CONV(KEY, FIELD, KIND, LO, HI, VALUE, HELP, DFLT, CHOICES)            \
	{.key = KEY, .offset = offsetof(mm_settings, conv.FIELD), .kind = KIND,\
	 .lo = LO, .hi = HI, .value = VALUE, .help = HELP, .deflt = DFLT,     \
	 .choices = CHOICES, .apply = apply_conv_field}

static const mm_setting settings[] = {
	{.key = "precision", .offset = offsetof(mm_settings, precision),
	 .kind = MM_SET_INT, .lo = 0, .hi = 17, .value = "N",
	 .help = "digits after the point when values print (0 to 17)",
	 .deflt = "8"},
	{.key = "threshold", .offset = offsetof(mm_settings, threshold),
	 .kind = MM_SET_INT, .lo = 0, .hi = INT32_MAX,
	 .value = "N", .help = "values with more elements print summarised",
	 .deflt = "1000"},
	{.key = "memlimit", .offset = offsetof(mm_settings, memlimit),
	 .kind = MM_SET_SIZE, .value = "SIZE",
	 .help = "most memory an execution may allocate, e.g. 4GiB",
	 .deflt = "half of physical memory"},
	{.key = "exact", .offset = offsetof(mm_settings, exact),
	 .kind = MM_SET_BOOL, .value = "on|off",
	 .help = "exact digits beside SI figures", .deflt = "off"},
	{.key = "strict", .offset = offsetof(mm_settings, strict),
	 .kind = MM_SET_BOOL, .value = "on|off",
	 .help = "symbols that may differ are errors, not assumptions",
	 .deflt = "off"},
	{.key = "dtype", .offset = offsetof(mm_settings, dtype),
	 .kind = MM_SET_DTYPE, .value = "T",
	 .help = "the dtype of new tensors (as :dtype)", .deflt = "f32"},
	{.key = "seed", .offset = offsetof(mm_settings, seed),
	 .kind = MM_SET_SEED, .value = "N",
	 .help = "restarts the random generator (as :seed)", .deflt = "0",
	 .apply = apply_seed},
	{.key = "threads", .offset = offsetof(mm_settings, threads),
	 .kind = MM_SET_INT, .lo = 1, .hi = 1024, .value = "N",
	 .help = "threads for matrix multiplication (as :threads)",
	 .deflt = "the online CPUs", .apply = apply_threads},
	{.key = "convention", .offset = offsetof(mm_settings, convention),
	 .kind = MM_SET_ENUM, .value = "NAME",
	 .help = "how FLOPs count: every setting below at once, as mmcalc, "
	         "chinchilla (Hoffmann et al. 2022), megatron (Narayanan et al. "
	         "2021) or pytorch (torch's flop_counter) count them; custom "
	         "once one differs",
	 .deflt = "mmcalc", .choices = "mmcalc chinchilla megatron pytorch custom",
	 .apply = apply_convention},
	CONV("elementwise_flops", elementwise, MM_SET_BOOL, 0, 0, "on|off",
	     "elementwise operators and functions cost their FLOPs", "on", NULL),
	CONV("softmax_flops", softmax, MM_SET_INT, 0, 1000, "N",
	     "FLOPs per element of softmax", "5", NULL),
	CONV("layernorm_flops", layernorm, MM_SET_INT, 0, 1000, "N",
	     "FLOPs per element of layernorm", "4", NULL),
	CONV("layernorm_affine_flops", layernorm_affine, MM_SET_INT, 0, 1000, "N",
	     "the same with weight and bias", "5", NULL),
	CONV("reduction_flops", reduction, MM_SET_INT, 0, 1000, "N",
	     "FLOPs per input element of sum, mean, max, min, norm", "1", NULL),
	CONV("attention_flops", attn_score, MM_SET_INT, 0, 1000, "N",
	     "FLOPs per score of attention beyond its matmuls", "6", NULL),
	CONV("causal", causal, MM_SET_ENUM, 0, 0, "exact|half|none",
	     "causal attention counts the scores its mask leaves, half of "
	     "them all, or all", "exact", "exact half none"),
	CONV("embedding", embedding, MM_SET_ENUM, 0, 0, "lookup|matmul",
	     "an embedding costs 0 FLOPs (a lookup) or 2·tokens·vocab·d", "lookup",
	     "lookup matmul"),
	CONV("backward", backward, MM_SET_REAL, 0, 100, "X",
	     "training's backward pass costs this many forwards", "2", NULL),
	CONV("attention_backward", attn_backward, MM_SET_REAL, 0, 100, "X",
	     "attention's backward, in its forwards (2.5: FlashAttention)", "2",
	     NULL),
	CONV("recompute", recompute, MM_SET_ENUM, 0, 0, "none|selective|full",
	     "what training computes again: none, attention's core, or the "
	     "whole forward", "none", "none selective full"),
	{.key = "width", .offset = offsetof(mm_settings, width),
	 .kind = MM_SET_INT, .lo = 30, .hi = 1000, .value = "N",
	 .help = "columns of charts (:roofline, :sweep)",
	 .deflt = "the terminal's, 80 when not a terminal"},
	{.key = "unicode", .offset = offsetof(mm_settings, unicode),
	 .kind = MM_SET_BOOL, .value = "on|off",
	 .help = "charts and share bars in Unicode (braille, blocks), else ASCII",
	 .deflt = "on when the locale is UTF-8, off with --ascii"},
	{.key = "colour", .offset = offsetof(mm_settings, colour),
	 .kind = MM_SET_BOOL, .value = "on|off",
	 .help = "charts in ANSI colour",
	 .deflt = "on at a terminal unless NO_COLOR is set"},
};

#define NSETTINGS (sizeof settings / sizeof settings[0])

const mm_setting *mm_setting_at(size_t i)
{
	return i < NSETTINGS ? &settings[i] : NULL;
}

const mm_setting *mm_setting_find(const char *key)
{
	for (size_t i = 0; i < NSETTINGS; i++)
		if (strcmp(settings[i].key, key) == 0)
			return &settings[i];
	return NULL;
}

void mm_setting_help(mm_buf *b)
{
	for (size_t i = 0; i < NSETTINGS; i++) {
		char head[48], text[512];
		snprintf(head, sizeof head, "%s %s", settings[i].key, settings[i].value);
		snprintf(text, sizeof text, "%s (%s)", settings[i].help,
		         settings[i].deflt);
		mm_help_row(b, head, 19, text);
	}
	mm_buf_puts(b, ":set alone lists them and marks with * those changed "
	               "from the default.\n");
}

static bool parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"on", "true", "1", "yes"},
	                         *const no[] = {"off", "false", "0", "no"};
	for (int k = 0; k < 4; k++)
		if (!strcmp(s, yes[k]) || !strcmp(s, no[k])) {
			*out = !strcmp(s, yes[k]);
			return true;
		}
	return false;
}

static bool parse_int(const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s || *end || errno || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* The index of word among the space-separated choices. */
static bool choice(const char *choices, const char *word, int64_t *out)
{
	size_t n = strlen(word);
	int64_t i = 0;
	for (const char *p = choices; *p; i++) {
		size_t l = strcspn(p, " ");
		if (l == n && strncmp(p, word, n) == 0) {
			*out = i;
			return true;
		}
		p += l + (p[l] == ' ');
	}
	return false;
}

/* The i-th of the space-separated choices, into buf. */
static const char *choice_name(const char *choices, int64_t i, char *buf,
                               size_t cap)
{
	const char *p = choices;
	for (; i > 0 && *p; i--)
		p += strcspn(p, " ") + (p[strcspn(p, " ")] == ' ');
	snprintf(buf, cap, "%.*s", (int)strcspn(p, " "), p);
	return buf;
}

/* Where setting k's value lives in v. */
static void *field(mm_settings *v, const mm_setting *k)
{
	return (char *)v + k->offset;
}

/* Reads value into the setting's field of v; false when it is not one. */
static bool parse_value(const mm_setting *k, const char *value, mm_settings *v)
{
	void *f = field(v, k);
	long long n;
	switch (k->kind) {
	case MM_SET_INT:
		if (!parse_int(value, k->lo, k->hi, &n))
			return false;
		*(int64_t *)f = n;
		return true;
	case MM_SET_BOOL:
		return parse_bool(value, f);
	case MM_SET_SIZE:
		return mm_io_parse_size(value, k->key, f, NULL) == MM_OK;
	case MM_SET_DTYPE:
		return mm_dtype_parse(value, f);
	case MM_SET_ENUM:
		return choice(k->choices, value, f);
	case MM_SET_REAL: {
		char *end;
		errno = 0;
		double x = strtod(value, &end);
		if (end == value || *end || errno || !(x >= (double)k->lo) ||
		    !(x <= (double)k->hi))
			return false;
		*(double *)f = x;
		return true;
	}
	default: {
		char *end;
		errno = 0;
		unsigned long long u = strtoull(value, &end, 10);
		if (end == value || *end || errno || value[0] == '-')
			return false;
		*(uint64_t *)f = u;
		return true;
	}
	}
}

/* The message for a value that is not one of setting k's. */
static int bad_value(mm_stmtctx *c, const mm_setting *k, mm_span at,
                     const char *value)
{
	switch (k->kind) {
	case MM_SET_INT:
		return mm_sx_error_at(c, MM_ERR_ARG, at, NULL,
		                      "%s must be a whole number from %lld to %lld, "
		                      "got '%s'", k->key, k->lo, k->hi, value);
	case MM_SET_BOOL:
		return mm_sx_error_at(c, MM_ERR_ARG, at, NULL, "%s is on or off",
		                      k->key);
	case MM_SET_SIZE: {
		mm_diag d;
		uint64_t ignored;
		mm_io_parse_size(value, k->key, &ignored, &d);
		d.span = at;
		mm_diag_hint(&d, "sizes: 512MiB, 4GiB, 2e9, 1.5GB");
		return mm_sx_error(c, &d);
	}
	case MM_SET_DTYPE:
		return mm_sx_error_at(c, MM_ERR_ARG, at,
		                      "dtypes: " MM_DTYPE_NAMES,
		                      "unknown dtype '%s'", value);
	case MM_SET_ENUM:
		return mm_sx_error_at(c, MM_ERR_ARG, at, NULL,
		                      "%s is one of: %s; got '%s'", k->key,
		                      k->choices, value);
	case MM_SET_REAL:
		return mm_sx_error_at(c, MM_ERR_ARG, at, NULL,
		                      "%s must be a number from %lld to %lld, got '%s'",
		                      k->key, k->lo, k->hi, value);
	default:
		return mm_sx_error_at(c, MM_ERR_ARG, at, NULL,
		                      "a seed is a whole number from 0 to 2^64-1, "
		                      "got '%s'", value);
	}
}

int mm_sx_set(mm_stmtctx *c, const mm_setting *k, mm_span at,
              const char *value)
{
	mm_settings v = c->s->set;
	if (!parse_value(k, value, &v))
		return bad_value(c, k, at, value);
	char why[96];
	if (mm_sx_capped(c->s, &v, why, sizeof why))
		return mm_sx_error_at(c, MM_ERR_LIMIT, at, "the program running "
		                      "mmcalc set the cap", "%s", why);
	c->s->set = v;
	if (k->apply)
		k->apply(c->s);
	return 0;
}

void mm_sx_setting_value(mm_buf *b, const mm_settings *s, const mm_setting *k)
{
	mm_settings v = *s;
	const void *f = field(&v, k);
	switch (k->kind) {
	case MM_SET_INT:
		mm_buf_printf(b, "%lld", (long long)*(const int64_t *)f);
		break;
	case MM_SET_BOOL:
		mm_buf_puts(b, *(const bool *)f ? "on" : "off");
		break;
	case MM_SET_SIZE:
		mm_count_format_iec(b, mm_count_of(*(const uint64_t *)f), "B", 4);
		break;
	case MM_SET_DTYPE:
		mm_buf_puts(b, mm_dtype_name(*(const mm_dtype *)f));
		break;
	case MM_SET_ENUM: {
		char w[32];
		mm_buf_puts(b, choice_name(k->choices, *(const int64_t *)f, w,
		                           sizeof w));
		break;
	}
	case MM_SET_REAL:
		mm_format_double(b, *(const double *)f);
		break;
	default:
		mm_buf_printf(b, "%llu", (unsigned long long)*(const uint64_t *)f);
	}
}

/* Whether setting k differs from its default. */
static bool changed(const mm_session *s, const mm_setting *k)
{
	mm_buf a = MM_BUF_INIT, d = MM_BUF_INIT;
	mm_sx_setting_value(&a, &s->set, k);
	mm_sx_setting_value(&d, &s->defaults, k);
	bool diff = strcmp(mm_buf_str(&a), mm_buf_str(&d)) != 0;
	mm_buf_free(&a);
	mm_buf_free(&d);
	return diff;
}

static int cmd_set(mm_stmtctx *c, const mm_stmt *st)
{
	mm_buf *b = &c->s->text;
	if (st->nwords == 0) {
		int w = 0;
		for (size_t i = 0; i < NSETTINGS; i++)
			if ((int)strlen(settings[i].key) > w)
				w = (int)strlen(settings[i].key);
		for (size_t i = 0; i < NSETTINGS; i++) {
			mm_buf_printf(b, "%c %-*s ", changed(c->s, &settings[i]) ? '*' : ' ',
			              w, settings[i].key);
			mm_sx_setting_value(b, &c->s->set, &settings[i]);
			mm_buf_putc(b, '\n');
		}
		mm_buf_puts(b, "(* marks a setting changed from its default)\n");
		return mm_sx_text(c);
	}
	const char *key = st->words[0].text;
	const mm_setting *k = mm_setting_find(key);
	if (!k) {
		mm_suggest sg;
		mm_suggest_init(&sg, key);
		mm_buf keys = MM_BUF_INIT;
		for (size_t i = 0; i < NSETTINGS; i++) {
			mm_suggest_add(&sg, settings[i].key);
			mm_buf_printf(&keys, " %s", settings[i].key);
		}
		char hint[160];
		if (mm_suggest_best(&sg))
			snprintf(hint, sizeof hint, "did you mean '%s'?",
			         mm_suggest_best(&sg));
		else if (keys.len + 6 < sizeof hint)
			snprintf(hint, sizeof hint, "keys:%s", mm_buf_str(&keys));
		else /* too many to list whole in a hint */
			snprintf(hint, sizeof hint, ":set alone lists the %zu "
			         "settings and their values", NSETTINGS);
		mm_buf_free(&keys);
		return mm_sx_error_at(c, MM_ERR_ARG, st->args, hint,
		                      "no setting named '%s'", key);
	}
	if (st->nwords < 2) {
		/* :set KEY alone shows that setting, with what it does. */
		mm_buf_printf(b, "%s ", k->key);
		mm_sx_setting_value(b, &c->s->set, k);
		mm_buf_printf(b, "  (%s; default %s; :set %s %s)\n", k->help,
		              k->deflt, k->key, k->value);
		return mm_sx_text(c);
	}
	mm_span at = {st->words[1].span.start, st->args.end};
	return mm_sx_set(c, k, at, rest_of(c, st, 1)) ? 1 : mm_sx_text(c);
}

/* :dtype, :seed and :threads: the setting of the same name, shown or set. */
static int cmd_setting(mm_stmtctx *c, const mm_stmt *st)
{
	const mm_setting *k = mm_setting_find(st->cmd->name);
	if (st->nwords == 0) {
		mm_sx_setting_value(&c->s->text, &c->s->set, k);
		mm_buf_putc(&c->s->text, '\n');
		return mm_sx_text(c);
	}
	return mm_sx_set(c, k, st->args, rest_of(c, st, 0)) ? 1 : mm_sx_text(c);
}

/* ---- :run, :bench, :explain ---- */

/* :run EXPR and :bench EXPR [N]: the expression filled and executed. */
static int cmd_run(mm_stmtctx *c, const mm_stmt *st)
{
	bool bench = strcmp(st->cmd->name, "bench") == 0;
	int most = mm_sx_bench_max(c->s), runs = most < 5 ? most : 5;
	if (st->has_count) {
		if (st->count < 1 || st->count > most)
			return mm_sx_error_at(c, MM_ERR_ARG, st->count_span, NULL,
			                      ":bench runs 1 to %d times", most);
		runs = (int)st->count;
	}
	mm_stmt sub = *st;
	sub.kind = MM_S_EXPR;
	sub.nwhere = 0;
	sub.unit = NULL;
	mm_run_opts ro = {true, bench ? runs : 0};
	return mm_sx_run_expr(c, &sub, &ro);
}

/* The value of option key of st (true/false) or -1 when not given; an
 * error (reported, *failed set) when it is not a boolean. */
static int bool_flag(mm_stmtctx *c, const mm_stmt *st, const char *key,
                     int *failed)
{
	for (int k = 0; k < st->nflags; k++) {
		if (strcmp(st->flags[k].key, key) != 0)
			continue;
		const mm_node *v = st->flags[k].value;
		if (v->kind == MM_N_NAME &&
		    (!strcmp(v->name, "true") || !strcmp(v->name, "false")))
			return v->name[0] == 't';
		*failed = mm_sx_error_at(c, MM_ERR_ARG, v->span, NULL,
		                         "%s is true or false", key);
		return -1;
	}
	return -1;
}

/* The value of option key of st (a whole number in [lo, hi]) or dflt
 * when not given; an error (reported, *failed set) otherwise. */
static int64_t int_flag(mm_stmtctx *c, const mm_stmt *st, const char *key,
                        int64_t lo, int64_t hi, int64_t dflt, int *failed)
{
	for (int k = 0; k < st->nflags; k++) {
		if (strcmp(st->flags[k].key, key) != 0)
			continue;
		const mm_node *v = st->flags[k].value;
		if (v->kind == MM_N_NUMBER && v->is_int && v->ival >= lo &&
		    v->ival <= hi)
			return v->ival;
		*failed = mm_sx_error_at(c, MM_ERR_ARG, v->span, NULL,
		                         "%s is a whole number from %lld to %lld",
		                         key, (long long)lo, (long long)hi);
		return dflt;
	}
	return dflt;
}

/* The value of option key of st, one of flops, bytes, time (as
 * mm_explain_key), or NONE when not given; an error (reported, *failed
 * set) otherwise. */
static mm_explain_key key_flag(mm_stmtctx *c, const mm_stmt *st,
                               const char *key, int *failed)
{
	static const char *const names[] = {"", "flops", "bytes", "time"};
	for (int k = 0; k < st->nflags; k++) {
		if (strcmp(st->flags[k].key, key) != 0)
			continue;
		const mm_node *v = st->flags[k].value;
		for (int j = 1; j < 4 && v->kind == MM_N_NAME; j++)
			if (!strcmp(v->name, names[j]))
				return (mm_explain_key)j;
		*failed = mm_sx_error_at(c, MM_ERR_ARG, v->span, NULL,
		                         "%s is flops, bytes or time", key);
		return MM_EXPLAIN_NONE;
	}
	return MM_EXPLAIN_NONE;
}

static int cmd_explain(mm_stmtctx *c, const mm_stmt *st)
{
	int failed = 0;
	int train = bool_flag(c, st, "train", &failed);
	int64_t depth = failed ? 0 : int_flag(c, st, "depth", 1, 64, 0, &failed);
	mm_explain_key sort = failed ? 0 : key_flag(c, st, "sort", &failed);
	mm_explain_key bars = failed ? 0 : key_flag(c, st, "bars", &failed);
	if (failed)
		return failed;
	mm_diag d;
	mm_checker ck;
	mm_node *e = st->expr;
	mm_sx_checker(&ck, c->s, &d, false);
	if (mm_check_expr(&ck, e) != MM_OK) {
		failed = mm_sx_error(c, &d);
	} else if (e->info->v.kind != MM_K_TENSOR) {
		failed = mm_sx_error_at(c, MM_ERR_TYPE, e->span, NULL,
		                        ":explain needs a tensor expression");
	} else {
		mm_explain_opts o = {.train = train == 1, .conv = &c->s->set.conv,
		                     .depth = (int)depth,
		                     .lookup = mm_env_lookup_int,
		                     .lookup_ctx = &c->s->env,
		                     .json = c->s->json, .line = c->line,
		                     .bars = bars ? bars : sort, .sort = sort != 0,
		                     .unicode = c->s->set.unicode};
		if (mm_explain(o.json ? &c->s->jbuf : &c->s->text, e,
		               mm_sx_predict_quiet, c->s, &o, &c->s->arena,
		               &d) != MM_OK)
			failed = mm_sx_error(c, &d);
		else if (o.json)
			mm_sx_emit(c, MM_R_TEXT);
		else
			failed = mm_sx_text(c);
	}
	mm_eval_release_all(e);
	return failed;
}

/* ---- devices ---- */

/* :devices — every profile, one line each, with the current one marked. */
static int cmd_devices(mm_stmtctx *c, const mm_stmt *st)
{
	(void)st;
	mm_session *s = c->s;
	size_t n;
	const mm_device *t = mm_device_builtin(&n);
	mm_buf *b = &s->text;
	for (size_t k = 0; k < n; k++) {
		bool cur = s->dev_ready && strcmp(s->dev.key, t[k].key) == 0;
		mm_buf_puts(b, cur ? "* " : "  ");
		mm_device_describe(b, &t[k]);
		mm_buf_putc(b, '\n');
	}
	bool host = !s->dev_ready || s->dev.kind == MM_DEVICE_HOST;
	mm_buf_puts(b, host ? "* " : "  ");
	if (s->dev_ready && s->dev.kind == MM_DEVICE_HOST) {
		mm_device_describe(b, &s->dev);
		mm_buf_printf(b, "\n    %s", s->dev.source);
	} else
		mm_buf_puts(b, "host: this machine, measured when first needed");
	mm_buf_putc(b, '\n');
	if (s->dev_ready && s->dev.kind == MM_DEVICE_CUSTOM) {
		mm_buf_puts(b, "* ");
		mm_device_describe(b, &s->dev);
		mm_buf_putc(b, '\n');
	}
	mm_buf_puts(b, "(* the current device; :device NAME picks one, :help devices "
	               "names the sources)\n");
	return mm_sx_text(c);
}

/* An unknown device name: the error, with the closest profile. */
static int no_device(mm_stmtctx *c, const mm_stmt *st, const char *a)
{
	const mm_device *near = mm_device_suggest(a);
	mm_suggest sg;
	mm_suggest_init(&sg, a);
	mm_suggest_add(&sg, near ? near->key : NULL);
	mm_suggest_add(&sg, "host");
	mm_suggest_add(&sg, "custom");
	const char *sug = near ? near->key : mm_suggest_best(&sg);
	char hint[96];
	snprintf(hint, sizeof hint, "did you mean %s? :devices lists them",
	         sug ? sug : "");
	return mm_sx_error_at(c, MM_ERR_ARG, st->args,
	                      sug ? hint : ":devices lists them",
	                      "no device named '%s'", a);
}

/* :device [NAME | host [recalibrate] | custom peak=... bw=...] */
static int cmd_device(mm_stmtctx *c, const mm_stmt *st)
{
	mm_session *s = c->s;
	const char *a = rest_of(c, st, 0), *w = st->nwords ? st->words[0].text : "";
	mm_diag d;
	mm_device dev;
	mm_code r = MM_OK;
	if (!*a) {
		r = mm_sx_device(s, &d);
	} else if (!strcmp(w, "custom") || !strcmp(w, "host")) {
		bool re = strstr(a + 4, "recalibrate") != NULL;
		r = !strcmp(w, "custom")
		        ? mm_device_custom(&dev, a + 6, &d)
		        : mm_sx_host(s, &dev, re, &d);
		if (r == MM_OK) {
			s->dev = dev;
			s->dev_ready = s->dev_chosen = true;
		}
	} else {
		const mm_device *f = mm_device_find(a);
		if (!f)
			return no_device(c, st, a);
		s->dev = *f;
		s->dev_ready = s->dev_chosen = true;
	}
	if (r != MM_OK) {
		d.span = *a ? st->args : st->name_span;
		return mm_sx_error(c, &d);
	}
	mm_device_describe(&s->text, &s->dev);
	if (s->dev.kind == MM_DEVICE_HOST)
		mm_buf_printf(&s->text, "\n  %s", s->dev.source);
	mm_buf_putc(&s->text, '\n');
	return mm_sx_text(c);
}

/* ---- :source ---- */

static int cmd_source(mm_stmtctx *c, const mm_stmt *st)
{
	mm_session *s = c->s;
	const char *a = rest_of(c, st, 0);
	char path[4096];
	size_t n = strlen(a);
	if (n >= 2 && a[0] == '"' && a[n - 1] == '"') {
		a++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof path)
		return mm_sx_error_at(c, MM_ERR_ARG, st->args, NULL,
		                      ":source needs a file name");
	memcpy(path, a, n);
	path[n] = '\0';
	if (s->source_depth >= MAX_SOURCE_DEPTH)
		return mm_sx_error_at(c, MM_ERR_LIMIT, st->args, NULL,
		                      "scripts sourced %d deep; is one sourcing "
		                      "itself?", MAX_SOURCE_DEPTH);
	mm_diag d;
	char *resolved = mm_sx_path(s, path, true, &d);
	if (!resolved) {
		d.span = st->args;
		return mm_sx_error(c, &d);
	}
	snprintf(path, sizeof path, "%s", resolved);
	free(resolved);
	/* Bounded (MM_IO_TEXT_MAX), interruptible, and devices refused:
	 * :source /dev/zero fails at once instead of filling memory. */
	char *text;
	size_t len;
	if (mm_io_read_text(path, s->caps.script_bytes, &text, &len, &d) !=
	    MM_OK) {
		d.span = st->args;
		return mm_sx_error(c, &d);
	}
	/* Inside the script, relative names start at its directory. */
	char *outer = s->base_dir;
	s->base_dir = mm_path_dirname(path);
	s->source_depth++;
	int failed = mm_session_run_text(s, path, text, len, c->emit, c->ctx);
	s->source_depth--;
	free(s->base_dir);
	s->base_dir = outer;
	free(text);
	return failed ? 1 : 0;
}

/* ---- the table ---- */

static const mm_command commands[] = {
	{.name = "help", .aliases = "h", .args = MM_ARGS_WORDS,
	 .usage = ":help [topic]", .summary = "this help", .run = cmd_help},
	{.name = "vars", .aliases = "whos", .args = MM_ARGS_NONE,
	 .usage = ":vars",
	 .summary = "variables: name, shape, dtype, bytes, and the total",
	 .run = mm_cmd_vars},
	{.name = "clear", .args = MM_ARGS_WORDS, .usage = ":clear [name...]",
	 .summary = "forget variables (all without names)", .run = cmd_clear},
	{.name = "set", .args = MM_ARGS_WORDS, .usage = ":set [key value]",
	 .summary = "show or change settings (see :help settings)",
	 .run = cmd_set},
	{.name = "dtype", .args = MM_ARGS_WORDS, .usage = ":dtype [T]",
	 .summary = "default dtype of new tensors (alone: show it)",
	 .run = cmd_setting},
	{.name = "seed", .args = MM_ARGS_WORDS, .usage = ":seed [N]",
	 .summary = "restart the random generator at seed N",
	 .run = cmd_setting},
	{.name = "threads", .args = MM_ARGS_WORDS, .usage = ":threads [N]",
	 .summary = "threads for matrix multiplication", .run = cmd_setting},
	{.name = "run", .args = MM_ARGS_EXPR, .usage = ":run EXPR",
	 .summary = "fill abstract operands with random data and execute",
	 .run = cmd_run},
	{.name = "bench", .args = MM_ARGS_EXPR_N, .usage = ":bench EXPR [N]",
	 .summary = "run N times (1 to 50, default 5) after a warm-up; report "
	            "the best and the median",
	 .run = cmd_run},
	{.name = "explain", .args = MM_ARGS_EXPR,
	 .flags = "train depth bars sort",
	 .usage = ":explain EXPR [train=true] [depth=N] [bars=KEY] [sort=KEY]",
	 .summary = "cost of each operation, totals, peak memory",
	 .run = cmd_explain},
	{.name = "total", .args = MM_ARGS_WORDS, .usage = ":total [reset]",
	 .summary = "the sum of every statement's cost so far (reset: start "
	            "again)", .run = mm_cmd_total},
	{.name = "roofline", .args = MM_ARGS_EXPR,
	 .flags = "run bench plot height",
	 .usage = ":roofline EXPR [run=true] [bench=N] [plot=\"F.svg\"]",
	 .summary = "the device's roofline with each operation of EXPR on it "
	            "(run=true: measured here too)",
	 .run = mm_cmd_roofline},
	{.name = "sweep", .args = MM_ARGS_WORDS,
	 .usage = ":sweep n = 64..4096 x2: EXPR [run=true]",
	 .summary = "EXPR's time and rate as n varies: a table and a chart "
	            "(run=true: measured too)",
	 .run = mm_cmd_sweep},
	{.name = "order", .args = MM_ARGS_EXPR, .usage = ":order A @ B @ C",
	 .summary = "the FLOPs of every bracketing and the cheapest",
	 .run = mm_cmd_order},
	{.name = "device", .args = MM_ARGS_WORDS, .usage = ":device [NAME]",
	 .summary = "the device predictions are for (h100, host, host "
	            "recalibrate, custom peak=... bw=...)",
	 .run = cmd_device},
	{.name = "devices", .args = MM_ARGS_NONE, .usage = ":devices",
	 .summary = "the device profiles", .run = cmd_devices},
	{.name = "source", .args = MM_ARGS_WORDS, .usage = ":source FILE",
	 .summary = "run a script in this session", .run = cmd_source},
	{.name = "inspect", .args = MM_ARGS_WORDS,
	 .usage = ":inspect FILE.safetensors",
	 .summary = "the tensors of a model file (name, shape, dtype, "
	            "parameters, bytes) from its header", .run = mm_cmd_inspect},
	{.name = "model", .args = MM_ARGS_WORDS,
	 .usage = ":model [NAME|FILE.json] [key=value...]",
	 .summary = "run a model preset (alone: list them) or a Hugging Face "
	            "config.json; key=value changes its sizes", .run = mm_cmd_model},
	{.name = "memory", .args = MM_ARGS_WORDS,
	 .usage = ":memory [VAR] [key=value...]",
	 .summary = "training (train=false: inference) memory per device: "
	            "weights, grads, optimizer, activations, KV cache",
	 .run = mm_cmd_memory},
	{.name = "cluster", .args = MM_ARGS_WORDS,
	 .usage = ":cluster [N x DEVICE ...]",
	 .summary = "the devices training is split over (nodes=, nvlink=, ib=, "
	            "mem=)", .run = mm_cmd_cluster},
	{.name = "split", .args = MM_ARGS_WORDS, .usage = ":split [key=value...]",
	 .summary = "the splits (tp, pp, dp, ep, ZeRO) that fit, fastest first; "
	            "tokens= gives the training time", .run = mm_cmd_split},
	{.name = "quit", .aliases = "q exit", .args = MM_ARGS_NONE,
	 .usage = ":quit", .summary = "leave (Ctrl-D too)", .run = cmd_quit},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* Whether name is one of the space-separated words of list. */
static bool among(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; p && *p;) {
		size_t l = strcspn(p, " ");
		if (l == n && strncmp(p, name, n) == 0)
			return true;
		p += l + (p[l] == ' ');
	}
	return false;
}

const mm_command *mm_command_find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name) || among(commands[i].aliases, name))
			return &commands[i];
	return NULL;
}

const mm_command *mm_command_at(size_t i)
{
	return i < NCOMMANDS ? &commands[i] : NULL;
}

void mm_command_help(mm_buf *b)
{
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const mm_command *k = &commands[i];
		mm_buf head = MM_BUF_INIT;
		mm_buf_puts(&head, k->usage);
		for (const char *p = k->aliases; p && *p;) {
			size_t l = strcspn(p, " ");
			mm_buf_printf(&head, ", :%.*s", (int)l, p);
			p += l + (p[l] == ' ');
		}
		mm_help_row(b, mm_buf_str(&head), 23, k->summary);
		mm_buf_free(&head);
	}
	mm_buf_puts(b, "  (");
	for (size_t i = 0, n = 0; i < NCOMMANDS; i++)
		if (commands[i].args == MM_ARGS_EXPR || commands[i].args == MM_ARGS_EXPR_N)
			mm_buf_printf(b, "%s:%s", n++ ? ", " : "", commands[i].name);
	mm_buf_puts(b, " take where n=8 after EXPR)\n");
}

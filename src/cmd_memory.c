/* cmd_memory.c — :memory (what training or inference of the model holds
 * per device), :cluster (the devices and links) and :split (the splits
 * that fit, fastest first, and the training time). */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_model.h"

/* What the words of :memory and :split may set beyond mm_mem_opts. */
typedef struct extra {
	const char *var;   /* the model variable */
	int64_t gbs;       /* :split: global batch in sequences (0: default) */
	double tokens;     /* training tokens (0: none) */
	double mfu;        /* a stated MFU (0: the predicted one) */
	int64_t top;       /* rows :split shows */
	bool train_given;
} extra;

/* How an option's value is read. */
typedef enum okind {
	O_WHOLE,     /* an int64_t in [lo, hi] */
	O_INT,       /* an int in [lo, hi] */
	O_REAL,      /* a double in [lo, hi] */
	O_BOOL,      /* true or false */
	O_RECOMPUTE, /* none, selective or full */
	O_DTYPE,     /* a dtype: its bytes, a double */
	O_OPTIMIZER  /* adam (12 bytes), sgd (8) or bytes: a double */
} okind;

/* The options of :memory and :split: where each goes (in mm_mem_opts, or
 * in extra when `extra` is set) and what it takes. */
static const struct opt {
	const char *key;
	okind kind;
	bool extra;
	size_t off;
	double lo, hi;
	const char *why; /* what a value must be, for the message */
} opts[] = {
#define M(F) false, offsetof(mm_mem_opts, F)
#define X(F) true, offsetof(extra, F)
	{"train", O_BOOL, M(train), 0, 0, "true or false"},
	{"tp", O_WHOLE, M(tp), 1, 4096, "a whole number from 1 to 4096"},
	{"pp", O_WHOLE, M(pp), 1, 4096, "a whole number from 1 to 4096"},
	{"dp", O_WHOLE, M(dp), 1, 1 << 24, "a whole number from 1 to 2^24"},
	{"ep", O_WHOLE, M(ep), 1, 4096, "a whole number from 1 to 4096"},
	{"zero", O_INT, M(zero), 0, 3, "0, 1, 2 or 3"},
	{"sp", O_BOOL, M(sp), 0, 0, "true or false"},
	{"micro", O_WHOLE, M(micro), 1, 1 << 20,
	 "a whole number from 1 to 2^20"},
	{"recompute", O_RECOMPUTE, M(recompute), 0, 0, "none, selective or full"},
	{"flash", O_BOOL, M(flash), 0, 0, "true or false"},
	{"weights", O_DTYPE, M(weight_b), 0, 0, "a dtype (bf16, f32, f8, ...)"},
	{"grads", O_DTYPE, M(grad_b), 0, 0, "a dtype (bf16, f32, f8, ...)"},
	{"kv", O_DTYPE, M(kv_b), 0, 0, "a dtype (bf16, f32, f8, ...)"},
	/* Adam with fp32 master weights: 4 + 4 + 4 (ZeRO's K = 12); SGD
	 * with momentum: master weights and momentum */
	{"optimizer", O_OPTIMIZER, M(optim_b), 0, 1024,
	 "adam, sgd or bytes per parameter"},
	{"gbs", O_WHOLE, X(gbs), 1, 1099511627776.0,
	 "a whole number of sequences"},
	{"tokens", O_REAL, X(tokens), 1, 1e18, "a number from 1 to 1e18: 2e12"},
	{"mfu", O_REAL, X(mfu), 0.01, 1, "a fraction from 0.01 to 1"},
	{"top", O_WHOLE, X(top), 1, 100, "a whole number from 1 to 100"},
#undef M
#undef X
};

static bool real(const char *v, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double x = strtod(v, &end);
	if (end == v || *end || errno || !(x >= lo && x <= hi))
		return false;
	*out = x;
	return true;
}

/* Reads v as option p into *field; false when it is not one of its
 * values. */
static bool read_value(const struct opt *p, const char *v, void *field)
{
	double x;
	mm_dtype t;
	switch (p->kind) {
	case O_WHOLE:
	case O_INT:
		if (!real(v, p->lo, p->hi, &x) || x != floor(x) || strchr(v, '.') ||
		    strpbrk(v, "eE"))
			return false;
		if (p->kind == O_INT)
			*(int *)field = (int)x;
		else
			*(int64_t *)field = (int64_t)x;
		return true;
	case O_REAL:
		return real(v, p->lo, p->hi, field);
	case O_BOOL:
		if (strcmp(v, "true") && strcmp(v, "false"))
			return false;
		*(bool *)field = v[0] == 't';
		return true;
	case O_RECOMPUTE:
		for (int i = 0; i < 3; i++)
			if (!strcmp(v, (const char *const[]){"none", "selective",
			                                     "full"}[i])) {
				*(mm_recompute *)field = (mm_recompute)i;
				return true;
			}
		return false;
	case O_DTYPE:
		if (!mm_dtype_parse(v, &t))
			return false;
		*(double *)field = mm_dtype_bits(t) / 8.0;
		return true;
	default:
		if (!strcmp(v, "adam") || !strcmp(v, "sgd")) {
			*(double *)field = v[0] == 'a' ? 12 : 8;
			return true;
		}
		return real(v, p->lo, p->hi, field);
	}
}

/* Reads one key=value into o or x; false when the value is bad (*why
 * says what it should be) or the key unknown (*why NULL). */
static bool option(const char *k, const char *v, mm_mem_opts *o, extra *x,
                   const char **why)
{
	*why = NULL;
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
		if (strcmp(opts[i].key, k))
			continue;
		*why = opts[i].why;
		if (!strcmp(k, "train"))
			x->train_given = true;
		char *base = opts[i].extra ? (char *)x : (char *)o;
		return read_value(&opts[i], v, base + opts[i].off);
	}
	return false;
}

/* The words of :memory or :split: an optional variable, then key=value
 * options. Fills *m, *o and *x from the session and them; 1 when an
 * error was reported. */
static int read_args(mm_stmtctx *c, const mm_stmt *st, mm_mem_model *m,
                     mm_mem_opts *o, extra *x)
{
	int k = 0;
	*x = (extra){.top = 8};
	if (st->nwords && !strchr(st->words[0].text, '='))
		x->var = st->words[k++].text;
	mm_diag d;
	int64_t batch, seq;
	if (mm_sx_model(c->s, x->var, m, &batch, &seq, &d) != MM_OK) {
		d.span = st->nwords ? st->words[0].span : st->name_span;
		return mm_sx_error(c, &d);
	}
	mm_mem_opts_default(o, true, batch, seq);
	o->recompute = (mm_recompute)c->s->set.conv.recompute;
	mm_mem_opts given = *o;
	for (; k < st->nwords; k++) {
		const char *w = st->words[k].text, *eq = strchr(w, '=');
		char key[32];
		const char *why = NULL;
		snprintf(key, sizeof key, "%.*s", eq ? (int)(eq - w) : 0, w);
		if (eq && option(key, eq + 1, &given, x, &why))
			continue;
		if (why)
			return mm_sx_error_at(c, MM_ERR_ARG, st->words[k].span, NULL,
			                      "%s is %s", key, why);
		char hint[256] = "keys:";
		for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
			snprintf(hint + strlen(hint), sizeof hint - strlen(hint), " %s",
			         opts[i].key);
		return mm_sx_error_at(c, MM_ERR_ARG, st->words[k].span, hint,
		                      "no option '%s'", eq ? key : w);
	}
	/* inference keeps no gradients or optimizer state */
	if (!given.train) {
		given.grad_b = 0;
		given.optim_b = 0;
	}
	*o = given;
	return 0;
}

/* "12.55 GiB": whole counts exact, fractions approximate */
static void put_bytes(mm_buf *b, double bytes, int width)
{
	mm_buf t = MM_BUF_INIT;
	mm_count n = bytes == floor(bytes) && bytes < 1.8e19
	                     ? mm_count_of((uint64_t)bytes)
	                     : mm_count_approx(bytes);
	mm_count_format_iec(&t, n, "B", 4);
	mm_buf_printf(b, "%-*s", width, mm_buf_str(&t));
	mm_buf_free(&t);
}

static const char *recompute_name(mm_recompute r)
{
	return r == MM_RECOMPUTE_FULL        ? "full recomputation"
	       : r == MM_RECOMPUTE_SELECTIVE ? "selective recomputation"
	                                     : "no recomputation";
}

/* The device memory is compared with: the cluster's, else the current
 * device's when it was chosen and its memory is known. */
static const mm_device *target(mm_session *s, double *mem)
{
	mm_cluster *cl = &s->cluster;
	if (cl->set) {
		*mem = cl->dev_mem;
		return &cl->dev;
	}
	*mem = s->dev_chosen ? mm_mem_device_memory(&s->dev) : 0;
	return *mem > 0 ? &s->dev : NULL;
}

static void memory_rows(mm_buf *b, const mm_mem_model *m,
                        const mm_mem_opts *o, const mm_mem *r)
{
	mm_buf_puts(b, "  weights      ");
	put_bytes(b, r->weights, 12);
	mm_buf_printf(b, "%g B a parameter%s\n", o->weight_b,
	              o->train && o->zero >= 3 ? ", split over dp (ZeRO-3)" : "");
	if (o->train) {
		mm_buf_puts(b, "  gradients    ");
		put_bytes(b, r->grads, 12);
		mm_buf_printf(b, "%g B a parameter%s\n", o->grad_b,
		              o->zero >= 2 ? ", split over dp (ZeRO-2)" : "");
		mm_buf_puts(b, "  optimizer    ");
		put_bytes(b, r->optim, 12);
		mm_buf_printf(b, "%g B a parameter%s\n", o->optim_b,
		              o->zero >= 1 ? ", split over dp (ZeRO-1)" : "");
		mm_buf_puts(b, "  activations  ");
		put_bytes(b, r->acts, 12);
		int64_t micro = o->micro ? o->micro : o->pp;
		mm_buf_printf(b, "%lld layers x %lld micro-batch%s x ",
		              (long long)(m->layers / o->pp),
		              (long long)(micro < o->pp ? micro : o->pp),
		              (micro < o->pp ? micro : o->pp) > 1 ? "es" : "");
		put_bytes(b, r->act_layer, 0);
		mm_buf_printf(b, " (%s%s)\n", recompute_name(o->recompute),
		              o->flash ? ", flash attention" : "");
	} else if (m->encoder) {
		mm_buf_puts(b, "  KV cache     none (an encoder: no tokens come "
		               "later)\n");
	} else {
		int64_t kvh = m->kv_heads / o->tp ? m->kv_heads / o->tp : 1;
		mm_buf_puts(b, "  KV cache     ");
		put_bytes(b, r->kv, 12);
		mm_buf_printf(b, "2 x %lld layers x %lld KV heads x %lld x %lld "
		              "tokens x %lld x %g B\n",
		              (long long)(m->layers / o->pp), (long long)kvh,
		              (long long)m->head_dim, (long long)o->seq,
		              (long long)o->batch, o->kv_b);
	}
	mm_buf_puts(b, "  total        ");
	put_bytes(b, r->total, 0);
	mm_buf_putc(b, '\n');
}

static void step_rows(mm_buf *b, const mm_step *s, int64_t ndev)
{
	mm_buf_puts(b, "step           ");
	mm_count_format_seconds(b, s->step_s, 4, false);
	mm_buf_puts(b, ": compute ");
	mm_count_format_seconds(b, s->compute_s, 4, false);
	mm_buf_printf(b, " (bubble %.1f%%), communication ", 100 * s->bubble);
	mm_count_format_seconds(b, s->comm_s, 4, false);
	mm_buf_printf(b, "; MFU %.1f%% on %lld devices\n", 100 * s->mfu,
	              (long long)ndev);
	mm_buf_puts(b, "  sent per device: tp ");
	put_bytes(b, s->tp_bytes, 0);
	mm_buf_puts(b, ", dp ");
	put_bytes(b, s->dp_bytes, 0);
	mm_buf_puts(b, ", pp ");
	put_bytes(b, s->pp_bytes, 0);
	mm_buf_puts(b, ", ep ");
	put_bytes(b, s->ep_bytes, 0);
	mm_buf_printf(b, "; %.0f tokens a step\n", s->tokens);
}

int mm_cmd_memory(mm_stmtctx *c, const mm_stmt *st)
{
	mm_mem_model m;
	mm_mem_opts o;
	extra x;
	if (read_args(c, st, &m, &o, &x))
		return 1;
	mm_mem r;
	mm_diag d;
	if (mm_mem_compute(&m, &o, &r, &d) != MM_OK) {
		d.span = st->args;
		return mm_sx_error(c, &d);
	}
	mm_buf *b = &c->s->text;
	mm_buf_printf(b, "%s of %s per device: batch %lld x seq %lld", o.train
	              ? "training" : "inference", x.var ? x.var : "model",
	              (long long)o.batch, (long long)o.seq);
	if (o.tp * o.pp * o.dp * o.ep > 1)
		mm_buf_printf(b, ", tp %lld pp %lld dp %lld ep %lld%s",
		              (long long)o.tp, (long long)o.pp, (long long)o.dp,
		              (long long)o.ep, o.sp ? " sp" : "");
	if (o.train && o.zero)
		mm_buf_printf(b, ", ZeRO-%d", o.zero);
	mm_buf_printf(b, "; %.0f parameters\n", m.params);
	memory_rows(b, &m, &o, &r);
	double mem;
	const mm_device *dev = target(c->s, &mem);
	if (dev) {
		mm_buf_printf(b, "fits in %s's ", dev->name);
		put_bytes(b, mem, 0);
		if (r.total <= mem)
			mm_buf_printf(b, ": yes, %.0f%% of it\n", 100 * r.total / mem);
		else
			mm_buf_printf(b, ": no, %.2fx its memory\n", r.total / mem);
	}
	int64_t have = c->s->cluster.per_node * c->s->cluster.nodes;
	if (o.train && c->s->cluster.set && o.tp * o.pp * o.dp > have)
		mm_buf_printf(b, "step: tp x pp x dp = %lld devices, the cluster "
		              "has %lld\n", (long long)(o.tp * o.pp * o.dp),
		              (long long)have);
	else if (o.train && c->s->cluster.set) {
		mm_step s;
		if (mm_step_compute(&m, &o, &c->s->cluster, &s, &d) != MM_OK) {
			d.span = st->args;
			return mm_sx_error(c, &d);
		}
		step_rows(b, &s, o.tp * o.pp * o.dp);
	}
	return mm_sx_text(c);
}

int mm_cmd_cluster(mm_stmtctx *c, const mm_stmt *st)
{
	mm_cluster *cl = &c->s->cluster;
	mm_buf *b = &c->s->text;
	if (st->nwords == 0) {
		if (cl->set)
			mm_cluster_describe(b, cl);
		else
			mm_buf_puts(b, "no cluster: :cluster 8 x h100 nodes=4 describes "
			               "one");
		mm_buf_putc(b, '\n');
		return mm_sx_text(c);
	}
	mm_diag d;
	char *args = strndup(c->src + st->args.start,
	                     st->args.end - st->args.start);
	mm_code r = args ? mm_cluster_parse(cl, args, &d) : MM_ERR_NOMEM;
	free(args);
	if (r != MM_OK) {
		d.span = st->args;
		return mm_sx_error(c, &d);
	}
	mm_cluster_describe(b, cl);
	mm_buf_putc(b, '\n');
	return mm_sx_text(c);
}

/* Training for x->tokens at the best split's rate, and at a stated MFU:
 * 6·N·tokens FLOPs (Kaplan et al. 2020) over the devices' peak. */
static void training_time(mm_buf *b, const mm_mem_model *m,
                          const mm_cluster *cl, const mm_split *best,
                          const extra *x)
{
	int64_t ndev = cl->per_node * cl->nodes;
	double peak = mm_device_peak(&cl->dev, MM_BF16, NULL);
	double flops = 6 * m->active_params * x->tokens;
	double mfu = x->mfu > 0 ? x->mfu : best ? best->st.mfu : 0;
	if (mfu <= 0)
		return;
	double secs = flops / ((double)ndev * peak * mfu);
	mm_buf_printf(b, "training on %g tokens: 6 x %.0f x %g = ", x->tokens,
	              m->active_params, x->tokens);
	mm_count_format_si_f(b, flops, "FLOP", 4);
	mm_buf_printf(b, " at MFU %.1f%%%s: %.1f days, %.0f device-hours\n",
	              100 * mfu, x->mfu > 0 ? " (stated)" : " (predicted)",
	              secs / 86400, secs * (double)ndev / 3600);
}

int mm_cmd_split(mm_stmtctx *c, const mm_stmt *st)
{
	mm_mem_model m;
	mm_mem_opts o;
	extra x;
	mm_cluster *cl = &c->s->cluster;
	if (!cl->set)
		return mm_sx_error_at(c, MM_ERR_ARG, st->name_span,
		                      ":cluster 8 x h100 nodes=4 describes one",
		                      ":split needs a cluster");
	if (read_args(c, st, &m, &o, &x))
		return 1;
	int64_t ndev = cl->per_node * cl->nodes;
	int64_t gbs = x.gbs ? x.gbs : ndev * o.batch;
	mm_split *out = calloc((size_t)x.top, sizeof *out);
	mm_diag d;
	if (!out)
		return mm_sx_error_at(c, MM_ERR_NOMEM, st->args, NULL,
		                      "out of memory");
	int n = mm_split_search(&m, &o, cl, gbs, out, (int)x.top, &d);
	if (n < 0) {
		free(out);
		d.span = st->args;
		return mm_sx_error(c, &d);
	}
	mm_buf *b = &c->s->text;
	mm_buf_printf(b, "splits of %s over ", x.var ? x.var : "model");
	mm_cluster_describe(b, cl);
	mm_buf_printf(b, "\n  global batch %lld x %lld tokens, micro-batch %lld; "
	              "%d fit", (long long)gbs, (long long)o.seq,
	              (long long)o.batch, n);
	if (n > (int)x.top)
		mm_buf_printf(b, ", the %lld fastest", (long long)x.top);
	mm_buf_puts(b, ":\n  tp  pp   dp  ep zero recompute  memory      step        "
	               "MFU\n");
	for (int k = 0; k < n && k < (int)x.top; k++) {
		const mm_split *s = &out[k];
		static const char *const rc[] = {"none", "selective", "full"};
		mm_buf_printf(b, "  %-3lld %-3lld %-4lld %-3lld %-4d %-10s ",
		              (long long)s->o.tp, (long long)s->o.pp,
		              (long long)s->o.dp, (long long)s->o.ep, s->o.zero,
		              rc[s->o.recompute]);
		put_bytes(b, s->st.mem.total, 12);
		mm_buf t = MM_BUF_INIT;
		mm_count_format_seconds(&t, s->st.step_s, 4, false);
		mm_buf_printf(b, "%-12s%.1f%%\n", mm_buf_str(&t), 100 * s->st.mfu);
		mm_buf_free(&t);
	}
	if (n == 0)
		mm_buf_puts(b, "  none: more devices, or a smaller micro-batch\n");
	if (x.tokens > 0)
		training_time(b, &m, cl, n ? &out[0] : NULL, &x);
	free(out);
	return mm_sx_text(c);
}

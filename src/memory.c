/* memory.c — training and inference memory per device, clusters, the
 * cost of a split step and the search over splits (memory.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mmcalc/io.h"
#include "mmcalc/memory.h"

static const mm_span nospan = {0, 0};

void mm_mem_opts_default(mm_mem_opts *o, bool train, int64_t batch,
                         int64_t seq)
{
	*o = (mm_mem_opts){.train = train, .batch = batch, .seq = seq,
	                   .weight_b = 2, .grad_b = train ? 2 : 0,
	                   .optim_b = train ? 12 : 0, .kv_b = 2,
	                   .tp = 1, .pp = 1, .dp = 1, .ep = 1};
}

/* Korthikanti et al. 2022, §4: one layer's activations in bytes for one
 * micro-batch on one tensor-parallel rank. */
static double act_layer(const mm_mem_model *m, const mm_mem_opts *o)
{
	double s = (double)o->seq, b = (double)o->batch, h = (double)m->hidden;
	double a = (double)m->heads, t = (double)o->tp;
	double sbh = s * b * h;
	if (o->recompute == MM_RECOMPUTE_FULL)
		return 2 * sbh / (o->sp ? t : 1);
	/* the s×s part: softmax output 2·a·s²·b, dropout mask a·s²·b and
	 * dropout output 2·a·s²·b (Table 2's 5·a·s/h) */
	double scores = 5 * a * s * s * b / t;
	if (o->recompute == MM_RECOMPUTE_SELECTIVE)
		scores = 0;
	if (o->flash)
		scores = 4 * a * s * b / t; /* fp32 logsumexp per row and head */
	double linear = o->sp ? 34 * sbh / t : sbh * (10 + 24 / t);
	return linear + scores;
}

static mm_code check_split(const mm_mem_model *m, const mm_mem_opts *o,
                           mm_diag *d)
{
	if (o->tp < 1 || o->pp < 1 || o->dp < 1 || o->ep < 1 || o->micro < 0 ||
	    o->batch < 1 || o->seq < 1)
		return mm_diag_set(d, MM_ERR_ARG, nospan,
		                   "tp, pp, dp, ep, batch and seq must be at least 1");
	if (o->zero < 0 || o->zero > 3)
		return mm_diag_set(d, MM_ERR_ARG, nospan,
		                   "zero is a ZeRO stage: 0, 1, 2 or 3");
	if (m->heads % o->tp)
		return mm_diag_set(d, MM_ERR_ARG, nospan,
		                   "tp=%lld does not divide the %lld heads",
		                   (long long)o->tp, (long long)m->heads);
	if (m->layers % o->pp)
		return mm_diag_set(d, MM_ERR_ARG, nospan,
		                   "pp=%lld does not divide the %lld layers",
		                   (long long)o->pp, (long long)m->layers);
	if (o->ep > 1 && (m->experts % o->ep || o->dp % o->ep))
		return mm_diag_set(d, MM_ERR_ARG, nospan,
		                   "ep=%lld must divide the %lld experts and dp=%lld",
		                   (long long)o->ep, (long long)m->experts,
		                   (long long)o->dp);
	return MM_OK;
}

mm_code mm_mem_compute(const mm_mem_model *m, const mm_mem_opts *o,
                       mm_mem *out, mm_diag *d)
{
	mm_code r = check_split(m, o, d);
	if (r != MM_OK)
		return r;
	*out = (mm_mem){0};
	double mp = (double)(o->tp * o->pp);
	/* a device holds its model-parallel share of the dense parameters
	 * and 1/ep of the experts' */
	double dense = (m->params - m->expert_params) / mp;
	double expert = m->expert_params / mp / (double)o->ep;
	double dpd = (double)o->dp, dpe = (double)(o->dp / o->ep);
	double share = dense + expert;
	/* ZeRO partitions over the data-parallel ranks that hold the same
	 * parameters: all dp for dense ones, dp/ep for an expert's */
	double parted = dense / dpd + expert / dpe;
	out->weights = o->weight_b * (o->train && o->zero >= 3 ? parted : share);
	if (o->train) {
		out->grads = o->grad_b * (o->zero >= 2 ? parted : share);
		out->optim = o->optim_b * (o->zero >= 1 ? parted : share);
		out->act_layer = act_layer(m, o);
		int64_t micro = o->micro ? o->micro : o->pp;
		double inflight = (double)(micro < o->pp ? micro : o->pp);
		out->acts = out->act_layer * (double)(m->layers / o->pp) * inflight;
	} else if (!m->encoder) {
		int64_t kvh = m->kv_heads / o->tp;
		if (kvh < 1) /* fewer KV heads than ranks: each keeps one */
			kvh = 1;
		out->kv = 2.0 * (double)(m->layers / o->pp) * (double)kvh *
		          (double)m->head_dim * (double)o->seq * (double)o->batch *
		          o->kv_b;
	}
	out->total = out->weights + out->grads + out->optim + out->acts + out->kv;
	return MM_OK;
}

/* ---- devices and clusters ---- */

double mm_mem_device_memory(const mm_device *dev)
{
	/* datasheets: H100 SXM 80 GB, H200 141 GB, A100 80 GB, L4 24 GB,
	 * RTX 4090 24 GB, MI300X 192 GB (HBM capacities, binary) */
	static const struct {
		const char *key;
		double gib;
	} t[] = {{"h100-sxm", 80}, {"h200-sxm", 141}, {"a100-80gb-sxm", 80},
	         {"l4", 24}, {"rtx-4090", 24}, {"mi300x", 192}};
	for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
		if (!strcmp(dev->key, t[k].key))
			return t[k].gib * 1073741824.0;
	return 0;
}

/* A bandwidth: a number, an SI prefix, and B/s (bytes) or b/s (bits). */
static bool parse_bw(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno || !(v > 0) || !isfinite(v))
		return false;
	const char *p = *end ? strchr("kMGTP", *end) : NULL;
	if (p) {
		v *= pow(1000.0, (double)(p - "kMGTP") + 1);
		end++;
	}
	if (!strcmp(end, "b/s") || !strcmp(end, "bit/s"))
		v /= 8;
	else if (strcmp(end, "B/s") && strcmp(end, ""))
		return false;
	*out = v;
	return v >= 1 && v <= 1e18;
}

/* One key=value word of :cluster. */
static mm_code cluster_option(mm_cluster *c, const char *w, size_t len,
                              mm_diag *d)
{
	char buf[64];
	if (len >= sizeof buf)
		len = sizeof buf - 1;
	memcpy(buf, w, len);
	buf[len] = '\0';
	char *v = strchr(buf, '=');
	if (!v)
		return mm_diag_set(d, MM_ERR_ARG, nospan,
		                   "'%s' is not an option of :cluster", buf);
	*v++ = '\0';
	if (!strcmp(buf, "nodes")) {
		char *end;
		long long n = strtoll(v, &end, 10);
		if (end == v || *end || n < 1 || n > 1000000)
			return mm_diag_set(d, MM_ERR_ARG, nospan,
			                   "nodes is a whole number from 1 to 1000000");
		c->nodes = n;
	} else if (!strcmp(buf, "nvlink") || !strcmp(buf, "ib")) {
		double bw;
		if (!parse_bw(v, &bw)) {
			mm_diag_set(d, MM_ERR_ARG, nospan, "bad bandwidth '%s' for %s",
			            v, buf);
			mm_diag_hint(d, "bytes: 900GB/s; bits: 400Gb/s");
			return MM_ERR_ARG;
		}
		*(buf[0] == 'n' ? &c->intra_bw : &c->inter_bw) = bw;
	} else if (!strcmp(buf, "mem")) {
		uint64_t n;
		if (mm_io_parse_size(v, "mem", &n, d) != MM_OK)
			return MM_ERR_ARG;
		c->dev_mem = (double)n;
	} else {
		mm_diag_set(d, MM_ERR_ARG, nospan, "no option '%s' of :cluster", buf);
		mm_diag_hint(d, "options: nodes= nvlink= ib= mem=");
		return MM_ERR_ARG;
	}
	return MM_OK;
}

mm_code mm_cluster_parse(mm_cluster *out, const char *args, mm_diag *d)
{
	mm_cluster c = {.set = true, .nodes = 1, .intra_bw = 450e9,
	                .inter_bw = 50e9};
	char *end;
	long long n = strtoll(args, &end, 10);
	if (end == args || n < 1 || n > 1024)
		return mm_diag_set(d, MM_ERR_ARG, nospan,
		                   ":cluster N x DEVICE: N devices per node, "
		                   "1 to 1024");
	c.per_node = n;
	end += strspn(end, " ");
	if (*end != 'x')
		return mm_diag_set(d, MM_ERR_ARG, nospan,
		                   ":cluster N x DEVICE: an x after the count");
	end++;
	end += strspn(end, " ");
	size_t len = strcspn(end, " ");
	char name[MM_DEVICE_NAME];
	snprintf(name, sizeof name, "%.*s", (int)len, end);
	const mm_device *dev = mm_device_find(name);
	if (!dev) {
		mm_diag_set(d, MM_ERR_ARG, nospan, "no device named '%s'", name);
		mm_diag_hint(d, ":devices lists them");
		return MM_ERR_ARG;
	}
	c.dev = *dev;
	c.dev_mem = mm_mem_device_memory(dev);
	for (const char *p = end + len; *(p += strspn(p, " "));) {
		size_t l = strcspn(p, " ");
		mm_code r = cluster_option(&c, p, l, d);
		if (r != MM_OK)
			return r;
		p += l;
	}
	if (c.dev_mem <= 0)
		return mm_diag_set(d, MM_ERR_ARG, nospan,
		                   "the memory of %s is not known: give mem=SIZE",
		                   c.dev.name);
	*out = c;
	return MM_OK;
}

void mm_cluster_describe(mm_buf *b, const mm_cluster *c)
{
	mm_buf_printf(b, "%lld x %s", (long long)(c->per_node * c->nodes),
	              c->dev.name);
	if (c->nodes > 1)
		mm_buf_printf(b, " (%lld nodes of %lld)", (long long)c->nodes,
		              (long long)c->per_node);
	mm_buf_puts(b, ", ");
	mm_count_format_iec(b, mm_count_of((uint64_t)c->dev_mem), "B", 4);
	mm_buf_puts(b, " each, ");
	mm_count_format_si_f(b, mm_device_peak(&c->dev, MM_BF16, NULL),
	                     "FLOP/s", 4);
	mm_buf_puts(b, " bf16; links ");
	mm_count_format_si_f(b, c->intra_bw, "B/s", 4);
	mm_buf_puts(b, " in a node, ");
	mm_count_format_si_f(b, c->inter_bw, "B/s", 4);
	mm_buf_puts(b, " between nodes (per device)");
}

/* ---- a training step ---- */

/* A ring all-reduce of size bytes over n devices sends 2·(n−1)/n of it
 * from each. */
static double allreduce(double size, int64_t n)
{
	return n > 1 ? 2.0 * (double)(n - 1) / (double)n * size : 0;
}

mm_code mm_step_compute(const mm_mem_model *m, const mm_mem_opts *o,
                        const mm_cluster *c, mm_step *out, mm_diag *d)
{
	mm_code r;
	*out = (mm_step){0};
	if ((r = mm_mem_compute(m, o, &out->mem, d)) != MM_OK)
		return r;
	int64_t ndev = o->tp * o->pp * o->dp;
	if (ndev > c->per_node * c->nodes)
		return mm_diag_set(d, MM_ERR_ARG, nospan,
		                   "tp·pp·dp = %lld devices, the cluster has %lld",
		                   (long long)ndev,
		                   (long long)(c->per_node * c->nodes));
	int64_t micro = o->micro ? o->micro : o->pp;
	double tok_micro = (double)(o->batch * o->seq);
	out->tokens = tok_micro * (double)micro * (double)o->dp;
	double fwd = m->fwd_flops > 0 ? m->fwd_flops
	                              : 2 * m->active_params * tok_micro;
	double passes = o->recompute == MM_RECOMPUTE_FULL ? 4 : 3;
	out->model_flops = 3 * fwd * (double)micro * (double)o->dp;
	double peak = mm_device_peak(&c->dev, MM_BF16, NULL);
	double dev_flops = passes * fwd;
	if (o->recompute == MM_RECOMPUTE_SELECTIVE) /* attention's core again:
		QK^T and its product with V, 4·b·s²·h a layer, as Megatron counts
		them (no causal saving) */
		dev_flops += 4 * (double)o->batch * (double)o->seq *
		             (double)o->seq * (double)m->hidden * (double)m->layers;
	dev_flops *= (double)micro / (double)(o->tp * o->pp);
	out->bubble = (double)(o->pp - 1) / (double)(micro + o->pp - 1);
	out->compute_s = dev_flops / peak / (1 - out->bubble);
	/* the messages: activations are 2 bytes an element */
	double act = 2 * tok_micro * (double)m->hidden;
	double layers = (double)(m->layers / o->pp);
	double tp_calls = o->recompute == MM_RECOMPUTE_FULL ? 6 : 4;
	out->tp_bytes = layers * (double)micro * tp_calls * allreduce(act, o->tp);
	double grads = (m->params - m->expert_params) / (double)(o->tp * o->pp) *
	               2 + m->expert_params / (double)(o->tp * o->pp * o->ep) * 2;
	out->dp_bytes = allreduce(grads, o->dp) * (o->zero >= 3 ? 1.5 : 1);
	out->pp_bytes = o->pp > 1 ? 2 * act * (double)micro : 0;
	if (o->ep > 1 && m->experts > 1)
		out->ep_bytes = layers * (double)micro * 4 * act / (double)o->tp *
		                (double)m->experts_tok * (double)(o->ep - 1) /
		                (double)o->ep;
	/* tp within a node; dp, pp and ep leave it once the model-parallel
	 * group (and the data-parallel one) outgrow it */
	double tp_bw = o->tp <= c->per_node ? c->intra_bw : c->inter_bw;
	double dp_bw = ndev <= c->per_node ? c->intra_bw : c->inter_bw;
	double pp_bw = o->tp * o->pp <= c->per_node ? c->intra_bw : c->inter_bw;
	out->comm_s = out->tp_bytes / tp_bw + out->dp_bytes / dp_bw +
	              out->pp_bytes / pp_bw + out->ep_bytes / dp_bw;
	out->step_s = out->compute_s + out->comm_s;
	out->mfu = out->model_flops / (out->step_s * (double)ndev * peak);
	out->fits = out->mem.total <= c->dev_mem;
	return MM_OK;
}

/* ---- the search ---- */

static int by_time(const void *a, const void *b)
{
	const mm_split *x = a, *y = b;
	if (x->st.step_s != y->st.step_s)
		return (x->st.step_s > y->st.step_s) - (x->st.step_s < y->st.step_s);
	return (x->st.mem.total > y->st.mem.total) -
	       (x->st.mem.total < y->st.mem.total);
}

int mm_split_search(const mm_mem_model *m, const mm_mem_opts *base,
                    const mm_cluster *c, int64_t gbs, mm_split *out, int max,
                    mm_diag *d)
{
	int64_t ndev = c->per_node * c->nodes;
	int found = 0;
	for (int64_t tp = 1; tp <= c->per_node && tp <= m->heads; tp *= 2) {
		for (int64_t pp = 1; pp <= m->layers; pp++) {
			if (m->heads % tp || m->layers % pp || ndev % (tp * pp))
				continue;
			int64_t dp = ndev / (tp * pp);
			if (gbs % (dp * base->batch))
				continue;
			int64_t micro = gbs / (dp * base->batch);
			for (int64_t ep = 1; ep <= dp; ep *= 2) {
				if (ep > 1 && (m->experts % ep || dp % ep))
					continue;
				/* ZeRO 0 and 1 send what 2 sends and hold more:
				 * with dp > 1 only 2 and 3 are worth showing */
				for (int zero = dp > 1 ? 2 : 0; zero <= (dp > 1 ? 3 : 0);
				     zero++)
					for (int rc = 0; rc < 3; rc++) {
						mm_split sp = {.o = *base};
						sp.o.tp = tp, sp.o.pp = pp, sp.o.dp = dp;
						sp.o.ep = ep, sp.o.zero = zero, sp.o.micro = micro;
						sp.o.sp = tp > 1;
						sp.o.recompute = (mm_recompute)rc;
						if (mm_step_compute(m, &sp.o, c, &sp.st, d) != MM_OK)
							return -1;
						if (!sp.st.fits)
							continue;
						if (found < max) {
							out[found] = sp;
						} else if (max > 0 &&
						           by_time(&sp, &out[max - 1]) < 0) {
							out[max - 1] = sp;
						} else {
							found++;
							continue;
						}
						found++;
						qsort(out, (size_t)(found < max ? found : max),
						      sizeof *out, by_time);
					}
			}
		}
	}
	return found;
}

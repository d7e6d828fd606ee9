/* test-memory.c — the model presets, :model config.json, and the memory,
 * communication and FLOP figures against their published sources: every
 * expected number is typed in from the paper or model card named beside
 * it, or computed here from the paper's formula. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/hfconfig.h"
#include "mmcalc/memory.h"
#include "mmcalc/model.h"
#include "mmcalc/session.h"

typedef struct capture {
	int errors;
	char text[8192];
	char json[8192];
	char err[512];
} capture;

static void grab(void *ctx, const mm_result *r)
{
	capture *c = ctx;
	if (r->kind == MM_R_ERROR) {
		c->errors++;
		snprintf(c->err, sizeof c->err, "%s", r->diag->message);
		return;
	}
	snprintf(c->text, sizeof c->text, "%s", r->text);
	snprintf(c->json, sizeof c->json, "%s", r->json ? r->json : "");
}

static mm_session *s;
static capture cap;

static int run(const char *line)
{
	memset(&cap, 0, sizeof cap);
	return mm_session_run(s, "<test>", 1, line, strlen(line), grab, &cap);
}

/* The number a statement gives, through --json's "value". */
static double value(const char *line)
{
	mm_session_set_json(s, true);
	ck_assert_msg(run(line) == 0, "%s: %s", line, cap.err);
	mm_session_set_json(s, false);
	const char *v = strstr(cap.json, "\"value\":");
	ck_assert_msg(v != NULL, "%s: no value in %s", line, cap.json);
	return strtod(v + 8, NULL);
}

static void setup(void)
{
	ck_assert(mm_model_set_path(MM_TEST_MODELS));
	s = mm_session_new();
	ck_assert_ptr_nonnull(s);
}

static void teardown(void)
{
	mm_session_free(s);
}

static double params_of(const char *preset)
{
	char line[128];
	snprintf(line, sizeof line, ":model %s", preset);
	ck_assert_msg(run(line) == 0, "%s: %s", line, cap.err);
	return value("params(model)");
}

/* The presets' parameters, exactly as released (the checkpoints'
 * counts, which the papers and model cards round). */
START_TEST(presets_published)
{
	static const struct {
		const char *name;
		double published;
	} t[] = {
		/* Radford et al. 2019 Table 2 ("117M", "345M", "762M",
		 * "1542M"); the released GPT-2 checkpoints, as the issue and
		 * transformers' GPT2LMHeadModel count them */
		{"gpt2", 124439808.0},
		{"gpt2-medium", 354823168.0},
		{"gpt2-large", 774030080.0},
		{"gpt2-xl", 1557611200.0},
		/* Touvron et al. 2023 (Llama 2) Table 1, "7B" and "70B";
		 * meta-llama/Llama-2-{7b,70b}-hf */
		{"llama2-7b", 6738415616.0},
		{"llama2-70b", 68976648192.0},
		/* Llama 3 model card, "8B" and "70B"; meta-llama/Meta-Llama-3-* */
		{"llama3-8b", 8030261248.0},
		{"llama3-70b", 70553706496.0},
		/* Jiang et al. 2023, Mistral 7B ("7.3B"): mistralai/Mistral-7B-v0.1 */
		{"mistral-7b", 7241732096.0},
		/* Jiang et al. 2024, Mixtral of Experts ("47B"): Mixtral-8x7B-v0.1 */
		{"mixtral-8x7b", 46702792704.0},
		/* Dosovitskiy et al. 2021 Table 1, ViT-Base "86M": timm's
		 * vit_base_patch16_224, ImageNet-1k head */
		{"vit-b16", 86567656.0},
	};
	for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
		ck_assert_msg(params_of(t[k].name) == t[k].published,
		              "%s: %.0f, published %.0f", t[k].name,
		              params_of(t[k].name), t[k].published);
	/* and the rounded figures the papers print */
	ck_assert_double_eq(round(params_of("gpt2-xl") / 1e6), 1558);
	ck_assert_double_eq(round(params_of("mixtral-8x7b") / 1e9), 47);
}
END_TEST

/* Brown et al. 2020, Table 2.1: GPT-3 175B, "175.0B" parameters: the
 * count of its layers as GPT-2's rounds to 175 billion. */
START_TEST(gpt3_rounded)
{
	double p = params_of("gpt3-175b");
	ck_assert_double_eq(round(p / 1e9), 175);
	/* 12·l·h² + 13·l·h + (V + n_ctx)·h + 2·h (Kaplan et al. 2020's
	 * 12·l·h² and the biases, norms and embeddings) */
	double l = 96, h = 12288, V = 50257, n = 2048;
	ck_assert_double_eq(p, 12 * l * h * h + 13 * l * h + (V + n) * h + 2 * h);
}
END_TEST

/* Mixtral's 13B active parameters a token (Jiang et al. 2024, §1:
 * "13B active parameters"). */
START_TEST(mixtral_active)
{
	ck_assert_int_eq(run(":model mixtral-8x7b"), 0);
	const char *a = strstr(cap.text, "G), ");
	ck_assert_ptr_nonnull(a);
	double active = strtod(a + 4, NULL);
	ck_assert_double_eq(round(active / 1e9), 13);
}
END_TEST

/* :model config.json: the program's count equals transformers' formula
 * (mm_hfconfig_params), for every config in tests/data/hf. */
START_TEST(config_json)
{
	static const char *const files[] = {
		"gpt2.config.json", "Llama-2-7b-hf.config.json",
		"Meta-Llama-3-8B.config.json", "Mistral-7B-v0.1.config.json",
		"Mixtral-8x7B-v0.1.config.json"};
	for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
		char path[1024], line[1100];
		snprintf(path, sizeof path, "%s/hf/%s", MM_TEST_DATA, files[k]);
		mm_hfconfig cfg;
		mm_hf_params hp;
		mm_diag d;
		ck_assert(mm_hfconfig_read(path, &cfg, &d) == MM_OK);
		ck_assert(mm_hfconfig_params(&cfg, &hp, &d) == MM_OK);
		snprintf(line, sizeof line, ":model %s seq=128", path);
		ck_assert_msg(run(line) == 0, "%s: %s", line, cap.err);
		ck_assert_msg(strstr(cap.text, "the same") != NULL, "%s", cap.text);
		ck_assert_double_eq(value("params(model)"), (double)hp.total);
		ck_assert_double_eq(value("seq"), 128);
	}
}
END_TEST

START_TEST(model_errors)
{
	ck_assert_int_ne(run(":model nosuch"), 0);
	ck_assert_str_eq(cap.err, "no preset named 'nosuch'");
	ck_assert_int_ne(run(":model ../gpt2"), 0);
	ck_assert_int_ne(run(":model gpt2 width=3"), 0);
	ck_assert_str_eq(cap.err, "the model sets no 'width'");
	ck_assert_int_ne(run(":model gpt2 seq"), 0);
	ck_assert_int_ne(run(":memory"), 0); /* no model yet */
	ck_assert_int_ne(run(":model /nonexistent/config.json"), 0);
	/* overrides change the program: two layers of GPT-2 small */
	ck_assert_int_eq(run(":model gpt2 num_hidden_layers=2"), 0);
	ck_assert_double_eq(value("params(model)"),
	                    124439808.0 - 10 * 7087872.0);
}
END_TEST

/* A model of p parameters for the formulas that need only p. */
static mm_mem_model flat(double p)
{
	return (mm_mem_model){.params = p, .active_params = p, .layers = 1,
	                      .hidden = 1, .heads = 1, .kv_heads = 1,
	                      .head_dim = 1, .experts = 1, .experts_tok = 1};
}

/* Rajbhandari et al. 2020 (ZeRO), Figure 1: Ψ = 7.5B parameters, N_d =
 * 64 devices, K = 12: 120 GB baseline, 31.4 GB (P_os), 16.6 GB
 * (P_os+g), 1.9 GB (P_os+g+p), from (2 + 2 + K)·Ψ, 2Ψ + 2Ψ + KΨ/N_d,
 * 2Ψ + (2 + K)Ψ/N_d and (2 + 2 + K)Ψ/N_d. */
START_TEST(zero_stages)
{
	static const double paper_gb[] = {120, 31.4, 16.6, 1.9};
	double psi = 7.5e9, nd = 64, k = 12;
	double formula[] = {(2 + 2 + k) * psi, 2 * psi + 2 * psi + k * psi / nd,
	                    2 * psi + (2 + k) * psi / nd, (2 + 2 + k) * psi / nd};
	mm_mem_model m = flat(psi);
	for (int z = 0; z <= 3; z++) {
		mm_mem_opts o;
		mm_mem r;
		mm_diag d;
		mm_mem_opts_default(&o, true, 1, 1);
		o.dp = 64;
		o.zero = z;
		ck_assert(mm_mem_compute(&m, &o, &r, &d) == MM_OK);
		double states = r.weights + r.grads + r.optim;
		ck_assert_double_eq_tol(states, formula[z], 1);
		ck_assert_double_eq(round(states / 1e8) / 10, paper_gb[z]);
	}
	/* 16 bytes a parameter on one device */
	mm_mem_opts o;
	mm_mem r;
	mm_diag d;
	mm_mem_opts_default(&o, true, 1, 1);
	ck_assert(mm_mem_compute(&m, &o, &r, &d) == MM_OK);
	ck_assert_double_eq(r.weights + r.grads + r.optim, 16 * psi);
}
END_TEST

/* Korthikanti et al. 2022, Table 2 (activation bytes per layer), for
 * GPT-3 175B (their Table 3: a = 96, h = 12288, s = 2048, t = 8), b = 1. */
START_TEST(korthikanti)
{
	double s_ = 2048, b = 1, h = 12288, a = 96, t = 8, L = 96;
	double sbh = s_ * b * h;
	mm_mem_model m = {.params = 174604259328.0, .layers = 96, .hidden = 12288,
	                  .heads = 96, .kv_heads = 96, .head_dim = 128,
	                  .experts = 1, .experts_tok = 1};
	m.active_params = m.params;
	struct {
		int64_t tp;
		bool sp;
		mm_recompute rc;
		double expect;
	} rows[] = {
		{1, false, MM_RECOMPUTE_NONE, sbh * (34 + 5 * a * s_ / h)},
		{8, false, MM_RECOMPUTE_NONE, sbh * (10 + 24 / t + 5 * a * s_ / (h * t))},
		{8, true, MM_RECOMPUTE_NONE, sbh / t * (34 + 5 * a * s_ / h)},
		{8, true, MM_RECOMPUTE_SELECTIVE, sbh / t * 34},
		{8, false, MM_RECOMPUTE_SELECTIVE, sbh * (10 + 24 / t)},
		{1, false, MM_RECOMPUTE_FULL, 2 * sbh},
	};
	for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
		mm_mem_opts o;
		mm_mem r;
		mm_diag d;
		mm_mem_opts_default(&o, true, 1, 2048);
		o.tp = rows[k].tp;
		o.sp = rows[k].sp;
		o.recompute = rows[k].rc;
		ck_assert(mm_mem_compute(&m, &o, &r, &d) == MM_OK);
		ck_assert_double_eq_tol(r.act_layer, rows[k].expect, 1e-3);
		ck_assert_double_eq_tol(r.acts, rows[k].expect * L, 1);
	}
	/* §4.2.3: under 1F1B the first of p stages holds p micro-batches of
	 * L/p layers: the same L layers' worth */
	mm_mem_opts o;
	mm_mem r;
	mm_diag d;
	mm_mem_opts_default(&o, true, 1, 2048);
	o.tp = 8, o.sp = true, o.pp = 8, o.micro = 64;
	o.recompute = MM_RECOMPUTE_SELECTIVE;
	ck_assert(mm_mem_compute(&m, &o, &r, &d) == MM_OK);
	ck_assert_double_eq_tol(r.acts, 34 * sbh / t * L, 1);
	/* FlashAttention: no s×s term, a logsumexp per row and head */
	mm_mem_opts_default(&o, true, 1, 2048);
	o.flash = true;
	ck_assert(mm_mem_compute(&m, &o, &r, &d) == MM_OK);
	ck_assert_double_eq_tol(r.act_layer, 34 * sbh + 4 * a * s_ * b, 1e-3);
}
END_TEST

/* Llama 2 70B's KV cache (Touvron et al. 2023, Table 1 and §2.2: 80
 * layers, GQA with 8 KV heads of 128): 2·80·8·128 values a token, 2 bytes
 * each in bf16: 320 KiB a token, 1.25 GiB for 4096 tokens; the 64 heads
 * of multi-head attention would keep 8 times as much. */
START_TEST(kv_cache)
{
	ck_assert_int_eq(run(":model llama2-70b"), 0);
	ck_assert_int_eq(run(":memory train=false"), 0);
	ck_assert_msg(strstr(cap.text, "KV cache     1.25 GiB") != NULL, "%s",
	              cap.text);
	mm_mem_model m = flat(68976648192.0);
	m.layers = 80, m.kv_heads = 8, m.head_dim = 128, m.heads = 64;
	mm_mem_opts o;
	mm_mem r;
	mm_diag d;
	mm_mem_opts_default(&o, false, 1, 4096);
	ck_assert(mm_mem_compute(&m, &o, &r, &d) == MM_OK);
	ck_assert_double_eq(r.kv, 2.0 * 80 * 8 * 128 * 4096 * 2);
	ck_assert_double_eq(r.kv / 4096, 320 * 1024);
	m.kv_heads = 64;
	mm_mem mha;
	ck_assert(mm_mem_compute(&m, &o, &mha, &d) == MM_OK);
	ck_assert_double_eq(mha.kv, 8 * r.kv);
	/* fp8 cache: half */
	m.kv_heads = 8;
	o.kv_b = 1;
	ck_assert(mm_mem_compute(&m, &o, &mha, &d) == MM_OK);
	ck_assert_double_eq(mha.kv, r.kv / 2);
	/* inference keeps weights only: 2 bytes each */
	ck_assert_double_eq(r.weights, 2 * 68976648192.0);
	ck_assert_double_eq(r.grads + r.optim + r.acts, 0);
}
END_TEST

/* Narayanan et al. 2021 (Megatron-LM), §5.1: with full recomputation a
 * step of B sequences costs 96·B·s·l·h²·(1 + s/(6h) + V/(16·l·h)) FLOPs.
 * Recomputation is of the layers (the preset's repeat), not of the
 * logits' product, as theirs. */
START_TEST(megatron_flops)
{
	ck_assert_int_eq(run(":set convention megatron"), 0);
	ck_assert_int_eq(run(":set recompute full"), 0);
	ck_assert_int_eq(run(":model gpt3-175b batch=2"), 0);
	double B = 2, s_ = 2048, l = 96, h = 12288, V = 50257;
	double f = 96 * B * s_ * l * h * h + 16 * B * s_ * s_ * l * h +
	           6 * B * s_ * h * V;
	ck_assert_double_eq(value("flops(model, train=true)"), f);
}
END_TEST

/* A step on a cluster: the communication volumes of the formulas. */
START_TEST(step_comm)
{
	mm_cluster c;
	mm_diag d;
	ck_assert(mm_cluster_parse(&c, "8 x h100 nodes=2 ib=400Gb/s", &d) ==
	          MM_OK);
	ck_assert_double_eq(c.inter_bw, 50e9);
	ck_assert_double_eq(c.dev_mem, 80.0 * 1073741824);
	mm_mem_model m = {.params = 1e9, .active_params = 1e9, .layers = 16,
	                  .hidden = 2048, .heads = 16, .kv_heads = 16,
	                  .head_dim = 128, .experts = 1, .experts_tok = 1};
	mm_mem_opts o;
	mm_step st;
	mm_mem_opts_default(&o, true, 2, 1024);
	o.tp = 4, o.pp = 2, o.dp = 2, o.micro = 8;
	ck_assert(mm_step_compute(&m, &o, &c, &st, &d) == MM_OK);
	double act = 2.0 * 2 * 1024 * 2048;
	/* Shoeybi et al. 2019: 4 all-reduces a layer and micro-batch */
	ck_assert_double_eq_tol(st.tp_bytes, 8 * 8 * 4 * 2 * 3.0 / 4 * act, 1);
	/* a ring all-reduce of the stage's bf16 gradients: 2(d-1)/d */
	ck_assert_double_eq_tol(st.dp_bytes, 2 * 0.5 * 1e9 / 8 * 2, 1);
	ck_assert_double_eq_tol(st.pp_bytes, 2 * act * 8, 1);
	/* Narayanan et al. 2021: bubble (p-1)/(m+p-1) */
	ck_assert_double_eq_tol(st.bubble, 1.0 / 9, 1e-12);
	ck_assert_double_eq(st.tokens, 2 * 1024 * 8 * 2);
	ck_assert(st.mfu > 0 && st.mfu <= 1);
	o.tp = 3;
	ck_assert(mm_step_compute(&m, &o, &c, &st, &d) == MM_ERR_ARG);
	ck_assert(mm_cluster_parse(&c, "8 x nosuch", &d) == MM_ERR_ARG);
	ck_assert(mm_cluster_parse(&c, "8 x h100 ib=fast", &d) == MM_ERR_ARG);
}
END_TEST

/* The search: every split it returns fits and is no slower than the
 * next; a 70B model does not fit one node without sharding the states. */
START_TEST(split_search)
{
	ck_assert_int_eq(run(":model llama2-70b"), 0);
	ck_assert_int_eq(run(":cluster 8 x h100 nodes=4"), 0);
	ck_assert_int_eq(run(":split top=5 tokens=2e12 mfu=0.5"), 0);
	ck_assert_msg(strstr(cap.text, "fit") != NULL, "%s", cap.text);
	ck_assert_msg(strstr(cap.text, "training on 2e+12 tokens") != NULL, "%s",
	              cap.text);
	mm_cluster c;
	mm_diag d;
	ck_assert(mm_cluster_parse(&c, "8 x h100 nodes=4", &d) == MM_OK);
	mm_mem_model m = flat(68976648192.0);
	m.layers = 80, m.hidden = 8192, m.heads = 64, m.kv_heads = 8;
	m.head_dim = 128;
	mm_mem_opts o;
	mm_mem_opts_default(&o, true, 1, 4096);
	mm_split out[16];
	int n = mm_split_search(&m, &o, &c, 32, out, 16, &d);
	ck_assert_int_gt(n, 0);
	for (int k = 0; k < n && k < 16; k++) {
		ck_assert(out[k].st.mem.total <= c.dev_mem);
		ck_assert_int_eq(out[k].o.tp * out[k].o.pp * out[k].o.dp, 32);
		if (k)
			ck_assert(out[k - 1].st.step_s <= out[k].st.step_s);
	}
}
END_TEST

int main(void)
{
	Suite *su = suite_create("memory");
	TCase *tc = tcase_create("memory");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, presets_published);
	tcase_add_test(tc, gpt3_rounded);
	tcase_add_test(tc, mixtral_active);
	tcase_add_test(tc, config_json);
	tcase_add_test(tc, model_errors);
	tcase_add_test(tc, zero_stages);
	tcase_add_test(tc, korthikanti);
	tcase_add_test(tc, kv_cache);
	tcase_add_test(tc, megatron_flops);
	tcase_add_test(tc, step_comm);
	tcase_add_test(tc, split_search);
	suite_add_tcase(su, tc);
	SRunner *sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

/* test-hfconfig.c — unit tests of the config.json reader (src/hfconfig.c):
 * the published parameter counts of five models computed from their
 * config.json files (tests/data/hf/, transcribed: see its README),
 * transformers' defaults, the checks, and the rendering as mmcalc text. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/hfconfig.h"
#include "mmcalc/session.h"

#ifndef MM_TEST_DATA
#error "MM_TEST_DATA must name tests/data"
#endif

static mm_hfconfig read_hf(const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/hf/%s", MM_TEST_DATA, name);
	mm_hfconfig c;
	mm_diag d;
	mm_code r = mm_hfconfig_read(path, &c, &d);
	ck_assert_msg(r == MM_OK, "%s: %s", name, d.message);
	return c;
}

static uint64_t total_of(const mm_hfconfig *c)
{
	mm_hf_params p;
	mm_diag d;
	ck_assert_msg(mm_hfconfig_params(c, &p, &d) == MM_OK, "%s", d.message);
	ck_assert(p.total == p.embedding + p.attention + p.mlp + p.router +
	                         p.norms + p.head);
	return p.total;
}

static mm_hfconfig parse(const char *json)
{
	mm_hfconfig c;
	mm_diag d;
	mm_code r = mm_hfconfig_parse(json, strlen(json), "config.json", &c, &d);
	ck_assert_msg(r == MM_OK, "%s: %s", json, d.message);
	return c;
}

static void expect_bad(const char *json, mm_code code, const char *want)
{
	mm_hfconfig c;
	mm_diag d;
	mm_code r = mm_hfconfig_parse(json, strlen(json), "config.json", &c, &d);
	ck_assert_msg(r == code, "%s: code %d, want %d (%s)", json, r, code,
	              r ? d.message : "");
	ck_assert_msg(strstr(d.message, want), "%s: '%s' lacks '%s'", json,
	              d.message, want);
	ck_assert_msg(strncmp(d.message, "config.json: ", 13) == 0,
	              "the message does not name the file: %s", d.message);
}

/* The figures published for each model (model cards, papers; as the
 * issue cites them), against the count from its config.json. */
START_TEST(published_counts)
{
	static const struct {
		const char *file;
		uint64_t published;
	} models[] = {
		/* GPT-2 small (124M): GPT2LMHeadModel, tied head */
		{"gpt2.config.json", 124439808},
		/* Llama 2 7B (Touvron et al. 2023; model card "7B") */
		{"Llama-2-7b-hf.config.json", 6738415616},
		/* Llama 3 8B (model card "8B") */
		{"Meta-Llama-3-8B.config.json", 8030261248},
		/* Mistral 7B (Jiang et al. 2023, "7.3B") */
		{"Mistral-7B-v0.1.config.json", 7241732096},
		/* Mixtral 8x7B (Jiang et al. 2024, "47B") */
		{"Mixtral-8x7B-v0.1.config.json", 46702792704},
	};
	for (size_t k = 0; k < sizeof models / sizeof models[0]; k++) {
		mm_hfconfig c = read_hf(models[k].file);
		uint64_t n = total_of(&c);
		ck_assert_msg(n == models[k].published, "%s: %llu parameters, "
		              "published %llu", models[k].file,
		              (unsigned long long)n,
		              (unsigned long long)models[k].published);
	}
}
END_TEST

START_TEST(breakdowns)
{
	mm_hf_params p;
	mm_diag d;
	mm_hfconfig c = read_hf("Mixtral-8x7B-v0.1.config.json");
	ck_assert_int_eq(c.arch, MM_HF_MIXTRAL);
	ck_assert(mm_hfconfig_params(&c, &p, &d) == MM_OK);
	/* "it only uses 12.9B parameters per token" (Mistral AI, "Mixtral of
	 * experts", 2023) */
	ck_assert_msg(fabs((double)p.active - 12.9e9) < 0.05e9, "%llu",
	              (unsigned long long)p.active);
	ck_assert_uint_eq(p.router, 32ull * 4096 * 8);
	ck_assert_uint_eq(p.head, 32000ull * 4096);
	/* GQA: k and v have 8 heads of 128 */
	ck_assert_uint_eq(p.attention, 32ull * 4096 * (2 * 4096 + 2 * 1024));
	c = read_hf("gpt2.config.json");
	ck_assert(mm_hfconfig_params(&c, &p, &d) == MM_OK);
	ck_assert_uint_eq(p.head, 0); /* tied */
	ck_assert_uint_eq(p.embedding, (50257ull + 1024) * 768);
	ck_assert_uint_eq(p.active, p.total);
	c = read_hf("Meta-Llama-3-8B.config.json");
	ck_assert_int_eq(c.num_key_value_heads, 8);
	ck_assert_int_eq(c.head_dim, 128);
	ck_assert(c.norm_eps == 1e-5);
	ck_assert(mm_hfconfig_given(&c, MM_HF_KV_HEADS));
	ck_assert(!mm_hfconfig_given(&c, MM_HF_HEAD_DIM));
	ck_assert(!mm_hfconfig_given(&c, MM_HF_MLP_BIAS));
	ck_assert(mm_hfconfig_given(&c, MM_HF_ATTN_BIAS));
	/* tied, the head goes */
	c.tie_word_embeddings = true;
	ck_assert_uint_eq(total_of(&c), 8030261248ull - 128256ull * 4096);
}
END_TEST

/* transformers' defaults: each default configuration is the model its
 * class is documented to resemble. */
START_TEST(defaults)
{
	mm_hfconfig c = parse("{\"model_type\": \"llama\"}");
	ck_assert_int_eq(c.num_key_value_heads, 32);
	ck_assert_int_eq(c.head_dim, 128);
	ck_assert_int_eq(c.intermediate_size, 11008);
	ck_assert_int_eq(c.max_position_embeddings, 2048);
	ck_assert(c.norm_eps == 1e-6 && !c.tie_word_embeddings);
	ck_assert(!c.attention_bias && !c.mlp_bias);
	ck_assert_uint_eq(c.given, 0);
	ck_assert_uint_eq(total_of(&c), 6738415616ull);
	c = parse("{\"model_type\": \"mistral\"}");
	ck_assert_int_eq(c.num_key_value_heads, 8);
	ck_assert_int_eq(c.max_position_embeddings, 131072);
	ck_assert_uint_eq(total_of(&c), 7241732096ull);
	c = parse("{\"model_type\": \"mistral\", \"num_key_value_heads\": null}");
	ck_assert_int_eq(c.num_key_value_heads, 32);
	c = parse("{\"model_type\": \"mixtral\"}");
	ck_assert_int_eq(c.num_local_experts, 8);
	ck_assert_int_eq(c.num_experts_per_tok, 2);
	ck_assert(c.norm_eps == 1e-5);
	ck_assert_uint_eq(total_of(&c), 46702792704ull);
	c = parse("{\"model_type\": \"gpt2\"}");
	ck_assert_int_eq(c.intermediate_size, 3072);
	ck_assert(c.tie_word_embeddings);
	ck_assert_uint_eq(total_of(&c), 124439808ull);
	c = parse("{\"model_type\": \"gpt2\", \"n_inner\": null}");
	ck_assert_int_eq(c.intermediate_size, 3072);
	/* GPT-2 medium through the other names of attribute_map: 354,823,168
	 * as GPT2LMHeadModel counts it */
	c = parse("{\"model_type\": \"gpt2\", \"hidden_size\": 1024, "
	          "\"num_attention_heads\": 16, \"n_layer\": 24}");
	ck_assert_int_eq(c.hidden_size, 1024);
	ck_assert_int_eq(c.intermediate_size, 4096);
	ck_assert_uint_eq(total_of(&c), 354823168ull);
	/* dense models have one expert, all of it active */
	c = parse("{\"model_type\": \"llama\", \"num_local_experts\": 8}");
	ck_assert_int_eq(c.num_local_experts, 1);
	/* an explicit head_dim frees hidden_size from the heads */
	c = parse("{\"model_type\": \"mistral\", \"hidden_size\": 5120, "
	          "\"head_dim\": 128, \"num_attention_heads\": 32}");
	ck_assert_int_eq(c.head_dim, 128);
}
END_TEST

/* Llama's biases (attention_bias: q, k, v, o; mlp_bias: gate, up, down). */
START_TEST(llama_biases)
{
	mm_hfconfig c = parse("{\"model_type\": \"llama\", \"hidden_size\": 64, "
	                      "\"num_attention_heads\": 4, "
	                      "\"num_key_value_heads\": 2, "
	                      "\"intermediate_size\": 96, \"vocab_size\": 10, "
	                      "\"num_hidden_layers\": 1}");
	uint64_t plain = total_of(&c);
	/* 10·64 embedding and head, q 64·64, k, v 64·32, o 64·64,
	 * MLP 3·64·96, norms 3·64 */
	ck_assert_uint_eq(plain, 2 * 640 + 2 * 4096 + 2 * 2048 + 3 * 64 * 96 +
	                             3 * 64);
	c.attention_bias = true;
	ck_assert_uint_eq(total_of(&c), plain + 64 + 32 + 32 + 64);
	c.mlp_bias = true;
	ck_assert_uint_eq(total_of(&c), plain + 192 + 96 + 96 + 64);
}
END_TEST

START_TEST(errors)
{
	expect_bad("{\"model_type\": \"llama\",}", MM_ERR_FORMAT,
	           "not valid JSON: ");
	expect_bad("{\"model_type\": \"llama\", \"hidden_size\": 1, "
	           "\"hidden_size\": 2}", MM_ERR_FORMAT, "duplicate object key");
	expect_bad("[1, 2]", MM_ERR_FORMAT, "holds a JSON object, not a list");
	expect_bad("7", MM_ERR_FORMAT, "holds a JSON object, not a value");
	expect_bad("{}", MM_ERR_FORMAT,
	           "no model_type, so the architecture is unknown");
	expect_bad("{\"model_type\": 7}", MM_ERR_FORMAT,
	           "model_type must be a string, found 7");
	expect_bad("{\"model_type\": \"qwen2\"}", MM_ERR_UNSUPPORTED,
	           "model_type \"qwen2\" is not one mmcalc reads; it reads "
	           "llama, mistral, mixtral, gpt2");
	expect_bad("{\"model_type\": \"Llama\"}", MM_ERR_UNSUPPORTED, "\"Llama\"");
	expect_bad("{\"model_type\": \"llama\", \"hidden_size\": -4096}",
	           MM_ERR_FORMAT, "hidden_size must be a whole number from 1 to "
	           "2147483647, found -4096");
	expect_bad("{\"model_type\": \"llama\", \"hidden_size\": 0}",
	           MM_ERR_FORMAT, "found 0");
	expect_bad("{\"model_type\": \"llama\", \"hidden_size\": 4096.5}",
	           MM_ERR_FORMAT, "found 4096.5");
	expect_bad("{\"model_type\": \"llama\", \"vocab_size\": 4096.0}",
	           MM_ERR_FORMAT, "vocab_size must be a whole number from 1 to "
	           "2147483647, found 4096.0");
	expect_bad("{\"model_type\": \"llama\", \"hidden_size\": \"4096\"}",
	           MM_ERR_FORMAT, "found a string");
	expect_bad("{\"model_type\": \"llama\", \"hidden_size\": 2147483648}",
	           MM_ERR_FORMAT, "found 2147483648");
	expect_bad("{\"model_type\": \"llama\", \"hidden_size\": null}",
	           MM_ERR_FORMAT, "hidden_size is null; it must be a whole number");
	expect_bad("{\"model_type\": \"llama\", \"tie_word_embeddings\": "
	           "\"false\"}", MM_ERR_FORMAT,
	           "tie_word_embeddings must be true or false, found a string");
	expect_bad("{\"model_type\": \"llama\", \"rms_norm_eps\": -1}",
	           MM_ERR_FORMAT, "rms_norm_eps must be a positive number, found "
	           "-1");
	expect_bad("{\"model_type\": \"llama\", \"rms_norm_eps\": 0.0}",
	           MM_ERR_FORMAT, "found 0.0");
	expect_bad("{\"model_type\": \"gpt2\", \"layer_norm_epsilon\": null}",
	           MM_ERR_FORMAT, "layer_norm_epsilon is null; it must be a "
	           "positive number");
	expect_bad("{\"model_type\": \"llama\", \"hidden_size\": 4000, "
	           "\"num_attention_heads\": 3}", MM_ERR_FORMAT,
	           "hidden_size 4000 is not a multiple of num_attention_heads 3");
	expect_bad("{\"model_type\": \"gpt2\", \"n_embd\": 770}", MM_ERR_FORMAT,
	           "hidden_size 770 is not a multiple of num_attention_heads 12");
	expect_bad("{\"model_type\": \"mistral\", \"num_key_value_heads\": 5}",
	           MM_ERR_FORMAT, "num_attention_heads 32 is not a multiple of "
	           "num_key_value_heads 5");
	expect_bad("{\"model_type\": \"mixtral\", \"num_local_experts\": 2, "
	           "\"num_experts_per_tok\": 3}", MM_ERR_FORMAT,
	           "num_experts_per_tok 3 is more than num_local_experts 2");
	expect_bad("{\"model_type\": \"gpt2\", \"n_embd\": 768, "
	           "\"hidden_size\": 1024}", MM_ERR_FORMAT,
	           "hidden_size 1024 disagrees with the 768 its other name gave");
	/* a default made from another field keeps to the range too (found
	 * by fuzz-hfconfig: 4 * 888881024 passed unchecked) */
	expect_bad("{\"model_type\": \"gpt2\", \"hidden_size\": 888881024, "
	           "\"num_attention_heads\": 16}", MM_ERR_FORMAT,
	           "n_inner's default, 4 * n_embd = 3555524096, is over "
	           "2147483647");
	/* counts past 64 bits */
	mm_hfconfig c = parse("{\"model_type\": \"mixtral\", "
	                      "\"hidden_size\": 2147483647, "
	                      "\"num_attention_heads\": 1, "
	                      "\"num_key_value_heads\": 1, "
	                      "\"intermediate_size\": 2147483647, "
	                      "\"num_hidden_layers\": 2147483647, "
	                      "\"num_local_experts\": 2147483647}");
	mm_hf_params p;
	mm_diag d;
	ck_assert_int_eq(mm_hfconfig_params(&c, &p, &d), MM_ERR_LIMIT);
	ck_assert_msg(strstr(d.message, "overflows 64 bits"), "%s", d.message);
	ck_assert_uint_eq(p.total, 0);
	ck_assert_int_eq(mm_hfconfig_read("/nonexistent/config.json", &c, &d),
	                 MM_ERR_IO);
	ck_assert_int_eq(mm_hfconfig_read(MM_TEST_DATA, &c, &d), MM_ERR_IO);
}
END_TEST

START_TEST(render_text)
{
	mm_hfconfig c = read_hf("Llama-2-7b-hf.config.json");
	mm_buf b = MM_BUF_INIT;
	mm_hfconfig_render(&c, MM_HF_ASSIGN, &b);
	ck_assert_str_eq(mm_buf_str(&b),
	                 "model_type = \"llama\"\n"
	                 "hidden_size = 4096\n"
	                 "num_hidden_layers = 32\n"
	                 "num_attention_heads = 32\n"
	                 "num_key_value_heads = 32\n"
	                 "head_dim = 128  # default: hidden_size / "
	                 "num_attention_heads\n"
	                 "intermediate_size = 11008\n"
	                 "vocab_size = 32000\n"
	                 "max_position_embeddings = 4096\n"
	                 "tie_word_embeddings = 0\n"
	                 "rms_norm_eps = 1e-05\n"
	                 "attention_bias = 0  # default\n"
	                 "mlp_bias = 0  # default\n");
	mm_buf_reset(&b);
	c = read_hf("Mixtral-8x7B-v0.1.config.json");
	mm_hfconfig_render(&c, MM_HF_ARGS, &b);
	ck_assert_str_eq(mm_buf_str(&b),
	                 "model_type=\"mixtral\" hidden_size=4096 "
	                 "num_hidden_layers=32 num_attention_heads=32 "
	                 "num_key_value_heads=8 head_dim=128 "
	                 "intermediate_size=14336 vocab_size=32000 "
	                 "max_position_embeddings=32768 tie_word_embeddings=0 "
	                 "rms_norm_eps=1e-05 num_local_experts=8 "
	                 "num_experts_per_tok=2\n");
	mm_buf_reset(&b);
	c = parse("{\"model_type\": \"gpt2\"}");
	mm_hfconfig_render(&c, MM_HF_ASSIGN, &b);
	ck_assert_msg(strstr(mm_buf_str(&b),
	                     "intermediate_size = 3072  # default: 4 * "
	                     "hidden_size\n"), "%s", mm_buf_str(&b));
	ck_assert_msg(strstr(mm_buf_str(&b), "layer_norm_epsilon = 1e-05  # "
	                                     "default\n"), "%s", mm_buf_str(&b));
	ck_assert(!strstr(mm_buf_str(&b), "head_dim"));
	c = parse("{\"model_type\": \"llama\"}");
	mm_buf_reset(&b);
	mm_hfconfig_render(&c, MM_HF_ASSIGN, &b);
	ck_assert(strstr(mm_buf_str(&b), "num_key_value_heads = 32  # default: "
	                                 "num_attention_heads\n"));
	mm_buf_free(&b);
}
END_TEST

/* The assignments are mmcalc: a session runs them without an error and
 * then knows the values. */
typedef struct seen {
	int errors;
	char last[256];
} seen;

static void on_result(void *ctx, const mm_result *r)
{
	seen *s = ctx;
	if (r->kind == MM_R_ERROR)
		s->errors++;
	snprintf(s->last, sizeof s->last, "%s", r->text ? r->text : "");
}

START_TEST(render_runs)
{
	const char *files[] = {"gpt2.config.json", "Llama-2-7b-hf.config.json",
	                       "Meta-Llama-3-8B.config.json",
	                       "Mistral-7B-v0.1.config.json",
	                       "Mixtral-8x7B-v0.1.config.json"};
	for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
		mm_hfconfig c = read_hf(files[k]);
		mm_buf b = MM_BUF_INIT;
		mm_hfconfig_render(&c, MM_HF_ASSIGN, &b);
		mm_buf_puts(&b, "hidden_size * num_hidden_layers\n");
		mm_session *s = mm_session_new();
		seen got = {0, ""};
		mm_session_run_text(s, files[k], mm_buf_str(&b), b.len, on_result,
		                    &got);
		ck_assert_msg(got.errors == 0, "%s:\n%s", files[k], mm_buf_str(&b));
		char want[64];
		snprintf(want, sizeof want, "%lld\n",
		         (long long)(c.hidden_size * c.num_hidden_layers));
		ck_assert_str_eq(got.last, want);
		mm_session_free(s);
		mm_buf_free(&b);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("hfconfig");
	TCase *t = tcase_create("hfconfig");
	tcase_add_test(t, published_counts);
	tcase_add_test(t, breakdowns);
	tcase_add_test(t, defaults);
	tcase_add_test(t, llama_biases);
	tcase_add_test(t, errors);
	tcase_add_test(t, render_text);
	tcase_add_test(t, render_runs);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

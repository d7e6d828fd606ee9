/* cmd_model.c — :model: a preset (share/mmcalc/models/NAME.mm) or a
 * Hugging Face config.json run as an mmcalc program, with key=value
 * overrides of its sizes; and reading the model it made back for
 * :memory and :split. */
#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mmcalc/graph.h"
#include "mmcalc/hfconfig.h"
#include "mmcalc/io.h"
#include "mmcalc/model.h"
#include "mmcalc/path.h"
#include "cmd_model.h"

#ifndef MM_MODELDIR
#define MM_MODELDIR "/usr/local/share/mmcalc/models"
#endif

/* Presets listed at most; a preset's text at most. */
#define MAX_PRESETS 256
#define PRESET_MAX ((size_t)1 << 20)

static char *model_path;

bool mm_model_set_path(const char *dirs)
{
	char *p = dirs ? strdup(dirs) : NULL;
	if (dirs && !p)
		return false;
	free(model_path);
	model_path = p;
	return true;
}

const char *mm_model_path(void)
{
	return model_path ? model_path : MM_MODELDIR;
}

/* The first directory of the path holding file rel: the full name into
 * out (cap bytes) and its directory into dir. */
static bool find_file(const char *rel, char *out, size_t cap, char *dir,
                      size_t dcap)
{
	for (const char *p = mm_model_path(); *p;) {
		size_t l = strcspn(p, ":");
		struct stat sb;
		if (l && (size_t)snprintf(out, cap, "%.*s/%s", (int)l, p, rel) < cap &&
		    stat(out, &sb) == 0 && S_ISREG(sb.st_mode)) {
			snprintf(dir, dcap, "%.*s", (int)l, p);
			return true;
		}
		p += l + (p[l] == ':');
	}
	return false;
}

/* The title of a preset: its first line without "# NAME.mm — ". */
static void preset_title(const char *path, mm_buf *b)
{
	FILE *f = fopen(path, "r");
	char line[256];
	if (!f)
		return;
	if (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		const char *t = strstr(line, " — ");
		mm_buf_puts(b, t ? t + strlen(" — ") : line);
	}
	fclose(f);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* :model alone: the presets on the path, one a line, with their titles. */
static int list_presets(mm_stmtctx *c)
{
	char *names[MAX_PRESETS];
	int n = 0;
	for (const char *p = mm_model_path(); *p;) {
		size_t l = strcspn(p, ":");
		char dir[4096];
		snprintf(dir, sizeof dir, "%.*s", (int)l, p);
		DIR *dp = l ? opendir(dir) : NULL;
		for (struct dirent *e; dp && (e = readdir(dp)) && n < MAX_PRESETS;) {
			size_t len = strlen(e->d_name);
			if (len < 4 || strcmp(e->d_name + len - 3, ".mm") ||
			    e->d_name[0] == '.')
				continue;
			char *name = strndup(e->d_name, len - 3);
			bool seen = false;
			for (int k = 0; name && k < n; k++)
				seen |= !strcmp(names[k], name);
			if (name && !seen)
				names[n++] = name;
			else
				free(name);
		}
		if (dp)
			closedir(dp);
		p += l + (p[l] == ':');
	}
	qsort(names, (size_t)n, sizeof *names, by_name);
	mm_buf *b = &c->s->text;
	for (int k = 0; k < n; k++) {
		char path[4200], dir[4096], rel[300];
		snprintf(rel, sizeof rel, "%s.mm", names[k]);
		mm_buf_printf(b, "%-14s ", names[k]);
		if (find_file(rel, path, sizeof path, dir, sizeof dir))
			preset_title(path, b);
		mm_buf_putc(b, '\n');
		free(names[k]);
	}
	if (n == 0)
		mm_buf_printf(b, "no presets in %s\n", mm_model_path());
	mm_buf_puts(b, "(:model NAME [key=value ...] runs one; :model FILE.json "
	               "reads a config.json)\n");
	return mm_sx_text(c);
}

/* Whether line (len bytes) assigns key at top level: `key = ...`. */
static bool assigns(const char *line, size_t len, const char *key, size_t kl)
{
	size_t i = strspn(line, " \t");
	if (i + kl > len || strncmp(line + i, key, kl) != 0)
		return false;
	i += kl;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	return i < len && line[i] == '=' && (i + 1 >= len || line[i + 1] != '=');
}

/* The names text assigns at the start of a line, for messages. */
static void assigned_names(const char *text, mm_buf *b)
{
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n"), i = 0;
		while (i < len && (isalnum((unsigned char)p[i]) || p[i] == '_'))
			i++;
		if (i && assigns(p, len, p, i))
			mm_buf_printf(b, "%s%.*s", b->len ? " " : "", (int)i, p);
		p += len + (p[len] == '\n');
	}
}

/* text with each key=value of words[from..] replacing the line that
 * assigns key, into out; "\n  with key=value ..." into with (the title's
 * last line). An error (reported) when a key is assigned nowhere. */
static int override(mm_stmtctx *c, const mm_stmt *st, int from,
                    const char *text, mm_buf *out, mm_buf *with)
{
	mm_buf_puts(out, text);
	for (int k = from; k < st->nwords; k++)
		mm_buf_printf(with, "%s %s", k == from ? "\n  with" : "",
		              st->words[k].text);
	for (int k = from; k < st->nwords; k++) {
		const char *w = st->words[k].text, *eq = strchr(w, '=');
		size_t kl = eq ? (size_t)(eq - w) : 0;
		if (!eq || kl == 0 || !eq[1])
			return mm_sx_error_at(c, MM_ERR_ARG, st->words[k].span,
			                      "write key=value: seq=8192",
			                      "'%s' is not key=value", w);
		/* one expression: no second statement, no comment */
		if (eq[strcspn(eq, ";#\n")])
			return mm_sx_error_at(c, MM_ERR_ARG, st->words[k].span, NULL,
			                      "the value of %.*s is one expression",
			                      (int)kl, w);
		mm_buf next = MM_BUF_INIT;
		bool found = false;
		for (const char *p = mm_buf_str(out); *p;) {
			size_t len = strcspn(p, "\n");
			if (!found && assigns(p, len, w, kl)) {
				mm_buf_printf(&next, "%.*s = %s", (int)kl, w, eq + 1);
				found = true;
			} else {
				mm_buf_add(&next, p, len);
			}
			mm_buf_putc(&next, '\n');
			p += len + (p[len] == '\n');
		}
		mm_buf_free(out);
		*out = next;
		if (!found) {
			mm_buf keys = MM_BUF_INIT;
			assigned_names(text, &keys);
			char hint[512];
			snprintf(hint, sizeof hint, "its keys: %s", mm_buf_str(&keys));
			mm_buf_free(&keys);
			return mm_sx_error_at(c, MM_ERR_ARG, st->words[k].span, hint,
			                      "the model sets no '%.*s'", (int)kl, w);
		}
	}
	return 0;
}

/* What the preset's statements report goes nowhere; errors go on. */
typedef struct quiet {
	mm_emit_fn emit;
	void *ctx;
} quiet;

static void quiet_emit(void *ctx, const mm_result *r)
{
	quiet *q = ctx;
	if (r->kind == MM_R_ERROR)
		q->emit(q->ctx, r);
}

/* The variables mm_sx_model reads besides the model's own: a preset
 * that leaves one out must not find the last model's. */
static const char *const model_keys[] = {
	"model", "hidden_size", "num_hidden_layers", "num_attention_heads",
	"num_key_value_heads", "head_dim", "intermediate_size",
	"num_local_experts", "num_experts_per_tok", "batch", "seq", "kv_cache"};

/* Runs text (from file, relative names from dir) in the session without
 * its reports, after forgetting the last model. Returns the failures.
 * A session confined to a root may still :source the presets' files
 * (the text is the preset's, the user's overrides being one expression
 * each): dir is the preset directory meanwhile. */
static int run_quietly(mm_stmtctx *c, const char *file, const char *dir,
                       const char *text)
{
	mm_session *s = c->s;
	for (size_t k = 0; k < sizeof model_keys / sizeof model_keys[0]; k++)
		mm_env_remove(&s->env, model_keys[k]);
	char *outer = s->base_dir;
	s->base_dir = strdup(dir);
	char *outer_preset = s->preset_dir;
	s->preset_dir = realpath(dir, NULL);
	quiet q = {c->emit, c->ctx};
	s->source_depth++;
	int failed = s->base_dir && s->preset_dir
	                     ? mm_session_run_text(s, file, text, strlen(text),
	                                           quiet_emit, &q)
	                     : 1;
	s->source_depth--;
	free(s->base_dir);
	s->base_dir = outer;
	free(s->preset_dir);
	s->preset_dir = outer_preset;
	return failed;
}

/* The number variable name holds, or -1. */
static double number_var(mm_session *s, const char *name)
{
	const mm_var *v = mm_env_find(&s->env, name);
	return v && v->v.kind == MM_K_NUMBER ? v->v.num : -1;
}

mm_code mm_sx_model(mm_session *s, const char *name, mm_mem_model *m,
                    int64_t *batch, int64_t *seq, mm_diag *d)
{
	static const char *const keys[] = {
		"hidden_size", "num_hidden_layers", "num_attention_heads",
		"num_key_value_heads", "head_dim", "batch", "seq"};
	double v[7];
	const mm_span none = {0, 0};
	if (!name)
		name = "model";
	const mm_var *mv = mm_env_find(&s->env, name);
	if (!mv || !mv->g)
		return mm_diag_set(d, MM_ERR_NAME, none,
		                   "no model: '%s' is not a tensor variable (:model "
		                   "NAME makes one)", name);
	for (int k = 0; k < 7; k++) {
		const mm_var *kv = mm_env_find(&s->env, keys[k]);
		if (!kv || kv->v.kind != MM_K_NUMBER)
			return mm_diag_set(d, MM_ERR_NAME, none,
			                   "the model's %s is not set (:model sets it)",
			                   keys[k]);
		v[k] = kv->v.num;
		if (!(v[k] >= 1 && v[k] <= 9e15) || v[k] != floor(v[k]))
			return mm_diag_set(d, MM_ERR_VALUE, none,
			                   "the model's %s is %g: a whole number from 1 "
			                   "is needed", keys[k], v[k]);
	}
	mm_gtotals t;
	mm_code r = mm_graph_totals(mv->g, false, NULL, &t, d);
	if (r != MM_OK)
		return r;
	*m = (mm_mem_model){
		.params = mm_count_to_double(t.params),
		.fwd_flops = mm_count_to_double(t.flops),
		.hidden = (int64_t)v[0], .layers = (int64_t)v[1],
		.heads = (int64_t)v[2], .kv_heads = (int64_t)v[3],
		.head_dim = (int64_t)v[4], .experts = 1, .experts_tok = 1};
	*batch = (int64_t)v[5];
	*seq = (int64_t)v[6];
	double e = number_var(s, "num_local_experts");
	double k = number_var(s, "num_experts_per_tok");
	double f = number_var(s, "intermediate_size");
	if (e > 1 && k >= 1 && k <= e && f >= 1) {
		/* Mixtral's experts: gate, up and down, per layer */
		m->experts = (int64_t)e;
		m->experts_tok = (int64_t)k;
		m->expert_params = 3.0 * v[0] * f * e * v[1];
		if (m->expert_params > m->params)
			return mm_diag_set(d, MM_ERR_VALUE, none,
			                   "the experts' %.0f parameters are more than "
			                   "the model's %.0f", m->expert_params,
			                   m->params);
	}
	m->encoder = number_var(s, "kv_cache") == 0;
	m->active_params = m->params - m->expert_params *
	                   (1 - (double)m->experts_tok / (double)m->experts);
	return MM_OK;
}

/* After a run: the model's figures, and for a config.json, its count by
 * transformers' formula beside the program's. */
static int summary(mm_stmtctx *c, mm_span at, const char *title,
                   const mm_hf_params *hp)
{
	mm_mem_model m;
	int64_t batch, seq;
	mm_diag d;
	if (mm_sx_model(c->s, NULL, &m, &batch, &seq, &d) != MM_OK) {
		d.span = at;
		return mm_sx_error(c, &d);
	}
	mm_buf *b = &c->s->text;
	const mm_var *mv = mm_env_find(&c->s->env, "model");
	mm_buf_printf(b, "%s\n  model = ", title);
	mm_shape_print(b, &mv->v.shape);
	mm_buf_printf(b, " %s (batch %lld, seq %lld)\n  params %.0f (",
	              mm_dtype_name(mv->v.dtype), (long long)batch,
	              (long long)seq, m.params);
	mm_count_format_si_f(b, m.params, "", 4);
	mm_buf_putc(b, ')');
	if (m.expert_params > 0)
		mm_buf_printf(b, ", %.0f active per token", m.active_params);
	mm_buf_puts(b, " · forward ");
	mm_count_format_si_f(b, m.fwd_flops, "FLOP", 4);
	mm_buf_putc(b, '\n');
	if (hp) {
		bool same = (double)hp->total == m.params;
		mm_buf_printf(b, "  transformers' count: %llu, %s\n",
		              (unsigned long long)hp->total,
		              same ? "the same" : "NOT the same: see :explain model");
	}
	return mm_sx_text(c);
}

/* :model FILE.json: the config rendered as assignments, then its
 * architecture's program. */
static int from_config(mm_stmtctx *c, const mm_stmt *st, const char *file)
{
	mm_diag d;
	char *path = mm_sx_path(c->s, file, true, &d);
	mm_hfconfig cfg;
	mm_hf_params hp;
	char title[1024];
	if (!path || mm_hfconfig_read(path, &cfg, &d) != MM_OK ||
	    mm_hfconfig_params(&cfg, &hp, &d) != MM_OK) {
		free(path);
		d.span = st->words[0].span;
		return mm_sx_error(c, &d);
	}
	free(path);
	if (cfg.arch != MM_HF_GPT2 &&
	    (cfg.attention_bias || cfg.mlp_bias || cfg.tie_word_embeddings))
		return mm_sx_error_at(c, MM_ERR_UNSUPPORTED, st->words[0].span, NULL,
		                      "%s: the llama preset has no biases and an "
		                      "untied head", file);
	const char *arch = cfg.arch == MM_HF_MIXTRAL ? "mixtral"
	                   : cfg.arch == MM_HF_GPT2  ? "gpt2" : "llama";
	char rel[64], apath[4200], dir[4096];
	snprintf(rel, sizeof rel, "arch/%s.mm", arch);
	if (!find_file(rel, apath, sizeof apath, dir, sizeof dir))
		return mm_sx_error_at(c, MM_ERR_IO, st->words[0].span,
		                      "MMCALC_MODELS names the directories to search",
		                      "no %s in %s", rel, mm_model_path());
	snprintf(title, sizeof title, "%s: %s, as arch/%s.mm", file,
	         cfg.model_type, arch);
	mm_buf text = MM_BUF_INIT, run = MM_BUF_INIT, with = MM_BUF_INIT;
	mm_hfconfig_render(&cfg, MM_HF_ASSIGN, &text);
	mm_buf_printf(&text, "batch = 1\nseq = %lld\n:source %s\n",
	              (long long)cfg.max_position_embeddings, rel);
	int failed = override(c, st, 1, mm_buf_str(&text), &run, &with);
	snprintf(title + strlen(title), sizeof title - strlen(title), "%s",
	         mm_buf_str(&with));
	mm_buf_free(&with);
	if (!failed)
		failed = run_quietly(c, file, dir, mm_buf_str(&run));
	mm_buf_free(&text);
	mm_buf_free(&run);
	return failed ? 1 : summary(c, st->args, title, &hp);
}

int mm_cmd_model(mm_stmtctx *c, const mm_stmt *st)
{
	if (st->nwords == 0)
		return list_presets(c);
	/* the statement's words live in the arena the preset's statements
	 * reset: keep the name */
	char name[256];
	snprintf(name, sizeof name, "%s", st->words[0].text);
	if (mm_path_has_ext(name, ".json"))
		return from_config(c, st, name);
	char rel[300], path[4200], dir[4096];
	bool ok = strlen(name) < 200 && !strchr(name, '/') && name[0] != '.';
	snprintf(rel, sizeof rel, "%s.mm", name);
	if (!ok || !find_file(rel, path, sizeof path, dir, sizeof dir))
		return mm_sx_error_at(c, MM_ERR_NAME, st->words[0].span,
		                      ":model alone lists them",
		                      "no preset named '%s'", name);
	char *text;
	size_t len;
	mm_diag d;
	if (mm_io_read_text(path, PRESET_MAX, &text, &len, &d) != MM_OK) {
		d.span = st->words[0].span;
		return mm_sx_error(c, &d);
	}
	mm_buf run = MM_BUF_INIT, title = MM_BUF_INIT, with = MM_BUF_INIT;
	int failed = override(c, st, 1, text, &run, &with);
	free(text);
	if (!failed)
		failed = run_quietly(c, path, dir, mm_buf_str(&run));
	mm_buf_free(&run);
	mm_buf_printf(&title, "%s: ", name);
	preset_title(path, &title);
	mm_buf_puts(&title, mm_buf_str(&with));
	mm_buf_free(&with);
	if (!failed)
		failed = summary(c, st->args, mm_buf_str(&title), NULL);
	mm_buf_free(&title);
	return failed ? 1 : 0;
}

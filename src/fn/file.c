/* file.c — load and save: .npy and delimited text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/csv.h"
#include "mmcalc/npy.h"
#include "mmcalc/path.h"
#include "fn/fn.h"

/* Gives a loader the data of a new tensor, which *ctx receives. */
static void *load_alloc(void *ctx, mm_dtype dtype, int ndim,
                        const int64_t *shape, mm_diag *d)
{
	mm_tensor **out = ctx;
	*out = mm_tensor_new(dtype, ndim, shape, d);
	return *out ? (*out)->data : NULL;
}

/* load("file.npy" | "file.csv", sep=, header=, dtype=): read when checked,
 * since the shape is in the file. */
mm_code mm_fn_load_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *p = e->items[0];
	mm_code r;
	if (p->info->v.kind != MM_K_STRING)
		return mm_ck_fail(c, MM_ERR_TYPE, p->span,
		            "load: the file name must be a string in quotes");
	mm_io_load_opts o = {0};
	mm_tensor *t = NULL;
	o.alloc = load_alloc;
	o.alloc_ctx = &t;
	o.max_bytes = c->opts.memlimit;
	int k;
	if ((k = mm_ck_key(e, "header")) >= 0 &&
	    (r = mm_ck_bool(c, e->items[k], "header", &o.header)) != MM_OK)
		return r;
	if ((k = mm_ck_key(e, "sep")) >= 0) {
		const mm_info *si = e->items[k]->info;
		if (si->v.kind != MM_K_STRING || strlen(si->v.str) != 1)
			return mm_ck_fail(c, MM_ERR_ARG, e->items[k]->span,
			            "sep must be one character in quotes, such as \",\"");
		o.sep = si->v.str[0];
	}
	mm_dtype want = MM_F64;
	bool asked = (k = mm_ck_key(e, "dtype")) >= 0;
	if (asked) {
		if ((r = mm_ck_dtype(c, e->items[k], &want)) != MM_OK)
			return r;
		o.f32 = want != MM_F64;
	}
	char *path = mm_path_resolve(p->info->v.str, c->opts.base_dir, c->diag);
	if (!path)
		return mm_ck_placed(c, c->diag->code, p->span);
	mm_io_info info;
	bool csv = mm_path_has_ext(path, ".csv") || mm_path_has_ext(path, ".tsv") ||
	           mm_path_has_ext(path, ".txt");
	if (!csv && !mm_path_has_ext(path, ".npy")) {
		free(path);
		return mm_ck_fail(c, MM_ERR_ARG, p->span,
		            "load: the name must end in .npy, .csv, .tsv or .txt");
	}
	if (csv && !o.sep && mm_path_has_ext(path, ".tsv"))
		o.sep = '\t';
	r = csv ? mm_csv_load(path, &o, &info, c->diag)
	        : mm_npy_load(path, &o, &info, c->diag);
	i->path = mm_arena_strndup(c->arena, path, strlen(path));
	free(path);
	if (r != MM_OK) {
		mm_tensor_unref(t);
		return mm_ck_placed(c, r, e->span);
	}
	/* .npy keeps f32 as f32 and the rest as f64 unless a dtype was
	 * asked for: f64 widens f32, any other narrows f64 to f32. */
	bool widen = asked && want == MM_F64 && t->dtype == MM_F32;
	if (widen || (want != MM_F64 && t->dtype == MM_F64)) {
		mm_tensor *f = mm_tensor_cast(t, widen ? MM_F64 : MM_F32, c->diag);
		mm_tensor_unref(t);
		if (!(t = f))
			return mm_ck_placed(c, c->diag->code, e->span);
		info.widened |= widen;
	}
	mm_shape s = mm_shape_make(t->ndim, t->shape);
	mm_ck_set_tensor(i, &s, want != MM_F64 && want != MM_F32 ? want : t->dtype,
	                 true);
	i->value = t;
	c->nvalues++;
	mm_ck_set_leaf(c, i);
	i->data = true;
	i->cls = MM_C_DATA;
	char note[160];
	if (csv)
		snprintf(note, sizeof note, "loaded from text");
	else
		snprintf(note, sizeof note, "loaded from %s%s%s", info.file_dtype,
		         info.widened ? ", widened" : "",
		         info.fortran_order ? ", Fortran order" : "");
	i->note = mm_arena_strndup(c->arena, note, strlen(note));
	return MM_OK;
}

/* The data was read when the call was checked. */
mm_tensor *mm_fn_load_eval(mm_evaluator *ev, mm_node *e)
{
	(void)ev;
	return mm_tensor_ref(e->info->value);
}

static bool file_ext_ok(const char *name)
{
	return mm_path_has_ext(name, ".npy") || mm_path_has_ext(name, ".csv") ||
	       mm_path_has_ext(name, ".tsv") || mm_path_has_ext(name, ".txt");
}

/* save("file", x): x itself, written to the file when run. */
mm_code mm_fn_save_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *p = e->items[0], *v = e->items[1];
	mm_code r;
	if (p->info->v.kind != MM_K_STRING)
		return mm_ck_fail(c, MM_ERR_TYPE, p->span,
		                  "save: the file name must be a string in quotes");
	if ((r = mm_ck_tensor(c, v, i->fn->name)) != MM_OK)
		return r;
	if (!v->info->concrete) {
		mm_ck_fail(c, MM_ERR_VALUE, v->span,
		           "save needs data, and this has a shape only");
		mm_diag_hint(c->diag, "make it with randn, zeros, a matrix "
		                      "literal or load");
		return MM_ERR_VALUE;
	}
	if (!file_ext_ok(p->info->v.str))
		return mm_ck_fail(c, MM_ERR_ARG, p->span,
		                  "save: the name must end in .npy, .csv, .tsv or "
		                  ".txt");
	char *path = mm_path_resolve(p->info->v.str, c->opts.base_dir, c->diag);
	if (!path)
		return mm_ck_placed(c, c->diag->code, p->span);
	i->path = mm_arena_strndup(c->arena, path, strlen(path));
	free(path);
	char note[96];
	snprintf(note, sizeof note, "saved to %s", p->info->v.str);
	i->note = mm_arena_strndup(c->arena, note, strlen(note));
	mm_ck_set_tensor(i, &v->info->v.shape, v->info->v.dtype, true);
	mm_ck_set_view(i, v->info);
	i->cls = MM_C_DATA;
	return MM_OK;
}

mm_tensor *mm_fn_save_eval(mm_evaluator *ev, mm_node *e)
{
	const char *path = e->info->path;
	mm_tensor *v = e->items[1]->info->value;
	mm_tensor *c = mm_tensor_contiguous(v, ev->diag);
	if (!c)
		return NULL;
	mm_code r;
	if (mm_path_has_ext(path, ".npy"))
		r = mm_npy_save(path, c->dtype, c->ndim, c->shape, c->data,
		                ev->diag);
	else
		r = mm_csv_save(path, c->dtype, c->ndim, c->shape, c->data,
		                mm_csv_sep_for_path(path), ev->diag);
	mm_tensor_unref(c);
	return r == MM_OK ? mm_tensor_ref(v) : NULL;
}

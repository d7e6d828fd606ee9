/* file.c — load and save: .npy and delimited text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* What load's keys ask for, decided when checked: the loader's options
 * and the dtype wanted (asked: given as dtype=). */
typedef struct load_args {
	mm_io_load_opts o;
	mm_dtype want;
	bool asked, csv;
} load_args;

static mm_code load_opts(mm_checker *c, mm_node *e, load_args *a)
{
	mm_code r;
	int k;
	if ((k = mm_ck_key(e, "header")) >= 0 &&
	    (r = mm_ck_bool(c, e->items[k], "header", &a->o.header)) != MM_OK)
		return r;
	if ((k = mm_ck_key(e, "sep")) >= 0) {
		const mm_info *si = e->items[k]->info;
		if (si->v.kind != MM_K_STRING || strlen(si->v.str) != 1)
			return mm_ck_fail(c, MM_ERR_ARG, e->items[k]->span,
			            "sep must be one character in quotes, such as \",\"");
		a->o.sep = si->v.str[0];
	}
	a->want = MM_F64;
	a->asked = (k = mm_ck_key(e, "dtype")) >= 0;
	if (a->asked) {
		if ((r = mm_ck_dtype(c, e->items[k], &a->want)) != MM_OK)
			return r;
		a->o.f32 = a->want != MM_F64;
	}
	return MM_OK;
}

/* The dtype a load gives: .npy keeps f32 as f32 and the rest as f64
 * unless a dtype was asked for: f64 widens f32, any other narrows f64 to
 * f32 (and stores in the dtype asked for). */
static mm_dtype load_dtype(mm_dtype file, mm_dtype want, bool asked)
{
	if (!asked)
		return file;
	return want == MM_F64 ? MM_F64 : MM_F32;
}

/* Reads the whole file at path as load asks, cast as it should be. */
static mm_tensor *load_now(const char *path, const load_args *a,
                           mm_io_info *info, mm_diag *d)
{
	mm_tensor *t = NULL;
	mm_io_load_opts o = a->o;
	o.alloc = load_alloc;
	o.alloc_ctx = &t;
	mm_code r = a->csv ? mm_csv_load(path, &o, info, d)
	                   : mm_npy_load(path, &o, info, d);
	if (r != MM_OK) {
		mm_tensor_unref(t);
		return NULL;
	}
	mm_dtype dt = load_dtype(t->dtype, a->want, a->asked);
	if (dt != t->dtype) {
		info->widened |= dt == MM_F64;
		mm_tensor *f = mm_tensor_cast(t, dt, d);
		mm_tensor_unref(t);
		t = f;
	}
	return t;
}

static bool is_csv(const char *path)
{
	return mm_path_has_ext(path, ".csv") || mm_path_has_ext(path, ".tsv") ||
	       mm_path_has_ext(path, ".txt");
}

/* load("file.npy" | "file.csv", sep=, header=, dtype=). A regular file's
 * shape is read when checked (a .npy header, or one bounded-memory scan
 * of the text), its data only when the statement runs: shape(load("a
 * 1 GiB file")) reads a few hundred bytes. Anything else (a pipe) can be
 * read once only, so it is read now. */
mm_code mm_fn_load_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *p = e->items[0];
	mm_code r;
	if (p->info->v.kind != MM_K_STRING)
		return mm_ck_fail(c, MM_ERR_TYPE, p->span,
		            "load: the file name must be a string in quotes");
	load_args *a = mm_arena_alloc(c->arena, sizeof *a);
	if (!a)
		return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
	memset(a, 0, sizeof *a);
	a->o.max_bytes = c->opts.memlimit;
	if ((r = load_opts(c, e, a)) != MM_OK)
		return r;
	char *path = mm_path_resolve(p->info->v.str, c->opts.base_dir, c->diag);
	if (!path)
		return mm_ck_placed(c, c->diag->code, p->span);
	bool csv = a->csv = is_csv(path);
	if (!csv && !mm_path_has_ext(path, ".npy")) {
		free(path);
		return mm_ck_fail(c, MM_ERR_ARG, p->span,
		            "load: the name must end in .npy, .csv, .tsv or .txt");
	}
	if (csv && !a->o.sep && mm_path_has_ext(path, ".tsv"))
		a->o.sep = '\t';
	i->fn_data = a;
	i->path = mm_arena_strndup(c->arena, path, strlen(path));
	struct stat st;
	bool regular = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	mm_io_info info = {0};
	mm_tensor *t = NULL;
	if (regular) {
		r = csv ? mm_csv_scan(path, &a->o, &info, c->diag)
		        : mm_npy_read_header(path, &a->o, &info, c->diag);
		mm_dtype dt = load_dtype(info.dtype, a->want, a->asked);
		info.widened |= dt == MM_F64 && info.dtype != MM_F64;
		info.dtype = dt;
	} else {
		t = load_now(path, a, &info, c->diag);
		r = t ? MM_OK : c->diag->code;
		if (t) {
			info.dtype = t->dtype;
			info.ndim = t->ndim;
			memcpy(info.shape, t->shape, (size_t)t->ndim * sizeof t->shape[0]);
		}
	}
	free(path);
	if (r != MM_OK)
		return mm_ck_placed(c, r, e->span);
	mm_shape s = mm_shape_make(info.ndim, info.shape);
	mm_ck_set_tensor(i, &s, a->want != MM_F64 && a->want != MM_F32 ? a->want
	                                                                : info.dtype,
	                 true);
	if (t) {
		i->value = t;
		c->nvalues++;
	}
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

/* Reads the data of a file whose shape was read when checked; a file
 * changed in between is an error, not a different answer. */
mm_tensor *mm_fn_load_eval(mm_evaluator *ev, mm_node *e)
{
	mm_info *i = e->info;
	if (i->value)
		return mm_tensor_ref(i->value);
	mm_io_info info = {0};
	mm_tensor *t = load_now(i->path, i->fn_data, &info, ev->diag);
	if (!t)
		return NULL;
	const mm_shape *s = &i->v.shape;
	bool same = t->ndim == s->ndim &&
	            mm_dtype_exec(i->v.dtype) == mm_dtype_exec(t->dtype);
	for (int k = 0; same && k < t->ndim; k++)
		same = t->shape[k] == s->dim[k];
	if (!same) {
		mm_tensor_unref(t);
		mm_diag_set(ev->diag, MM_ERR_IO, e->span,
		            "%s changed while this statement ran: its shape or "
		            "dtype is not the one checked", i->path);
		return NULL;
	}
	return t;
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
	if (mm_path_has_ext(path, ".npy")) /* as the tensor's dtype (f16: <f2) */
		r = mm_npy_save(path, e->items[1]->info->v.dtype, c->ndim,
		                c->shape, c->data, ev->diag);
	else
		r = mm_csv_save(path, c->dtype, c->ndim, c->shape, c->data,
		                mm_csv_sep_for_path(path), ev->diag);
	mm_tensor_unref(c);
	return r == MM_OK ? mm_tensor_ref(v) : NULL;
}

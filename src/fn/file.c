/* file.c — load and save: .npy, delimited text, and one tensor of a
 * .safetensors file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mmcalc/csv.h"
#include "mmcalc/npy.h"
#include "mmcalc/path.h"
#include "mmcalc/safetensors.h"
#include "mmcalc/suggest.h"
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
 * and the dtype wanted (asked: given as dtype=); for a .safetensors file,
 * the tensor and the dtype its values are (as). */
typedef struct load_args {
	mm_io_load_opts o;
	mm_dtype want, as;
	bool asked, csv, st;
	const char *tensor;
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

/* Reads the whole file at path (or its tensor) as load asks, cast as it
 * should be; *as is the dtype the file's values are. */
static mm_tensor *load_now(const char *path, const load_args *a,
                           mm_io_info *info, mm_dtype *as, mm_diag *d)
{
	mm_tensor *t = NULL;
	mm_io_load_opts o = a->o;
	o.alloc = load_alloc;
	o.alloc_ctx = &t;
	mm_code r = a->st    ? mm_st_load(path, a->tensor, &o, info, as, d)
	            : a->csv ? mm_csv_load(path, &o, info, d)
	                     : mm_npy_load(path, &o, info, d);
	if (r != MM_OK) {
		mm_tensor_unref(t);
		return NULL;
	}
	if (!a->st)
		*as = t->dtype;
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

/* "a", "b", "c" and 9 more: the first names of f in name order. */
static void some_names(char *out, size_t cap, const mm_st_file *f)
{
	size_t n = 0, k = 0;
	out[0] = '\0';
	for (; k < f->ntensors && k < 3 && n < cap; k++) {
		char nm[MM_ST_SHOWN];
		n += (size_t)snprintf(out + n, cap - n, "%s%s", k ? ", " : "",
		                      mm_st_shown(nm, mm_st_nth_by_name(f, k)->name));
	}
	if (k < f->ntensors && n < cap)
		snprintf(out + n, cap - n, " and %zu more", f->ntensors - k);
}

/* The tensor load names in f, or NULL with the error set: no name given
 * (the names it could be), or a name f lacks (the closest one). */
static const mm_st_tensor *st_pick(mm_checker *c, mm_node *e,
                                   const mm_st_file *f)
{
	const char *file = e->items[0]->info->v.str;
	char list[320], nm[MM_ST_SHOWN];
	some_names(list, sizeof list, f);
	if (mm_ck_npos(e) < 2) {
		if (f->ntensors == 0) {
			mm_ck_fail(c, MM_ERR_VALUE, e->span, "load: %s holds no "
			           "tensors", file);
			return NULL;
		}
		mm_ck_fail(c, MM_ERR_ARG, e->span, "load: %s holds %zu "
		           "tensor%s: name the one to load, as in load(\"%s\", "
		           "%s)", file, f->ntensors, f->ntensors == 1 ? "" : "s",
		           file, mm_st_shown(nm, mm_st_nth_by_name(f, 0)->name));
		mm_diag_hint(c->diag, "it holds %s; :inspect %s lists them", list,
		             file);
		return NULL;
	}
	mm_node *n = e->items[1];
	if (n->info->v.kind != MM_K_STRING) {
		mm_ck_fail(c, MM_ERR_TYPE, n->span,
		           "load: the tensor name must be a string in quotes");
		return NULL;
	}
	const mm_st_tensor *t = mm_st_find(f, n->info->v.str);
	if (t)
		return t;
	mm_suggest sg;
	mm_suggest_init(&sg, n->info->v.str);
	for (size_t k = 0; k < f->ntensors; k++)
		mm_suggest_add(&sg, f->tensors[k].name);
	mm_ck_fail(c, MM_ERR_ARG, n->span, "load: %s has no tensor named %s",
	           file, mm_st_shown(nm, n->info->v.str));
	if (mm_suggest_best(&sg))
		mm_diag_hint(c->diag, "did you mean %s? :inspect %s lists them",
		             mm_st_shown(nm, mm_suggest_best(&sg)), file);
	else
		mm_diag_hint(c->diag, "it holds %s; :inspect %s lists them", list,
		             file);
	return NULL;
}

/* load("file.safetensors", "name"): the header read and the tensor
 * planned (as the load will be) now, its bytes when the statement runs. */
static mm_code st_check(mm_checker *c, mm_node *e, load_args *a,
                        const char *path, mm_io_info *info)
{
	int k = mm_ck_key(e, "sep") >= 0 ? mm_ck_key(e, "sep")
	                                 : mm_ck_key(e, "header");
	if (k >= 0)
		return mm_ck_fail(c, MM_ERR_ARG, e->items[k]->span,
		                  "load: sep= and header= are for text files");
	mm_st_file *f;
	mm_code r = mm_st_read(path, &f, c->diag);
	if (r != MM_OK)
		return mm_ck_placed(c, r, e->span);
	const mm_st_tensor *t = st_pick(c, e, f);
	r = t ? mm_st_plan(t, path, &a->o, info, &a->as, c->diag)
	      : c->diag->code;
	if (t && r != MM_OK)
		mm_ck_placed(c, r, e->span);
	if (r == MM_OK) {
		a->tensor = mm_arena_strndup(c->arena, t->name, strlen(t->name));
		info->dtype = load_dtype(info->dtype, a->want, a->asked);
		info->widened |= info->dtype == MM_F64 && t->dtype != MM_ST_F64;
	}
	mm_st_free(f);
	return r;
}

/* Checks load's arguments and resolves its file into *path (malloc'd). */
static mm_code load_args_check(mm_checker *c, mm_node *e, load_args *a,
                               char **path)
{
	mm_node *p = e->items[0];
	mm_code r;
	if (p->info->v.kind != MM_K_STRING)
		return mm_ck_fail(c, MM_ERR_TYPE, p->span,
		            "load: the file name must be a string in quotes");
	a->o.max_bytes = c->opts.memlimit;
	if ((r = load_opts(c, e, a)) != MM_OK)
		return r;
	*path = mm_path_open_name(p->info->v.str, c->opts.base_dir, c->opts.root,
	                          NULL, c->diag);
	if (!*path)
		return mm_ck_placed(c, c->diag->code, p->span);
	a->st = mm_path_has_ext(*path, ".safetensors");
	a->csv = is_csv(*path);
	if (!a->st && !a->csv && !mm_path_has_ext(*path, ".npy"))
		r = mm_ck_fail(c, MM_ERR_ARG, p->span,
		               "load: the name must end in .npy, .safetensors, "
		               ".csv, .tsv or .txt");
	else if (!a->st && mm_ck_npos(e) > 1)
		r = mm_ck_fail(c, MM_ERR_ARG, e->items[1]->span,
		               "load: a tensor name is for .safetensors files; "
		               "this file holds one array");
	if (r != MM_OK) {
		free(*path);
		*path = NULL;
		return r;
	}
	if (a->csv && !a->o.sep && mm_path_has_ext(*path, ".tsv"))
		a->o.sep = '\t';
	return MM_OK;
}

/* What the statement's report says of the file. */
static void load_note(mm_checker *c, mm_info *i, const load_args *a,
                      const mm_io_info *info)
{
	char note[160];
	if (a->csv)
		snprintf(note, sizeof note, "loaded from text");
	else
		snprintf(note, sizeof note, "loaded from %s%s%s", info->file_dtype,
		         info->widened ? ", widened" : "",
		         info->fortran_order ? ", Fortran order" : "");
	i->note = mm_arena_strndup(c->arena, note, strlen(note));
}

/* load("file.npy" | "file.csv" | "file.safetensors", ["tensor"], sep=,
 * header=, dtype=). A regular file's shape is read when checked (a .npy
 * or .safetensors header, or one bounded-memory scan of the text), its
 * data only when the statement runs: shape(load("a 1 GiB file")) reads a
 * few hundred bytes. Anything else (a pipe) can be read once only, so it
 * is read now (a .safetensors file must be a regular file). */
mm_code mm_fn_load_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_code r;
	load_args *a = mm_arena_alloc(c->arena, sizeof *a);
	if (!a)
		return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
	memset(a, 0, sizeof *a);
	char *path;
	if ((r = load_args_check(c, e, a, &path)) != MM_OK)
		return r;
	i->fn_data = a;
	i->path = mm_arena_strndup(c->arena, path, strlen(path));
	struct stat st;
	bool regular = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	mm_io_info info = {0};
	mm_tensor *t = NULL;
	if (a->st) {
		r = st_check(c, e, a, path, &info);
	} else if (regular) {
		r = a->csv ? mm_csv_scan(path, &a->o, &info, c->diag)
		           : mm_npy_read_header(path, &a->o, &info, c->diag);
		mm_dtype dt = load_dtype(info.dtype, a->want, a->asked);
		info.widened |= dt == MM_F64 && info.dtype != MM_F64;
		info.dtype = a->as = dt;
	} else {
		t = load_now(path, a, &info, &a->as, c->diag);
		r = t ? MM_OK : c->diag->code;
		if (t) {
			info.dtype = t->dtype;
			info.ndim = t->ndim;
			memcpy(info.shape, t->shape, (size_t)t->ndim * sizeof t->shape[0]);
		}
	}
	free(path);
	if (r != MM_OK)
		return a->st ? r : mm_ck_placed(c, r, e->span);
	mm_shape s = mm_shape_make(info.ndim, info.shape);
	mm_dtype label = !a->asked && a->st ? a->as : info.dtype;
	if (a->want != MM_F64 && a->want != MM_F32)
		label = a->want;
	mm_ck_set_tensor(i, &s, label, true);
	if (t) {
		i->value = t;
		c->nvalues++;
	}
	mm_ck_set_leaf(c, i);
	i->data = true;
	i->cls = MM_C_DATA;
	load_note(c, i, a, &info);
	return MM_OK;
}

/* Reads the data of a file whose shape was read when checked; a file
 * changed in between is an error, not a different answer. */
mm_tensor *mm_fn_load_eval(mm_evaluator *ev, mm_node *e)
{
	mm_info *i = e->info;
	if (i->value)
		return mm_tensor_ref(i->value);
	const load_args *a = i->fn_data;
	mm_io_info info = {0};
	mm_dtype as = a->as;
	mm_tensor *t = load_now(i->path, a, &info, &as, ev->diag);
	if (!t)
		return NULL;
	const mm_shape *s = &i->v.shape;
	bool same = t->ndim == s->ndim && (!a->st || as == a->as) &&
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
	char *path = mm_path_open_name(p->info->v.str, c->opts.base_dir,
	                               c->opts.root, NULL, c->diag);
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

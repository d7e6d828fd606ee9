/* fuzz-sandbox.h — the box fuzz-parse and fuzz-eval run every input in,
 * so that every command and function can be fuzzed: a private temporary
 * directory holding small fixture files (.npy of several dtypes, CSV,
 * .safetensors, config.json, scripts, symbolic links leading out), to
 * which the session's files are confined (mm_session_set_root), and caps
 * on memory, threads and benchmark work, with fixed host figures so that
 * nothing calibrates the machine.
 *
 * Layout, made once per process (mkdtemp):
 *   TOP/outside.npy   a canary beside the box: it must never change
 *   TOP/box/          the session's root and its relative names' start
 *     f2.npy ... b1.npy, empty.npy, scalar.npy, fortran.npy, be.npy,
 *     a.csv, layer.safetensors, mixed.safetensors, config.json,
 *     gpt2.json, s.mm, loop.mm (sources itself), big.mm (over the
 *     script cap), sub/t.mm, and the links escape.npy -> ../outside.npy,
 *     up -> .., dangling.npy -> nowhere.npy
 * After an input that changed the box (a save: its directory's time
 * changes), the box is made again, so every input starts from the same
 * files. After every input the canary and TOP are checked: a change
 * means a file was written outside the box, and aborts. */
#ifndef MMCALC_FUZZ_SANDBOX_H
#define MMCALC_FUZZ_SANDBOX_H

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmcalc/device.h"
#include "mmcalc/model.h"
#include "mmcalc/session.h"

#ifndef FZ_DATA
#error "FZ_DATA: the directory of the test data (tests/data)"
#endif
#ifndef FZ_MODELS
#error "FZ_MODELS: the directory of the model presets"
#endif

/* What a fuzz input may use: 1 MiB, 2 threads, 3 timed runs with no
 * warm-up beyond one run, 64 KiB scripts. */
#define FZ_MEMLIMIT ((uint64_t)1 << 20)
#define FZ_THREADS 2
#define FZ_BENCH 3
#define FZ_SCRIPT ((size_t)64 << 10)

typedef struct fz_box {
	char top[200], box[208], sub[216], canary[216];
	struct timespec box_t, sub_t, top_t, canary_t;
	bool ready;
} fz_box;

static fz_box fz_the_box;

static void fz_die(const char *what, const char *path)
{
	fprintf(stderr, "fuzz sandbox: %s %s\n", what, path);
	abort();
}

static void fz_write(const char *dir, const char *name, const void *p,
                     size_t n)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0)
		fz_die("cannot write", path);
}

static void fz_copy(const char *dir, const char *name, const char *from)
{
	char src[512];
	static char buf[8192];
	snprintf(src, sizeof src, "%s/%s", FZ_DATA, from);
	FILE *f = fopen(src, "rb");
	size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
	if (!f || ferror(f) || !feof(f))
		fz_die("cannot read (or over 8 KiB)", src);
	fclose(f);
	fz_write(dir, name, buf, n);
}

/* Everything in dir (and in its subdirectories) removed; dir stays. */
static void fz_empty(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		fz_die("cannot list", dir);
	for (struct dirent *e; (e = readdir(d));) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) == 0)
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		fz_empty(path);
		if (rmdir(path) != 0)
			fz_die("cannot remove", path);
	}
	closedir(d);
}

static struct timespec fz_mtime(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		fz_die("missing", path);
	return st.st_mtim;
}

static bool fz_same(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static void fz_fill(fz_box *b)
{
	static const struct {
		const char *name, *from;
	} copies[] = {
		{"f2.npy", "enc_f2.npy"}, {"f4.npy", "enc_f4.npy"},
		{"f8.npy", "enc_f8.npy"}, {"i4.npy", "enc_i4.npy"},
		{"i8.npy", "enc_i8.npy"}, {"i1.npy", "io_i1.npy"},
		{"u1.npy", "io_u1.npy"}, {"b1.npy", "io_b1.npy"},
		{"i2be.npy", "io_i2_be.npy"}, {"empty.npy", "io_empty_f8.npy"},
		{"scalar.npy", "enc_scalar_f8.npy"},
		{"fortran.npy", "enc_fortran_f8.npy"},
		{"be.npy", "enc_bigendian_f8.npy"}, {"a.csv", "enc.csv"},
		{"layer.safetensors", "st_layer.safetensors"},
		{"mixed.safetensors", "st_mixed.safetensors"},
		{"config.json", "hf/Llama-2-7b-hf.config.json"},
		{"gpt2.json", "hf/gpt2.config.json"},
	};
	for (size_t k = 0; k < sizeof copies / sizeof copies[0]; k++)
		fz_copy(b->box, copies[k].name, copies[k].from);
	static const char s[] = "u = [1, 2, 3]\nU = u * 2\n";
	static const char loop[] = "n_loop = 1\n:source loop.mm\n";
	static const char t[] = ":source ../s.mm\nT = U + 1\n";
	fz_write(b->box, "s.mm", s, sizeof s - 1);
	fz_write(b->box, "loop.mm", loop, sizeof loop - 1);
	fz_write(b->sub, "t.mm", t, sizeof t - 1);
	static char big[FZ_SCRIPT + 2];
	memset(big, '\n', sizeof big);
	fz_write(b->box, "big.mm", big, sizeof big);
	char path[600];
	snprintf(path, sizeof path, "%s/escape.npy", b->box);
	if (symlink("../outside.npy", path) != 0)
		fz_die("cannot link", path);
	snprintf(path, sizeof path, "%s/up", b->box);
	if (symlink("..", path) != 0)
		fz_die("cannot link", path);
	snprintf(path, sizeof path, "%s/dangling.npy", b->box);
	if (symlink("nowhere.npy", path) != 0)
		fz_die("cannot link", path);
	b->sub_t = fz_mtime(b->sub);
	b->box_t = fz_mtime(b->box);
}

/* At exit: the whole temporary directory removed. */
static void fz_box_remove(void)
{
	fz_box *b = &fz_the_box;
	if (!b->ready)
		return;
	fz_empty(b->top);
	rmdir(b->top);
}

/* The box, made on the first call (and removed at exit). */
static fz_box *fz_box_get(void)
{
	fz_box *b = &fz_the_box;
	if (b->ready)
		return b;
	const char *tmp = getenv("TMPDIR");
	snprintf(b->top, sizeof b->top, "%s/mmcalc-fuzz-XXXXXX",
	         tmp && *tmp && strlen(tmp) < 150 ? tmp : "/tmp");
	if (!mkdtemp(b->top))
		fz_die("cannot make", b->top);
	if ((size_t)snprintf(b->box, sizeof b->box, "%s/box", b->top) >=
	            sizeof b->box ||
	    (size_t)snprintf(b->sub, sizeof b->sub, "%s/sub", b->box) >=
	            sizeof b->sub ||
	    (size_t)snprintf(b->canary, sizeof b->canary, "%s/outside.npy",
	                     b->top) >= sizeof b->canary)
		fz_die("too long a name:", b->top);
	if (mkdir(b->box, 0700) != 0 || mkdir(b->sub, 0700) != 0)
		fz_die("cannot make", b->box);
	fz_copy(b->top, "outside.npy", "enc_f4.npy");
	fz_fill(b);
	b->canary_t = fz_mtime(b->canary);
	b->top_t = fz_mtime(b->top);
	if (!mm_model_set_path(FZ_MODELS))
		fz_die("out of memory", "");
	b->ready = true;
	atexit(fz_box_remove);
	return b;
}

/* After an input: the box made again if it changed; abort if anything
 * outside it did. */
static void fz_box_check(fz_box *b)
{
	if (!fz_same(fz_mtime(b->canary), b->canary_t) ||
	    !fz_same(fz_mtime(b->top), b->top_t))
		fz_die("a file outside the box changed:", b->top);
	if (fz_same(fz_mtime(b->box), b->box_t) &&
	    fz_same(fz_mtime(b->sub), b->sub_t))
		return;
	fz_empty(b->box);
	if (mkdir(b->sub, 0700) != 0)
		fz_die("cannot make", b->sub);
	fz_fill(b);
}

/* A session confined to the box, with the caps above and a fixed host. */
static mm_session *fz_session(fz_box *b)
{
	mm_session *s = mm_session_new();
	if (!s)
		return NULL;
	mm_diag d;
	if (mm_session_set_root(s, b->box, &d) != MM_OK)
		fz_die("cannot confine to", b->box);
	mm_session_caps caps = {.memlimit = FZ_MEMLIMIT, .threads = FZ_THREADS,
	                        .bench_runs = FZ_BENCH, .warmup_s = 1e-9,
	                        .script_bytes = FZ_SCRIPT};
	mm_session_set_caps(s, &caps);
	mm_host_calib c = {.peak_f32 = 1e11, .peak_f64 = 5e10, .peak_bf16 = 2e11,
	                   .peak_i8 = 4e11, .transcendental = 1e9, .bw = 5e10,
	                   .threads = FZ_THREADS, .isa = "fixed",
	                   .cpu = "the fuzzer's fixed host"};
	mm_device dev;
	mm_device_from_calib(&dev, &c);
	snprintf(dev.source, sizeof dev.source, "fixed by the fuzzer");
	mm_session_set_host(s, &dev);
	return s;
}

#endif

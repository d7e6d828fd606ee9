/* bench-load.c — .npy load throughput against plain read(): a 256 MiB f32
 * file in /tmp (4 MiB with --quick), page-cached, loaded alternately by
 * mmcalc's loader (allocation included) and read like `cat FILE >
 * /dev/null` (128 KiB reads into one reused buffer); best of N each, in
 * MB/s (10^6 bytes), and their ratio. Also shown: read() into a freshly
 * allocated buffer of the file's size, which pays the same page faults as
 * the loader. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mmcalc/npy.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *alloc64(void *ctx, mm_dtype dtype, int ndim, const int64_t *shape,
                     mm_diag *d)
{
	(void)ctx;
	size_t n = dtype == MM_F64 ? 8 : 4;
	for (int i = 0; i < ndim; i++)
		n *= (size_t)shape[i];
	void *p = aligned_alloc(64, (n + 63) / 64 * 64);
	if (!p)
		mm_diag_set(d, MM_ERR_NOMEM, (mm_span){0, 0}, "out of memory");
	return p;
}

/* `cat FILE > /dev/null`: 128 KiB reads into one buffer. */
static double read_cat(const char *path, size_t *bytes)
{
	static char buf[128 << 10];
	double t = now();
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t k;
	size_t n = 0;
	while ((k = read(fd, buf, sizeof buf)) > 0)
		n += (size_t)k;
	close(fd);
	*bytes = n;
	return now() - t;
}

/* read() of the whole file into a new buffer of its size. */
static double read_fresh(const char *path, size_t size)
{
	double t = now();
	int fd = open(path, O_RDONLY);
	char *p = aligned_alloc(64, (size + 63) / 64 * 64);
	if (fd < 0 || !p)
		return -1;
	size_t n = 0;
	ssize_t k;
	while (n < size && (k = read(fd, p + n, size - n)) > 0)
		n += (size_t)k;
	close(fd);
	t = now() - t;
	free(p);
	return t;
}

static double load(const char *path, bool *ok)
{
	mm_io_load_opts o;
	memset(&o, 0, sizeof o);
	o.alloc = alloc64;
	mm_io_info info;
	mm_diag d;
	double t = now();
	mm_code c = mm_npy_load(path, &o, &info, &d);
	t = now() - t;
	if (c) {
		fprintf(stderr, "bench-load: %s\n", d.message);
		*ok = false;
		return -1;
	}
	const float *f = info.data;
	int64_t n = info.shape[0];
	if (f[0] != 0.0f || f[n - 1] != (float)((n - 1) % 1000))
		*ok = false;
	free(info.data);
	return t;
}

int main(int argc, char **argv)
{
	bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
	int64_t n = quick ? (int64_t)1 << 20 : (int64_t)64 << 20; /* floats */
	int reps = quick ? 3 : 9;
	char path[] = "/tmp/mmcalc-bench-load-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		return 1;
	}
	close(fd);
	float *x = malloc((size_t)n * sizeof *x);
	if (!x)
		return 1;
	for (int64_t i = 0; i < n; i++)
		x[i] = (float)(i % 1000);
	mm_diag d;
	if (mm_npy_save(path, MM_F32, 1, &n, x, &d)) {
		fprintf(stderr, "bench-load: %s\n", d.message);
		unlink(path);
		return 1;
	}
	free(x);
	struct stat st;
	stat(path, &st);
	size_t size = (size_t)st.st_size, got = 0;
	read_cat(path, &got); /* into the page cache */
	double best_cat = 1e9, best_load = 1e9, best_fresh = 1e9;
	bool ok = true;
	for (int r = 0; r < reps && ok; r++) {
		double t = read_cat(path, &got);
		if (t >= 0 && t < best_cat)
			best_cat = t;
		t = load(path, &ok);
		if (t >= 0 && t < best_load)
			best_load = t;
		t = read_fresh(path, size);
		if (t >= 0 && t < best_fresh)
			best_fresh = t;
	}
	unlink(path);
	if (!ok || got != size) {
		fprintf(stderr, "bench-load: the load failed or read wrong values\n");
		return 1;
	}
	double mb = (double)size / 1e6;
	printf("file: %.1f MB f32 .npy, cached, best of %d\n", mb, reps);
	printf("cat-like read (128 KiB reads):  %8.0f MB/s\n", mb / best_cat);
	printf("read into a fresh buffer:       %8.0f MB/s\n", mb / best_fresh);
	printf("mm_npy_load (alloc included):   %8.0f MB/s\n", mb / best_load);
	printf("ratio load / cat: %.2f (target >= 0.50)\n", best_cat / best_load);
	return 0;
}

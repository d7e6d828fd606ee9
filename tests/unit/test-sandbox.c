/* test-sandbox.c — a session confined for running someone else's text
 * (session.h): paths beneath a root (path.h's mm_path_confine), and the
 * caps on memory, threads, benchmarks and scripts, and a fixed host. Each
 * test works in a fresh temporary directory holding the root "box" and,
 * beside it, files that must stay out of reach. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mmcalc/device.h"
#include "mmcalc/path.h"
#include "mmcalc/session.h"

static char top[64], box[96], root[4096];
static mm_session *s;

typedef struct capture {
	int errors;
	char err[1024], text[4096];
} capture;
static capture cap;

static void grab(void *ctx, const mm_result *r)
{
	capture *c = ctx;
	if (r->kind == MM_R_ERROR) {
		c->errors++;
		snprintf(c->err, sizeof c->err, "%s", r->diag->message);
	} else {
		snprintf(c->text, sizeof c->text, "%s", r->text);
	}
}

static int run(const char *line)
{
	memset(&cap, 0, sizeof cap);
	return mm_session_run(s, "<test>", 1, line, strlen(line), grab, &cap);
}

static void put(const char *dir, const char *name, const char *text)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static bool exists(const char *dir, const char *name)
{
	char p[256];
	struct stat st;
	snprintf(p, sizeof p, "%s/%s", dir, name);
	return lstat(p, &st) == 0;
}

static void link_at(const char *target, const char *name)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", box, name);
	ck_assert_int_eq(symlink(target, p), 0);
}

static void setup(void)
{
	snprintf(top, sizeof top, "/tmp/mm-sandbox-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(top));
	snprintf(box, sizeof box, "%s/box", top);
	ck_assert_int_eq(mkdir(box, 0700), 0);
	char sub[128];
	snprintf(sub, sizeof sub, "%s/sub", box);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	ck_assert_ptr_nonnull(realpath(box, root));
	put(top, "secret.csv", "1,2\n");
	put(top, "out.mm", "leaked = 1\n");
	put(box, "a.csv", "1,2\n3,4\n");
	put(box, "s.mm", "from_script = 7\n");
	put(sub, "t.mm", ":source ../s.mm\n");
	link_at("../secret.csv", "escape.csv");
	link_at("..", "up");
	link_at("sub", "down");
	link_at("nowhere.npy", "dangling.npy");
	s = mm_session_new();
	ck_assert_ptr_nonnull(s);
	mm_diag d;
	ck_assert_int_eq(mm_session_set_root(s, box, &d), MM_OK);
}

static void teardown(void)
{
	mm_session_free(s);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
	ck_assert_int_eq(system(cmd), 0);
}

/* The path layer on its own: what it says and what the system makes of
 * it. */
START_TEST(confine_paths)
{
	mm_diag d;
	char p[4200];
	static const char *const inside[] = {
		"a.csv", "sub/t.mm", "sub/../a.csv", "new.npy", "sub/new.npy",
		"down/t.mm", "down/new.npy", ".", "sub/none/../t.mm",
	};
	for (size_t k = 0; k < sizeof inside / sizeof *inside; k++) {
		snprintf(p, sizeof p, "%s/%s", root, inside[k]);
		ck_assert_msg(mm_path_confine(root, p, &d) == MM_OK, "%s: %s",
		              inside[k], d.message);
	}
	static const char *const outside[] = {
		"..", "../secret.csv", "sub/../../secret.csv", "escape.csv",
		"up/secret.csv", "up/box/../secret.csv", "dangling.npy", "up",
		"sub/none/../../../secret.csv",
	};
	for (size_t k = 0; k < sizeof outside / sizeof *outside; k++) {
		snprintf(p, sizeof p, "%s/%s", root, outside[k]);
		ck_assert_msg(mm_path_confine(root, p, &d) == MM_ERR_IO, "%s",
		              outside[k]);
		ck_assert_msg(strstr(d.message, root) != NULL, "%s", d.message);
	}
	ck_assert_int_eq(mm_path_confine(root, "/etc/passwd", &d), MM_ERR_IO);
	ck_assert_int_eq(mm_path_confine(root, "/", &d), MM_ERR_IO);
	/* a root that is a prefix of a name is not its parent */
	snprintf(p, sizeof p, "%s2/x", root);
	ck_assert_int_eq(mm_path_confine(root, p, &d), MM_ERR_IO);
	/* "/" as the root holds everything */
	ck_assert_int_eq(mm_path_confine("/", "/etc/passwd", &d), MM_OK);
	ck_assert_int_eq(mm_path_confine("/", "/no-such-dir/new", &d), MM_OK);
	/* relative paths are to the current directory */
	char cwd[4096];
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
	ck_assert_int_eq(chdir(box), 0);
	ck_assert_int_eq(mm_path_confine(root, "sub/t.mm", &d), MM_OK);
	ck_assert_int_eq(mm_path_confine(root, "../secret.csv", &d), MM_ERR_IO);
	ck_assert_int_eq(chdir(cwd), 0);
	ck_assert_ptr_null(mm_path_root("/nonexistent/dir", &d));
	ck_assert_int_eq(d.code, MM_ERR_IO);
	snprintf(p, sizeof p, "%s/a.csv", box);
	ck_assert_ptr_null(mm_path_root(p, &d));
	ck_assert_msg(strstr(d.message, "not a directory") != NULL, "%s",
	              d.message);
}
END_TEST

/* Every statement that names a file: inside works (relative names start
 * at the root), outside is refused, nothing is written outside. */
START_TEST(session_files)
{
	ck_assert_int_eq(run("load(\"a.csv\")"), 0);
	ck_assert_int_eq(run("save(\"sub/b.npy\", [1, 2])"), 0);
	ck_assert(exists(box, "sub/b.npy"));
	ck_assert_int_eq(run("load(\"down/b.npy\")"), 0);
	ck_assert_int_eq(run(":source sub/t.mm"), 0);
	ck_assert_int_eq(run("from_script"), 0);
	static const char *const refused[] = {
		"load(\"../secret.csv\")",
		"load(\"escape.csv\")",
		"load(\"up/secret.csv\")",
		"load(\"/etc/passwd.csv\")",
		"save(\"../new.npy\", [1])",
		"save(\"up/new.npy\", [1])",
		"save(\"dangling.npy\", [1])",
		":source ../out.mm",
		":source up/out.mm",
		":source /dev/zero",
		":inspect ../x.safetensors",
		":model ../config.json",
		":roofline [1] @ [1] plot=\"../r.svg\"",
		":sweep n = 2..4 x2: (n x n) @ (n x n) plot=\"up/s.svg\"",
	};
	for (size_t k = 0; k < sizeof refused / sizeof *refused; k++) {
		ck_assert_msg(run(refused[k]) == 1, "%s was not refused",
		              refused[k]);
		ck_assert_msg(strstr(cap.err, "the only directory this session "
		                     "may use") != NULL, "%s: %s", refused[k],
		              cap.err);
	}
	ck_assert(!exists(top, "new.npy"));
	ck_assert(!exists(top, "r.svg"));
	ck_assert(!exists(top, "s.svg"));
	ck_assert(!exists(box, "nowhere.npy"));
	ck_assert_int_eq(run("leaked"), 1);
	/* lifted: the same names work again (relative to the current
	 * directory once more) */
	mm_diag d;
	ck_assert_int_eq(mm_session_set_root(s, NULL, &d), MM_OK);
	char p[256];
	snprintf(p, sizeof p, "load(\"%s/secret.csv\")", top);
	ck_assert_int_eq(run(p), 0);
	/* a root that does not exist leaves the session as it was */
	ck_assert_int_eq(mm_session_set_root(s, "/nonexistent/dir", &d),
	                 MM_ERR_IO);
	ck_assert_int_eq(run(p), 0);
}
END_TEST

/* A script that sources itself stops at the depth limit inside a box. */
START_TEST(session_source_loop_and_cap)
{
	put(box, "loop.mm", ":source loop.mm\n");
	ck_assert_int_eq(run(":source loop.mm"), 1);
	ck_assert_msg(strstr(cap.err, "deep") != NULL, "%s", cap.err);
	char big[3000];
	memset(big, '\n', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	put(box, "big.mm", big);
	mm_session_caps caps = {.script_bytes = 2048};
	mm_session_set_caps(s, &caps);
	ck_assert_int_eq(run(":source big.mm"), 1);
	ck_assert_msg(strstr(cap.err, "2 KiB") != NULL, "%s", cap.err);
	ck_assert_int_eq(run(":source s.mm"), 0);
}
END_TEST

START_TEST(caps_memlimit_threads_bench)
{
	mm_session_caps caps = {.memlimit = 1 << 20, .threads = 1,
	                        .bench_runs = 2, .warmup_s = 1e-9};
	mm_session_set_caps(s, &caps);
	ck_assert_int_eq(run(":set memlimit"), 0);
	ck_assert_msg(strstr(cap.text, "1 MiB") != NULL, "%s", cap.text);
	ck_assert_int_eq(run(":set memlimit 2MiB"), 1);
	ck_assert_msg(strstr(cap.err, "capped at 1 MiB") != NULL, "%s", cap.err);
	ck_assert_int_eq(run(":set memlimit 512kB"), 0);
	ck_assert_int_eq(run("randn(512, 512)"), 1); /* 1 MiB > 512 kB */
	ck_assert_int_eq(run(":set memlimit 1MiB"), 0);
	ck_assert_int_eq(run(":threads 2"), 1);
	ck_assert_msg(strstr(cap.err, "capped at 1") != NULL, "%s", cap.err);
	ck_assert_int_eq(run(":threads 1"), 0);
	ck_assert_int_eq(run(":bench [1] @ [1] 3"), 1);
	ck_assert_msg(strstr(cap.err, "1 to 2") != NULL, "%s", cap.err);
	ck_assert_int_eq(run(":roofline [1] @ [1] bench=3"), 1);
	ck_assert_int_eq(run(":device custom peak=1T bw=1T"), 0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int k = 0; k < 20; k++)
		ck_assert_int_eq(run(":bench [1] @ [1] 2"), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* 20 benchmarks with the default warm-up take 0.4 s at least */
	double sec = (double)(t1.tv_sec - t0.tv_sec) +
	             (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
	ck_assert_msg(sec < 0.3, "%g s: the warm-up was not capped", sec);
}
END_TEST

/* With fixed figures, `host` is never measured. */
START_TEST(fixed_host)
{
	mm_host_calib c = {.peak_f32 = 1e11, .peak_f64 = 5e10, .peak_bf16 = 2e11,
	                   .peak_i8 = 4e11, .transcendental = 1e9, .bw = 5e10,
	                   .threads = 1, .isa = "test", .cpu = "test"};
	mm_device dev;
	mm_device_from_calib(&dev, &c);
	snprintf(dev.source, sizeof dev.source, "given by the test");
	mm_session_set_host(s, &dev);
	ck_assert_int_eq(run(":device host recalibrate"), 0);
	ck_assert_msg(strstr(cap.text, "given by the test") != NULL, "%s",
	              cap.text);
	ck_assert_msg(strstr(cap.text, "f32 100 GFLOP/s") != NULL, "%s",
	              cap.text);
	/* 2·64³ FLOPs at 100 GFLOP/s: 5.243 µs, whatever this machine does */
	ck_assert_int_eq(run("time((64 x 64) @ (64 x 64))"), 0);
	ck_assert_msg(strstr(cap.text, "5.243 µs") != NULL, "%s", cap.text);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("sandbox");
	TCase *tc = tcase_create("sandbox");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, confine_paths);
	tcase_add_test(tc, session_files);
	tcase_add_test(tc, session_source_loop_and_cap);
	tcase_add_test(tc, caps_memlimit_threads_bench);
	tcase_add_test(tc, fixed_host);
	suite_add_tcase(su, tc);
	SRunner *sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* test-io.c — unit tests of src/io/io.c and src/io/save.c: bounded
 * reading of scripts and lines, sizes as typed, what atomic saving may
 * replace (write-protected files, symbolic links, devices), temporary
 * files on signals, and private files. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mmcalc/interrupt.h"
#include "mmcalc/io.h"
#include "mmcalc/npy.h"

static char tmpdir[256];

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/mmcalc-test-io-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

/* Removes tmpdir and everything in it (one level of subdirectories). */
static void remove_tree(const char *top)
{
	DIR *dir = opendir(top);
	if (!dir)
		return;
	struct dirent *e;
	char p[1024];
	while ((e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof p, "%s/%s", top, e->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			chmod(p, 0700);
			remove_tree(p);
		} else {
			unlink(p);
		}
	}
	closedir(dir);
	rmdir(top);
}

static void remove_tmpdir(void) { remove_tree(tmpdir); }

/* Entries of dir other than . and .., hidden ones included. */
static int count_in(const char *d)
{
	DIR *dir = opendir(d);
	int n = 0;
	struct dirent *e;
	while (dir && (e = readdir(dir)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (dir)
		closedir(dir);
	return n;
}

static int count_files(void) { return count_in(tmpdir); }

static void in_tmp(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", tmpdir, name);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static bool file_is(const char *path, const char *text)
{
	char buf[256] = {0};
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	return n == strlen(text) && memcmp(buf, text, n) == 0;
}

static mm_code save_text(const char *path, const char *text, mm_diag *d)
{
	mm_io_atomic w;
	mm_code c = mm_io_atomic_open(&w, path, d);
	if (c != MM_OK)
		return c;
	c = mm_io_atomic_write(&w, text, strlen(text), d);
	if (c != MM_OK) {
		mm_io_atomic_abort(&w);
		return c;
	}
	return mm_io_atomic_commit(&w, d);
}

/* ---- scripts ---- */

START_TEST(read_text_bounded)
{
	make_tmpdir();
	char p[600];
	in_tmp(p, sizeof p, "s.mm");
	write_text(p, "a = 1\nb = 2\n");
	char *t;
	size_t n;
	mm_diag d;
	ck_assert_int_eq(mm_io_read_text(p, 0, &t, &n, &d), MM_OK);
	ck_assert_uint_eq(n, 12);
	ck_assert_str_eq(t, "a = 1\nb = 2\n");
	free(t);
	/* over the limit: refused from the size, nothing read */
	ck_assert_int_eq(mm_io_read_text(p, 11, &t, &n, &d), MM_ERR_LIMIT);
	ck_assert_ptr_null(t);
	ck_assert_ptr_nonnull(strstr(d.message, "11 B"));
	ck_assert_int_eq(mm_io_read_text(p, 12, &t, &n, &d), MM_OK);
	free(t);
	/* devices never end, or are not scripts */
	ck_assert_int_eq(mm_io_read_text("/dev/zero", 0, &t, &n, &d), MM_ERR_IO);
	ck_assert_ptr_nonnull(strstr(d.message, "device"));
	ck_assert_int_eq(mm_io_read_text("/dev/null", 0, &t, &n, &d), MM_ERR_IO);
	ck_assert_int_eq(mm_io_read_text(tmpdir, 0, &t, &n, &d), MM_ERR_IO);
	ck_assert_ptr_nonnull(strstr(d.message, "directory"));
	in_tmp(p, sizeof p, "missing.mm");
	ck_assert_int_eq(mm_io_read_text(p, 0, &t, &n, &d), MM_ERR_IO);
	ck_assert_ptr_nonnull(strstr(d.message, strerror(ENOENT)));
	remove_tmpdir();
}
END_TEST

/* A FIFO whose writer sends more than the limit and never stops: the
 * read stops at the limit with memory bounded by it. */
START_TEST(read_text_endless_pipe)
{
	make_tmpdir();
	char p[600];
	in_tmp(p, sizeof p, "fifo");
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open(p, O_WRONLY);
		char buf[65536];
		memset(buf, 'x', sizeof buf);
		for (;;)
			if (write(fd, buf, sizeof buf) < 0)
				_exit(0);
	}
	char *t;
	size_t n;
	mm_diag d;
	ck_assert_int_eq(mm_io_read_text(p, (size_t)1 << 20, &t, &n, &d),
	                 MM_ERR_LIMIT);
	ck_assert_ptr_null(t);
	ck_assert_ptr_nonnull(strstr(d.message, "1 MiB"));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	remove_tmpdir();
}
END_TEST

/* Ctrl-C while a FIFO's writer is silent. */
START_TEST(read_text_interrupted)
{
	make_tmpdir();
	char p[600];
	in_tmp(p, sizeof p, "fifo");
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[1]);
		int fd = open(p, O_WRONLY);
		char c;
		ssize_t r = read(fds[0], &c, 1); /* until the parent is done */
		(void)r;
		close(fd);
		_exit(0);
	}
	mm_interrupt_request();
	char *t;
	size_t n;
	mm_diag d;
	ck_assert_int_eq(mm_io_read_text(p, 0, &t, &n, &d), MM_ERR_INTERRUPTED);
	mm_interrupt_clear();
	close(fds[1]);
	waitpid(pid, NULL, 0);
	remove_tmpdir();
}
END_TEST

/* ---- lines ---- */

/* A child writes text into a pipe (then, with endless, 'x' forever);
 * returns the read end. */
static int feed(const char *text, size_t len, bool endless, pid_t *pid)
{
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	*pid = fork();
	ck_assert_int_ge(*pid, 0);
	if (*pid == 0) {
		close(fds[0]);
		size_t done = 0;
		while (done < len) {
			ssize_t k = write(fds[1], text + done, len - done);
			if (k <= 0)
				_exit(1);
			done += (size_t)k;
		}
		char buf[65536];
		memset(buf, 'x', sizeof buf);
		while (endless)
			if (write(fds[1], buf, sizeof buf) < 0)
				_exit(0);
		_exit(0);
	}
	close(fds[1]);
	return fds[0];
}

START_TEST(lines_basic_and_too_long)
{
	char text[64];
	snprintf(text, sizeof text, "a\n\nbb\n%s\nccc\ndd", "0123456789");
	pid_t pid;
	int fd = feed(text, strlen(text), false, &pid);
	mm_io_lines l;
	mm_io_lines_init(&l, fd, "<stdin>", 5);
	const char *s;
	size_t n;
	mm_diag d;
	ck_assert_int_eq(mm_io_lines_next(&l, &s, &n, &d), 1);
	ck_assert_uint_eq(n, 1);
	ck_assert(!memcmp(s, "a", 1));
	ck_assert_int_eq(mm_io_lines_next(&l, &s, &n, &d), 1);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(mm_io_lines_next(&l, &s, &n, &d), 1);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(l.lineno, 3);
	ck_assert_int_eq(mm_io_lines_next(&l, &s, &n, &d), -1);
	ck_assert_int_eq(d.code, MM_ERR_LIMIT);
	ck_assert_int_eq(l.lineno, 4);
	ck_assert_ptr_nonnull(strstr(d.message, "line 4"));
	ck_assert_int_eq(mm_io_lines_next(&l, &s, &n, &d), 1);
	ck_assert_uint_eq(n, 3);
	ck_assert(!memcmp(s, "ccc", 3));
	ck_assert_int_eq(mm_io_lines_next(&l, &s, &n, &d), 1); /* no '\n' */
	ck_assert_uint_eq(n, 2);
	ck_assert(!memcmp(s, "dd", 2));
	ck_assert_int_eq(l.lineno, 6);
	ck_assert_int_eq(mm_io_lines_next(&l, &s, &n, &d), 0);
	ck_assert_int_eq(mm_io_lines_next(&l, &s, &n, &d), 0);
	mm_io_lines_free(&l);
	close(fd);
	waitpid(pid, NULL, 0);
}
END_TEST

static void on_alarm(int sig)
{
	(void)sig;
	mm_interrupt_request();
}

/* A line that never ends (a writer of 'x' forever): the reader keeps
 * reading past it in bounded memory until Ctrl-C. */
START_TEST(lines_endless_line_bounded)
{
	pid_t pid;
	int fd = feed("ok\n", 3, true, &pid);
	mm_io_lines l;
	mm_io_lines_init(&l, fd, "<stdin>", (size_t)1 << 20);
	const char *s;
	size_t n;
	mm_diag d;
	ck_assert_int_eq(mm_io_lines_next(&l, &s, &n, &d), 1);
	/* Ctrl-C a second later, from a timer (no SA_RESTART, as the CLI's
	 * handlers). */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	ck_assert_int_eq(mm_io_lines_next(&l, &s, &n, &d), -1);
	ck_assert_int_eq(d.code, MM_ERR_INTERRUPTED);
	ck_assert_uint_le(l.cap, ((size_t)1 << 20) + (64 << 10));
	mm_interrupt_clear();
	mm_io_lines_free(&l);
	close(fd);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
END_TEST

/* ---- sizes ---- */

START_TEST(parse_size)
{
	uint64_t v;
	mm_diag d;
	ck_assert_int_eq(mm_io_parse_size("4GiB", "memlimit", &v, &d), MM_OK);
	ck_assert_uint_eq(v, (uint64_t)4 << 30);
	ck_assert_int_eq(mm_io_parse_size("512 MiB", NULL, &v, &d), MM_OK);
	ck_assert_uint_eq(v, (uint64_t)512 << 20);
	ck_assert_int_eq(mm_io_parse_size("2e9", NULL, &v, &d), MM_OK);
	ck_assert_uint_eq(v, 2000000000);
	ck_assert_int_eq(mm_io_parse_size("1.5GB", NULL, &v, &d), MM_OK);
	ck_assert_uint_eq(v, 1500000000);
	ck_assert_int_eq(mm_io_parse_size("0", NULL, &v, &d), MM_OK);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(mm_io_parse_size("0.6", NULL, &v, &d), MM_OK);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(mm_io_parse_size("1.1 KiB", NULL, &v, &d), MM_OK);
	ck_assert_uint_eq(v, 1126);
	/* the example: not 0 B */
	ck_assert_int_eq(mm_io_parse_size("1e-9", "memlimit", &v, &d),
	                 MM_ERR_ARG);
	ck_assert_ptr_nonnull(strstr(d.message, "memlimit"));
	ck_assert_ptr_nonnull(strstr(d.message, "less than one byte"));
	ck_assert_int_eq(mm_io_parse_size("0.4", NULL, &v, &d), MM_ERR_ARG);
	ck_assert_int_eq(mm_io_parse_size("1e-400", NULL, &v, &d), MM_ERR_ARG);
	ck_assert_int_eq(mm_io_parse_size("-1", NULL, &v, &d), MM_ERR_ARG);
	ck_assert_ptr_nonnull(strstr(d.message, "negative"));
	ck_assert_int_eq(mm_io_parse_size("-1e-400", NULL, &v, &d), MM_ERR_ARG);
	ck_assert_int_eq(mm_io_parse_size("nan", NULL, &v, &d), MM_ERR_ARG);
	ck_assert_int_eq(mm_io_parse_size("inf GiB", NULL, &v, &d), MM_ERR_ARG);
	ck_assert_int_eq(mm_io_parse_size("1e400", NULL, &v, &d), MM_ERR_ARG);
	ck_assert_int_eq(mm_io_parse_size("18446744073709551616", NULL, &v, &d),
	                 MM_ERR_ARG);
	ck_assert_int_eq(mm_io_parse_size("16 EiB", NULL, &v, &d), MM_ERR_ARG);
	ck_assert_int_eq(mm_io_parse_size("5 GFLOP", NULL, &v, &d), MM_ERR_ARG);
	ck_assert_ptr_nonnull(strstr(d.message, "not a unit of bytes"));
	ck_assert_int_eq(mm_io_parse_size("12abc", NULL, &v, &d), MM_ERR_ARG);
	ck_assert_int_eq(mm_io_parse_size("", NULL, &v, &d), MM_ERR_ARG);
	ck_assert_int_eq(mm_io_parse_size("GiB", NULL, &v, &d), MM_ERR_ARG);
}
END_TEST

/* ---- what saving may replace ---- */

START_TEST(save_refuses_write_protected)
{
	make_tmpdir();
	char p[600];
	in_tmp(p, sizeof p, "w.npy");
	write_text(p, "precious");
	ck_assert_int_eq(chmod(p, 0444), 0);
	mm_diag d;
	/* refused for root too: no w bit at all */
	ck_assert_int_eq(save_text(p, "new", &d), MM_ERR_IO);
	ck_assert_ptr_nonnull(strstr(d.message, "write-protected"));
	ck_assert_ptr_nonnull(strstr(d.message, "0444"));
	ck_assert_ptr_nonnull(strstr(d.hint, "chmod"));
	ck_assert(file_is(p, "precious"));
	ck_assert_int_eq(count_files(), 1);
	int64_t shape[1] = {2};
	double v[2] = {1, 2};
	ck_assert_int_eq(mm_npy_save(p, MM_F64, 1, shape, v, &d), MM_ERR_IO);
	ck_assert(file_is(p, "precious"));
	ck_assert_int_eq(count_files(), 1);
	/* writable by its owner: replaced, mode kept */
	ck_assert_int_eq(chmod(p, 0640), 0);
	ck_assert_int_eq(save_text(p, "new", &d), MM_OK);
	ck_assert(file_is(p, "new"));
	struct stat st;
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0640);
	/* made write-protected while the data was written: the commit
	 * checks again */
	mm_io_atomic w;
	ck_assert_int_eq(mm_io_atomic_open(&w, p, &d), MM_OK);
	ck_assert_int_eq(mm_io_atomic_write(&w, "newer", 5, &d), MM_OK);
	ck_assert_int_eq(chmod(p, 0400), 0);
	ck_assert_int_eq(mm_io_atomic_commit(&w, &d), MM_ERR_IO);
	ck_assert_ptr_nonnull(strstr(d.message, "write-protected"));
	ck_assert(file_is(p, "new"));
	ck_assert_int_eq(count_files(), 1);
	remove_tmpdir();
}
END_TEST

/* Root saving over a user's file leaves it the user's. */
START_TEST(save_keeps_owner)
{
	if (geteuid() != 0)
		return;
	make_tmpdir();
	char p[600];
	in_tmp(p, sizeof p, "u.npy");
	write_text(p, "old");
	ck_assert_int_eq(chown(p, 65534, 65534), 0);
	mm_diag d;
	ck_assert_int_eq(save_text(p, "new", &d), MM_OK);
	struct stat st;
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_uid, 65534);
	ck_assert_int_eq(st.st_gid, 65534);
	ck_assert(file_is(p, "new"));
	remove_tmpdir();
}
END_TEST

START_TEST(save_refuses_devices_and_fifos)
{
	make_tmpdir();
	char p[600];
	in_tmp(p, sizeof p, "fifo.npy");
	ck_assert_int_eq(mkfifo(p, 0666), 0);
	mm_diag d;
	ck_assert_int_eq(save_text(p, "x", &d), MM_ERR_IO);
	ck_assert_ptr_nonnull(strstr(d.message, "not a regular file"));
	struct stat st;
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	ck_assert_int_eq(count_files(), 1);
	/* /dev/null: refused before a temporary file is tried in /dev */
	ck_assert_int_eq(save_text("/dev/null", "x", &d), MM_ERR_IO);
	ck_assert_ptr_nonnull(strstr(d.message, "not a regular file"));
	ck_assert_int_eq(lstat("/dev/null", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	remove_tmpdir();
}
END_TEST

START_TEST(save_through_own_symlinks)
{
	make_tmpdir();
	char real[600], link1[600], link2[600], sub[600];
	in_tmp(sub, sizeof sub, "data");
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	in_tmp(real, sizeof real, "data/real.npy");
	in_tmp(link1, sizeof link1, "latest.npy");
	in_tmp(link2, sizeof link2, "l2.npy");
	write_text(real, "old");
	ck_assert_int_eq(symlink("data/real.npy", link2), 0);
	ck_assert_int_eq(symlink("l2.npy", link1), 0);
	mm_diag d;
	ck_assert_int_eq(save_text(link1, "new", &d), MM_OK);
	ck_assert(file_is(real, "new"));
	struct stat st;
	ck_assert_int_eq(lstat(link1, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(lstat(link2, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(count_in(sub), 1); /* the temporary file was there */
	/* a link to nothing: not written through (as cp) */
	unlink(real);
	ck_assert_int_eq(save_text(link1, "x", &d), MM_ERR_IO);
	ck_assert_ptr_nonnull(strstr(d.message, "does not exist"));
	ck_assert_int_eq(count_in(sub), 0);
	/* a loop */
	unlink(link2);
	ck_assert_int_eq(symlink("latest.npy", link2), 0);
	ck_assert_int_eq(save_text(link1, "x", &d), MM_ERR_IO);
	ck_assert_ptr_nonnull(strstr(d.message, strerror(ELOOP)));
	remove_tmpdir();
}
END_TEST

/* A link someone else planted is not followed (as root: chown it). */
START_TEST(save_refuses_planted_symlink)
{
	if (geteuid() != 0)
		return;
	make_tmpdir();
	char victim[600], link[600];
	in_tmp(victim, sizeof victim, "victim");
	in_tmp(link, sizeof link, "out.npy");
	write_text(victim, "precious");
	ck_assert_int_eq(symlink(victim, link), 0);
	ck_assert_int_eq(lchown(link, 65534, 65534), 0);
	mm_diag d;
	ck_assert_int_eq(save_text(link, "x", &d), MM_ERR_IO);
	ck_assert_ptr_nonnull(strstr(d.message, "another user"));
	ck_assert(file_is(victim, "precious"));
	ck_assert_int_eq(count_files(), 2);
	remove_tmpdir();
}
END_TEST

/* Temporary files have fresh random names, made with O_EXCL. */
START_TEST(temp_names_unique)
{
	make_tmpdir();
	char p[600];
	in_tmp(p, sizeof p, "t.npy");
	mm_io_atomic a, b;
	mm_diag d;
	ck_assert_int_eq(mm_io_atomic_open(&a, p, &d), MM_OK);
	ck_assert_int_eq(mm_io_atomic_open(&b, p, &d), MM_OK);
	ck_assert_str_ne(a.tmp, b.tmp);
	ck_assert_int_eq(strncmp(a.tmp, ".t.npy.", 7), 0);
	ck_assert_uint_eq(strlen(a.tmp), 7 + 8);
	ck_assert_int_eq(count_files(), 2);
	struct stat st;
	ck_assert_int_eq(fstat(a.fd, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	mm_io_atomic_abort(&a);
	mm_io_atomic_abort(&b);
	ck_assert_int_eq(count_files(), 0);
	/* a long name still fits NAME_MAX */
	char longname[300];
	memset(longname, 'n', 250);
	longname[250] = '\0';
	in_tmp(p, sizeof p, longname);
	ck_assert_int_eq(save_text(p, "x", &d), MM_OK);
	ck_assert_int_eq(count_files(), 1);
	remove_tmpdir();
}
END_TEST

START_TEST(remove_pending_removes_temporaries)
{
	make_tmpdir();
	char p[600];
	in_tmp(p, sizeof p, "s.npy");
	write_text(p, "old");
	mm_io_atomic w;
	mm_diag d;
	ck_assert_int_eq(mm_io_atomic_open(&w, p, &d), MM_OK);
	ck_assert_int_eq(mm_io_atomic_write(&w, "new", 3, &d), MM_OK);
	ck_assert_int_eq(count_files(), 2);
	mm_io_remove_pending();
	ck_assert_int_eq(count_files(), 1);
	ck_assert(file_is(p, "old"));
	mm_io_atomic_abort(&w);
	/* a committed save leaves nothing pending */
	ck_assert_int_eq(save_text(p, "new", &d), MM_OK);
	mm_io_remove_pending();
	ck_assert(file_is(p, "new"));
	ck_assert_int_eq(count_files(), 1);
	remove_tmpdir();
}
END_TEST

/* The CLI's pattern: a handler removes the temporaries and dies of the
 * signal again. A child saving is killed by SIGTERM mid-write. */
static void on_term(int sig)
{
	mm_io_remove_pending();
	signal(sig, SIG_DFL);
	raise(sig);
}

START_TEST(signal_during_save_leaves_nothing)
{
	make_tmpdir();
	char p[600];
	in_tmp(p, sizeof p, "big.npy");
	write_text(p, "old");
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		signal(SIGTERM, on_term);
		mm_io_atomic w;
		mm_diag d;
		if (mm_io_atomic_open(&w, p, &d) != MM_OK ||
		    mm_io_atomic_write(&w, "half", 4, &d) != MM_OK)
			_exit(3);
		raise(SIGTERM);
		_exit(4);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status));
	ck_assert_int_eq(WTERMSIG(status), SIGTERM);
	ck_assert_int_eq(count_files(), 1);
	ck_assert(file_is(p, "old"));
	remove_tmpdir();
}
END_TEST

/* ---- private files ---- */

START_TEST(private_dir_checks)
{
	make_tmpdir();
	char dir[600], f[700];
	in_tmp(dir, sizeof dir, "a/b/mmcalc");
	mm_diag d;
	ck_assert_int_eq(mm_io_private_dir(dir, false, &d), MM_ERR_IO);
	ck_assert_int_eq(mm_io_private_dir(dir, true, &d), MM_OK);
	struct stat st;
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	snprintf(f, sizeof f, "%s/state", dir);
	mm_io_atomic w;
	ck_assert_int_eq(mm_io_atomic_open_private(&w, f, &d), MM_OK);
	ck_assert_int_eq(mm_io_atomic_write(&w, "v 1\n", 4, &d), MM_OK);
	ck_assert_int_eq(mm_io_atomic_commit(&w, &d), MM_OK);
	ck_assert_int_eq(stat(f, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	char *t;
	size_t n;
	ck_assert_int_eq(mm_io_read_private(f, 100, &t, &n, &d), MM_OK);
	ck_assert_str_eq(t, "v 1\n");
	free(t);
	ck_assert_int_eq(mm_io_read_private(f, 2, &t, &n, &d), MM_ERR_LIMIT);
	/* writable by others: refused for reading and writing */
	ck_assert_int_eq(chmod(dir, 0777), 0);
	ck_assert_int_eq(mm_io_read_private(f, 100, &t, &n, &d), MM_ERR_IO);
	ck_assert_ptr_nonnull(strstr(d.message, "others may write"));
	ck_assert_int_eq(mm_io_atomic_open_private(&w, f, &d), MM_ERR_IO);
	ck_assert_int_eq(chmod(dir, 0770), 0);
	ck_assert_int_eq(mm_io_read_private(f, 100, &t, &n, &d), MM_ERR_IO);
	ck_assert_int_eq(chmod(dir, 0700), 0);
	/* the file as a symbolic link: not read, and replaced itself */
	char other[600], link[700];
	in_tmp(other, sizeof other, "other");
	write_text(other, "someone's");
	snprintf(link, sizeof link, "%s/link", dir);
	ck_assert_int_eq(symlink(other, link), 0);
	ck_assert_int_eq(mm_io_read_private(link, 100, &t, &n, &d), MM_ERR_IO);
	ck_assert_ptr_nonnull(strstr(d.message, "symbolic link"));
	ck_assert_int_eq(mm_io_atomic_open_private(&w, link, &d), MM_OK);
	ck_assert_int_eq(mm_io_atomic_write(&w, "mine", 4, &d), MM_OK);
	ck_assert_int_eq(mm_io_atomic_commit(&w, &d), MM_OK);
	ck_assert(file_is(other, "someone's"));
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	/* another user's directory (as root: chown it) */
	if (geteuid() == 0) {
		ck_assert_int_eq(chown(dir, 65534, 65534), 0);
		ck_assert_int_eq(mm_io_private_dir(dir, false, &d), MM_ERR_IO);
		ck_assert_ptr_nonnull(strstr(d.message, "another user"));
		ck_assert_int_eq(mm_io_read_private(f, 100, &t, &n, &d),
		                 MM_ERR_IO);
	} else {
		ck_assert_int_eq(mm_io_private_dir("/", false, &d), MM_ERR_IO);
		ck_assert_ptr_nonnull(strstr(d.message, "another user"));
	}
	remove_tmpdir();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("io");
	TCase *t = tcase_create("text");
	tcase_add_test(t, read_text_bounded);
	tcase_add_test(t, read_text_endless_pipe);
	tcase_add_test(t, read_text_interrupted);
	tcase_add_test(t, lines_basic_and_too_long);
	tcase_add_test(t, lines_endless_line_bounded);
	tcase_add_test(t, parse_size);
	suite_add_tcase(s, t);
	t = tcase_create("save");
	tcase_add_test(t, save_refuses_write_protected);
	tcase_add_test(t, save_keeps_owner);
	tcase_add_test(t, save_refuses_devices_and_fifos);
	tcase_add_test(t, save_through_own_symlinks);
	tcase_add_test(t, save_refuses_planted_symlink);
	tcase_add_test(t, temp_names_unique);
	tcase_add_test(t, remove_pending_removes_temporaries);
	tcase_add_test(t, signal_during_save_leaves_nothing);
	tcase_add_test(t, private_dir_checks);
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

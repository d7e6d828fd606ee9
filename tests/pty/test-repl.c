/* test-repl.c — drives the mmcalc REPL through a pseudo-terminal (TAP). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Every wait is bounded by this; a loaded machine gets plenty of slack. */
#define WAIT_MS 5000

static const char *exe;
static char tmpdir[PATH_MAX];
static char histfile[PATH_MAX + 32];
static char cfgdir[PATH_MAX + 32];
static char initfile[PATH_MAX + 64];
static int ntests, nfailed;

typedef struct term {
	pid_t pid;
	int fd;
	char *buf;
	size_t len, cap;
	size_t mark; /* output before this has been matched already */
	bool exited;
	int status;
} term;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
	fflush(stdout);
}

static void result(bool ok, const char *name)
{
	ntests++;
	if (!ok)
		nfailed++;
	printf("%s %d - %s\n", ok ? "ok" : "not ok", ntests, name);
	fflush(stdout);
}

/* Shows the unmatched output, escaped, so a failure can be understood. */
static void show_output(const term *t)
{
	size_t from = t->mark, n = t->len - from;
	if (n > 600)
		from = t->len - 600;
	fputs("# output since last match: \"", stdout);
	for (size_t i = from; i < t->len; i++) {
		unsigned char c = (unsigned char)t->buf[i];
		if (c == '\n')
			fputs("\\n\"\n# \"", stdout);
		else if (c < 32 || c >= 127)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	fputs("\"\n", stdout);
}

/* Starts mmcalc in a new pty, 24x80, with args after argv[0]. */
static bool spawn(term *t, const char *const *args)
{
	memset(t, 0, sizeof *t);
	struct winsize ws = {.ws_row = 24, .ws_col = 80};
	const char *argv[16] = {exe};
	int n = 1;
	for (; args && args[n - 1] && n < 15; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	t->pid = forkpty(&t->fd, NULL, NULL, &ws);
	if (t->pid < 0) {
		diag("forkpty: %s", strerror(errno));
		return false;
	}
	if (t->pid == 0) {
		setenv("HOME", tmpdir, 1);
		setenv("MMCALC_HISTORY", histfile, 1);
		setenv("XDG_CONFIG_HOME", cfgdir, 1);
		setenv("XDG_STATE_HOME", tmpdir, 1);
		setenv("TERM", "xterm", 1);
		setenv("INPUTRC", "/dev/null", 1);
		unsetenv("NO_COLOR");
		execv(exe, (char *const *)argv);
		_exit(127);
	}
	return true;
}

/* Reads what is there within ms; false at end of output. */
static bool pump(term *t, int ms)
{
	struct pollfd p = {.fd = t->fd, .events = POLLIN};
	int r = poll(&p, 1, ms < 0 ? 0 : ms);
	if (r <= 0)
		return r == 0 || errno == EINTR;
	if (t->len + 4096 > t->cap) {
		t->cap = t->cap ? t->cap * 2 : 65536;
		t->buf = realloc(t->buf, t->cap);
		if (!t->buf)
			abort();
	}
	ssize_t n = read(t->fd, t->buf + t->len, 4096);
	if (n <= 0)
		return n < 0 && errno == EINTR; /* EIO: the child closed the pty */
	t->len += (size_t)n;
	return true;
}

/* Waits up to ms for s in the output after the mark; moves the mark past
 * it. */
static bool expect_within(term *t, const char *s, int ms)
{
	double end = now_ms() + ms;
	size_t n = strlen(s);
	for (;;) {
		char *hit = t->len > t->mark
		                ? memmem(t->buf + t->mark, t->len - t->mark, s, n)
		                : NULL;
		if (hit) {
			t->mark = (size_t)(hit - t->buf) + n;
			return true;
		}
		double left = end - now_ms();
		if (left <= 0 || !pump(t, (int)left + 1)) {
			diag("did not see \"%s\" within %d ms", s, ms);
			show_output(t);
			return false;
		}
	}
}

static bool expect(term *t, const char *s)
{
	return expect_within(t, s, WAIT_MS);
}

/* Keeps reading output for ms (the child must not block on a full pty). */
static void drain(term *t, int ms)
{
	double end = now_ms() + ms;
	double left;
	while ((left = end - now_ms()) > 0 && pump(t, (int)left + 1))
		;
}

static void type(term *t, const char *s)
{
	size_t n = strlen(s);
	while (n > 0) {
		ssize_t w = write(t->fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* Waits up to ms for the child to exit; true if it did. */
static bool wait_exit(term *t, int ms)
{
	double end = now_ms() + ms;
	while (!t->exited) {
		pid_t r = waitpid(t->pid, &t->status, WNOHANG);
		if (r == t->pid) {
			t->exited = true;
			break;
		}
		if (now_ms() > end)
			return false;
		if (!pump(t, 20))
			usleep(10000); /* pty closed, not yet reaped */
	}
	return true;
}

static int exit_code(const term *t)
{
	if (!t->exited)
		return -1;
	if (WIFEXITED(t->status))
		return WEXITSTATUS(t->status);
	return 128 + WTERMSIG(t->status);
}

/* Ends the child whatever state it is in, and frees the terminal. */
static void finish(term *t)
{
	if (t->pid > 0 && !t->exited) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, &t->status, 0);
		t->exited = true;
	}
	close(t->fd);
	free(t->buf);
	t->buf = NULL;
}

/* Output between the mark before and the mark now. */
static bool segment_has(const term *t, size_t from, const char *s)
{
	return t->mark > from && memmem(t->buf + from, t->mark - from, s, strlen(s));
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	static char text[1 << 16];
	size_t n = fread(text, 1, sizeof text - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

static bool write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return false;
	fputs(text, f);
	return fclose(f) == 0;
}

/* ---- the cases ---- */

/* First run: the prompt, a report, Ctrl-D; the line lands in history. */
static void test_first_run(void)
{
	term t;
	if (!spawn(&t, NULL)) {
		result(false, "prompt appears");
		return;
	}
	bool ok = expect(&t, "mm> ");
	result(ok, "prompt 'mm> ' appears");
	if (ok) {
		type(&t, "(1024x4096) @ (4096x4096)\r");
		ok = expect(&t, "(1024 x 4096) f32") && expect(&t, "34.36 GFLOP") &&
		     expect(&t, "mm> ");
	}
	result(ok, "(1024x4096) @ (4096x4096) reports (1024 x 4096) f32, 34.36 GFLOP");
	if (ok)
		type(&t, "\x04");
	bool exited = ok && wait_exit(&t, WAIT_MS);
	if (ok && !exited)
		diag("still running %d ms after Ctrl-D", WAIT_MS);
	if (exited && exit_code(&t) != 0)
		diag("exit status %d", exit_code(&t));
	result(exited && exit_code(&t) == 0, "Ctrl-D at the prompt exits with status 0");
	finish(&t);

	const char *h = read_file(histfile);
	if (!h)
		diag("cannot read %s", histfile);
	result(h && strstr(h, "(1024x4096) @ (4096x4096)\n"),
	       "the history file holds the line");
}

/* Second run: Up recalls the line of the first run. */
static void test_history_recall(void)
{
	term t;
	bool ok = spawn(&t, NULL) && expect(&t, "mm> ");
	if (ok) {
		type(&t, "\033[A");
		ok = expect(&t, "(1024x4096) @ (4096x4096)");
	}
	if (ok) {
		type(&t, "\r");
		ok = expect(&t, "(1024 x 4096) f32") && expect(&t, "34.36 GFLOP") &&
		     expect(&t, "mm> ");
	}
	result(ok, "history persists across runs: Up, Enter repeats the line");
	finish(&t);
}

/* Tab completes commands and variables; -q drops the banner. */
static void test_completion(void)
{
	term t;
	static const char *const args[] = {"-q", NULL};
	bool ok = spawn(&t, args) && expect(&t, "mm> ");
	result(ok && !memmem(t.buf, t.mark, "mmcalc 0.1", 10),
	       "-q: prompt without the banner");
	if (ok) {
		type(&t, "pty_weights = (3x5)\r");
		ok = expect(&t, "(3 x 5) f32") && expect(&t, "mm> ");
	}
	if (ok) {
		type(&t, ":va\t");
		ok = expect(&t, ":vars");
		if (ok) {
			type(&t, "\r");
			ok = expect(&t, "pty_weights") && expect(&t, "total") &&
			     expect(&t, "mm> ");
		}
	}
	result(ok, "Tab completes :va to :vars");
	if (ok) {
		type(&t, "pty_w\t");
		ok = expect(&t, "pty_weights");
		if (ok) {
			type(&t, " @ (5x2)\r");
			ok = expect(&t, "(3 x 2) f32") && expect(&t, "mm> ");
		}
	}
	result(ok, "Tab completes a variable name");
	finish(&t);
}

/* Ctrl-C at the prompt drops the typed text; nothing of it runs. */
static void test_ctrl_c_prompt(void)
{
	term t;
	bool ok = spawn(&t, NULL) && expect(&t, "mm> ");
	if (ok) {
		type(&t, "zz_abandoned = (7x7)");
		ok = expect(&t, "(7x7)");
	}
	if (ok) {
		type(&t, "\x03");
		ok = expect(&t, "mm> ");
	}
	/* Again and again, right after the echo: a Ctrl-C landing between
	 * two reads of the loop must not be lost. */
	for (int i = 0; ok && i < 40; i++) {
		if (i % 2) {
			type(&t, "zz_abandoned\x03");
		} else {
			type(&t, "zz_abandoned");
			ok = expect(&t, "zz_abandoned");
			type(&t, "\x03");
		}
		ok = ok && expect(&t, "mm> ");
	}
	size_t from = t.mark;
	if (ok) {
		type(&t, "zz_kept = (2x2)\r");
		ok = expect(&t, "(2 x 2) f32") && expect(&t, "mm> ");
	}
	if (ok) {
		type(&t, ":vars\r");
		ok = expect(&t, "total") && expect(&t, "mm> ");
	}
	if (ok && !segment_has(&t, from, "zz_kept")) {
		diag("the line typed after Ctrl-C did not run");
		ok = false;
	}
	if (ok && segment_has(&t, from, "zz_abandoned")) {
		diag("the abandoned line ran");
		ok = false;
	}
	result(ok, "Ctrl-C at the prompt abandons the line and gives a fresh prompt");
	finish(&t);
}

/* Sends Ctrl-C once the statement has run for delay_ms; returns the ms
 * from Ctrl-C to the next prompt, or -1. */
static double interrupt_after(term *t, const char *line, int delay_ms)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s\r", line);
	type(t, buf);
	if (!expect(t, "\n"))
		return -1;
	size_t before = t->len;
	drain(t, delay_ms);
	if (t->len > before && memmem(t->buf + before, t->len - before, "mm> ", 4)) {
		diag("'%s' finished before Ctrl-C", line);
		return -1;
	}
	double t0 = now_ms();
	type(t, "\x03");
	if (!expect(t, "interrupted"))
		return -1;
	if (!expect(t, "mm> "))
		return -1;
	return now_ms() - t0;
}

/* Ctrl-C during a computation: back to the prompt, variables kept. */
static void test_ctrl_c_work(void)
{
	term t;
	bool ok = spawn(&t, NULL) && expect(&t, "mm> ");
	if (ok) {
		type(&t, "keep_me = ones(2, 2)\r");
		ok = expect(&t, "concrete") && expect(&t, "mm> ");
	}
	double ms = -1;
	if (ok) {
		ms = interrupt_after(&t, ":run (4096x4096) @ (4096x4096) @ "
		                         "(4096x4096) @ (4096x4096)", 400);
		ok = ms >= 0;
	}
	if (ok)
		diag("Ctrl-C during :run: prompt back after %.1f ms", ms);
	result(ok, "Ctrl-C during :run reports 'interrupted' and returns to the prompt");

	/* The issue's own case, caught early, while the operands are filled. */
	double fill_ms = -1;
	if (ok) {
		fill_ms = interrupt_after(&t, ":run (4096x4096) @ (4096x4096)", 100);
		ok = fill_ms >= 0;
	}
	if (ok)
		diag("Ctrl-C during :run's random fill: prompt back after %.1f ms",
		     fill_ms);
	result(ok, "Ctrl-C during :run's random fill returns to the prompt");

	/* Concrete operands: the interruption lands in the GEMM itself. */
	bool ok2 = ok;
	if (ok2) {
		type(&t, "P = randn(4096, 4096)\r");
		ok2 = expect_within(&t, "concrete", 3 * WAIT_MS) && expect(&t, "mm> ");
	}
	double gemm_ms = -1;
	if (ok2) {
		gemm_ms = interrupt_after(&t, "P4 = P @ P @ P @ P @ P @ P", 400);
		ok2 = gemm_ms >= 0;
	}
	if (ok2)
		diag("Ctrl-C during GEMM: prompt back after %.1f ms", gemm_ms);
	result(ok2, "Ctrl-C during a GEMM of concrete tensors returns to the prompt");

	size_t from = t.mark;
	if (ok) {
		type(&t, ":vars\r");
		ok = expect(&t, "total") && expect(&t, "mm> ");
	}
	if (ok && !segment_has(&t, from, "keep_me")) {
		diag("keep_me lost");
		ok = false;
	}
	if (ok && ok2 && (!segment_has(&t, from, "P ") || segment_has(&t, from, "P4"))) {
		diag("P lost, or P4 bound by an interrupted statement");
		ok = false;
	}
	if (ok) {
		type(&t, "keep_me @ keep_me\r");
		ok = expect(&t, "2. 2.") && expect(&t, "mm> ");
	}
	result(ok, "after an interruption the variables are kept and the REPL works");

	double limit = getenv("MMCALC_PTY_STRICT") ? 100 : 1000;
	bool fast = ms >= 0 && ms < limit && fill_ms < limit &&
	            (gemm_ms < 0 || gemm_ms < limit);
	result(fast, fast || ms < 0 ? "interruption latency within the limit"
	                            : "interruption latency within the limit (too slow)");
	if (ms >= 0 && !fast)
		diag("latency %.1f / %.1f / %.1f ms, limit %.0f ms", ms, fill_ms,
		     gemm_ms, limit);

	finish(&t);
}

/* A resize (TIOCSWINSZ sends SIGWINCH) in the middle of a line. */
/* Ctrl-C while load() waits for a FIFO's writer: an 'interrupted' error,
 * not a system call's message, and the prompt back. */
static void test_ctrl_c_fifo(void)
{
	char fifo[PATH_MAX + 16], line[PATH_MAX + 64];
	snprintf(fifo, sizeof fifo, "%s/pipe.npy", tmpdir);
	term t = {.fd = -1};
	bool ok = mkfifo(fifo, 0600) == 0;
	if (!ok)
		diag("mkfifo %s: %s", fifo, strerror(errno));
	ok = ok && spawn(&t, NULL) && expect(&t, "mm> ");
	if (ok) {
		snprintf(line, sizeof line, "x = load(\"%s\")", fifo);
		ok = interrupt_after(&t, line, 200) >= 0;
	}
	if (ok && segment_has(&t, 0, "Interrupted system call")) {
		diag("the error shows the system call's EINTR");
		ok = false;
	}
	result(ok, "Ctrl-C while load() waits on a FIFO reports 'interrupted'");
	finish(&t);
	unlink(fifo);
}

static void test_resize(void)
{
	term t;
	bool ok = spawn(&t, NULL) && expect(&t, "mm> ");
	if (ok) {
		type(&t, "(2x3)");
		ok = expect(&t, "(2x3)");
	}
	if (ok) {
		struct winsize ws = {.ws_row = 40, .ws_col = 132};
		ok = ioctl(t.fd, TIOCSWINSZ, &ws) == 0;
		drain(&t, 100);
		type(&t, " @ (3x4)\r");
		ok = ok && expect(&t, "(2 x 4) f32") && expect(&t, "mm> ");
	}
	if (ok) {
		struct winsize ws = {.ws_row = 10, .ws_col = 30};
		ok = ioctl(t.fd, TIOCSWINSZ, &ws) == 0;
		drain(&t, 100);
		type(&t, "(1024x4096) @ (4096x4096)\r");
		ok = ok && expect(&t, "34.36 GFLOP") && expect(&t, "mm> ");
	}
	if (ok) {
		type(&t, "\x04");
		ok = wait_exit(&t, WAIT_MS) && exit_code(&t) == 0;
	}
	result(ok, "the REPL keeps working after terminal resizes");
	finish(&t);
}

/* $XDG_CONFIG_HOME/mmcalc/init.mm runs before the prompt; --no-init
 * skips it. */
static void test_init_file(void)
{
	bool ok = write_file(initfile, "init_var = (12x34)\n");
	term t;
	ok = ok && spawn(&t, NULL) && expect(&t, "mm> ");
	if (ok) {
		type(&t, "init_var @ (34x5)\r");
		ok = expect(&t, "(12 x 5) f32") && expect(&t, "mm> ");
	}
	result(ok, "the start-up file runs before the prompt");
	finish(&t);

	static const char *const args[] = {"--no-init", NULL};
	ok = spawn(&t, args) && expect(&t, "mm> ");
	size_t from = t.mark;
	if (ok) {
		type(&t, "init_var\r");
		ok = expect(&t, "unknown name 'init_var'") && expect(&t, "mm> ");
	}
	result(ok && !segment_has(&t, from, "(12 x 34)"), "--no-init skips it");
	finish(&t);
	unlink(initfile);
}

/* Script mode: SIGINT stops a long script with status 130. */
static void test_script_sigint(void)
{
	char script[PATH_MAX + 32];
	snprintf(script, sizeof script, "%s/long.mm", tmpdir);
	FILE *f = fopen(script, "w");
	if (!f) {
		result(false, "SIGINT ends a script with status 130");
		return;
	}
	for (int i = 0; i < 50; i++)
		fputs(":run (4096x4096)@(4096x4096)\n", f);
	fclose(f);

	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		setenv("HOME", tmpdir, 1);
		execl(exe, exe, script, (char *)NULL);
		_exit(127);
	}
	usleep(700 * 1000);
	double t0 = now_ms();
	kill(pid, SIGINT);
	int status = 0;
	bool exited = false;
	while (now_ms() - t0 < WAIT_MS) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			exited = true;
			break;
		}
		usleep(2000);
	}
	double ms = now_ms() - t0;
	if (!exited) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		diag("still running %d ms after SIGINT", WAIT_MS);
	} else {
		diag("script mode: exit %.1f ms after SIGINT", ms);
	}
	bool ok = exited && WIFEXITED(status) && WEXITSTATUS(status) == 130;
	if (exited && !ok)
		diag("status 0x%x", status);
	result(ok, "SIGINT ends a long script with status 130");
	unlink(script);
}

static void remove_tree(void)
{
	unlink(histfile);
	unlink(initfile);
	char d[PATH_MAX + 64];
	snprintf(d, sizeof d, "%s/mmcalc", cfgdir);
	rmdir(d);
	rmdir(cfgdir);
	snprintf(d, sizeof d, "%s/mmcalc", tmpdir);
	rmdir(d);
	rmdir(tmpdir);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH/TO/mmcalc\n", argv[0]);
		return 2;
	}
	exe = argv[1];
	if (access(exe, X_OK) != 0) {
		printf("1..0 # SKIP %s not executable\n", exe);
		return 77;
	}
	alarm(120); /* a last resort: never hang the test run */
	signal(SIGPIPE, SIG_IGN);
	const char *base = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/mmcalc-pty-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(histfile, sizeof histfile, "%s/history", tmpdir);
	snprintf(cfgdir, sizeof cfgdir, "%s/config", tmpdir);
	snprintf(initfile, sizeof initfile, "%s/mmcalc/init.mm", cfgdir);
	mkdir(cfgdir, 0700);
	char d[PATH_MAX + 64];
	snprintf(d, sizeof d, "%s/mmcalc", cfgdir);
	mkdir(d, 0700);

	double start = now_ms();
	test_first_run();
	test_history_recall();
	test_completion();
	test_ctrl_c_prompt();
	test_ctrl_c_work();
	test_ctrl_c_fifo();
	test_resize();
	test_init_file();
	test_script_sigint();
	printf("1..%d\n", ntests);
	diag("%d of %d failed, %.1f s", nfailed, ntests, (now_ms() - start) / 1e3);
	remove_tree();
	return nfailed ? 1 : 0;
}

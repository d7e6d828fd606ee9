/* out.c — every write to standard output and standard error, checked, and
 * the handlers of the signals that end the program: output that could not
 * be written is never reported as success, and a signal never leaves a
 * save's temporary file behind. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "mmcalc/io.h"

/* The first failed write's errno, per stream; 0 while all went well. */
static int out_errno, err_errno;

bool cli_out(const char *s, size_t n)
{
	if (out_errno)
		return false;
	if (n && fwrite(s, 1, n, stdout) != n) {
		out_errno = errno ? errno : EIO;
		return false;
	}
	return true;
}

bool cli_puts(const char *s) { return cli_out(s, strlen(s)); }

bool cli_printf(const char *fmt, ...)
{
	if (out_errno)
		return false;
	va_list ap;
	va_start(ap, fmt);
	int r = vfprintf(stdout, fmt, ap);
	va_end(ap);
	if (r < 0)
		out_errno = errno ? errno : EIO;
	return r >= 0;
}

bool cli_flush(void)
{
	if (!out_errno && fflush(stdout) != 0)
		out_errno = errno ? errno : EIO;
	return !out_errno;
}

bool cli_err(const char *s, size_t n)
{
	/* What goes to stderr follows what went to stdout: flush first, so
	 * that a diagnostic comes after the results before it. */
	cli_flush();
	if (err_errno)
		return false;
	if (n && fwrite(s, 1, n, stderr) != n) {
		err_errno = errno ? errno : EIO;
		return false;
	}
	return true;
}

bool cli_errf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (r < 0)
		return false;
	return cli_err(buf, (size_t)r < sizeof buf ? (size_t)r : sizeof buf - 1);
}

bool cli_output_failed(void) { return out_errno || err_errno; }

int cli_finish(int status)
{
	/* The final flush and close are writes too: a full disk is often
	 * only seen here, with a script's whole output in the buffer. */
	cli_flush();
	if (fclose(stdout) != 0 && !out_errno)
		out_errno = errno ? errno : EIO;
	if (out_errno) {
		if (!err_errno) {
			char buf[256];
			int n = snprintf(buf, sizeof buf,
			                 "mmcalc: cannot write standard output: "
			                 "%s\n", strerror(out_errno));
			if (fwrite(buf, 1, (size_t)n, stderr) != (size_t)n)
				err_errno = errno ? errno : EIO;
		}
		status = status == 130 ? 130 : 2;
	}
	if (fflush(stderr) != 0 || ferror(stderr))
		err_errno = err_errno ? err_errno : EIO;
	if (err_errno && status != 130)
		status = 2;
	return status;
}

/* ---- signals that end the program ---- */

static struct termios saved_tty;
static volatile sig_atomic_t have_tty;

void cli_save_terminal(int fd)
{
	if (tcgetattr(fd, &saved_tty) == 0)
		have_tty = 1 + fd;
}

void cli_die_of(int sig)
{
	/* Async-signal-safe only: unlinkat, tcsetattr, signal, raise. */
	mm_io_remove_pending();
	if (have_tty)
		tcsetattr(have_tty - 1, TCSANOW, &saved_tty);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_fatal(int sig) { cli_die_of(sig); }

void cli_fatal_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fatal;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaddset(&sa.sa_mask, SIGHUP);
	static const int sigs[] = {SIGTERM, SIGHUP};
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		struct sigaction old;
		/* A signal ignored when we started (nohup) stays ignored. */
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

/* repl.c — the interactive prompt: GNU Readline with history, completion,
 * Ctrl-C handling (the Readline manual's "Readline Signal Handling": the
 * handlers only set flags, and the callback interface lets the loop act
 * on them), the start-up file and terminal resizes. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "cli.h"
#include "mmcalc/interrupt.h"
#include "mmcalc/io.h"

#define PROMPT "mm> "
#define MORE "...> " /* inside a definition over several lines */

static volatile sig_atomic_t got_sigint, got_winch, busy;

/* The handlers write a byte here so that a signal arriving just before
 * select() still wakes it (whichever thread the signal lands on). */
static int wake[2] = {-1, -1};

static void poke(void)
{
	int e = errno;
	if (wake[1] >= 0) {
		ssize_t w = write(wake[1], "", 1); /* a full pipe is awake anyway */
		(void)w;
	}
	errno = e;
}

static void on_sigint(int sig)
{
	(void)sig;
	if (busy) {
		/* A second Ctrl-C during the same work ends the process,
		 * leaving no temporary file of a save behind. */
		if (mm_interrupted()) {
			mm_io_remove_pending();
			_exit(130);
		}
		mm_interrupt_request();
	} else {
		got_sigint = 1;
		poke();
	}
}

static void on_winch(int sig)
{
	(void)sig;
	got_winch = 1;
	poke();
}

static mm_session *session;
static cli_opts *opts;
static long lineno;
static bool done;
static char *history_path;

/* ---- the start-up file ---- */

/* $XDG_CONFIG_HOME/mmcalc/init.mm when that is an absolute path (the XDG
 * spec ignores a relative one), else ~/.config/mmcalc/init.mm */
static char *find_init(void)
{
	const char *cfg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	const char *dir = cfg && cfg[0] == '/' ? cfg : home && *home ? home : NULL;
	if (!dir)
		return NULL;
	const char *rest = dir == cfg ? "/mmcalc/init.mm" : "/.config/mmcalc/init.mm";
	size_t n = strlen(dir) + strlen(rest) + 1;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s%s", dir, rest);
	return s;
}

static void run_init(void)
{
	char *path = find_init();
	if (!path)
		return;
	char *text;
	size_t len;
	mm_diag d;
	mm_code c = mm_io_read_text(path, 0, &text, &len, &d);
	if (c == MM_OK) {
		cli_run_text(session, path, text, len, opts);
		free(text);
	} else if (!(c == MM_ERR_IO && access(path, F_OK) != 0)) {
		cli_errf("mmcalc: %s\n", d.message); /* there, but unreadable */
	}
	free(path);
}

/* ---- completion ---- */

static char *complete_one(const char *text, int state)
{
	static int i;
	if (state == 0)
		i = 0;
	const char *m = mm_session_complete(session, text, i++);
	return m ? strdup(m) : NULL;
}

static char **complete(const char *text, int start, int end)
{
	(void)start;
	(void)end;
	rl_attempted_completion_over = 1; /* never fall back to file names */
	return rl_completion_matches(text, complete_one);
}

/* ---- the loop ---- */

static void on_line(char *line)
{
	if (!line) {
		/* Ctrl-D */
		done = true;
		rl_callback_handler_remove();
		cli_out("\n", 1);
		mm_session_flush(session, cli_emit, opts);
		cli_flush();
		return;
	}
	lineno++;
	cli_history_add(history_path, line);
	/* Readline must not own the terminal while we compute and print. */
	rl_callback_handler_remove();
	busy = 1;
	mm_interrupt_clear();
	mm_session_run(session, "<stdin>", lineno, line, strlen(line), cli_emit, opts);
	cli_flush();
	busy = 0;
	mm_interrupt_clear();
	free(line);
	if (mm_session_quit(session) || cli_output_failed()) {
		done = true;
		return;
	}
	rl_callback_handler_install(mm_session_pending(session) ? MORE : PROMPT,
	                            on_line);
}

int cli_repl(mm_session *s, cli_opts *o)
{
	session = s;
	opts = o;
	rl_readline_name = "mmcalc";
	rl_attempted_completion_function = complete;
	rl_basic_word_break_characters = " \t\n\"'`@$><=;|&{}()[],+-*/%^";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;

	if (pipe2(wake, O_NONBLOCK | O_CLOEXEC) != 0)
		wake[0] = wake[1] = -1;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_winch;
	sigaction(SIGWINCH, &sa, NULL);

	int in = fileno(rl_instream ? rl_instream : stdin);
	if (isatty(in))
		cli_save_terminal(in);
	history_path = cli_history_path();
	cli_history_load(history_path);
	if (!o->quiet)
		cli_printf("mmcalc %s \xe2\x80\x94 :help for help, Ctrl-D to quit\n",
		           mm_version());
	if (!o->no_init)
		run_init();
	cli_flush();

	if (!mm_session_quit(s) && !cli_output_failed())
		rl_callback_handler_install(PROMPT, on_line);
	else
		done = true;
	while (!done) {
		int in = fileno(rl_instream ? rl_instream : stdin);
		fd_set fds;
		FD_ZERO(&fds);
		FD_SET(in, &fds);
		if (wake[0] >= 0)
			FD_SET(wake[0], &fds);
		int r = select((in > wake[0] ? in : wake[0]) + 1, &fds, NULL, NULL, NULL);
		if (r > 0 && wake[0] >= 0 && FD_ISSET(wake[0], &fds)) {
			char drop[64];
			while (read(wake[0], drop, sizeof drop) > 0)
				;
		}
		if (got_winch) {
			got_winch = 0;
			rl_resize_terminal();
		}
		if (got_sigint) {
			/* Ctrl-C at the prompt abandons the line (and a
			 * definition being typed). */
			got_sigint = 0;
			if (mm_session_pending(session)) {
				mm_session_discard(session);
				rl_set_prompt(PROMPT);
			}
			rl_free_line_state();
			rl_cleanup_after_signal();
			rl_replace_line("", 0);
			rl_crlf();
			rl_on_new_line();
			rl_reset_after_signal();
			rl_redisplay();
			continue;
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (r > 0 && FD_ISSET(in, &fds))
			rl_callback_read_char();
	}
	rl_callback_handler_remove();
	free(history_path);
	if (wake[0] >= 0) {
		close(wake[0]);
		close(wake[1]);
		wake[0] = wake[1] = -1;
	}
	return 0;
}

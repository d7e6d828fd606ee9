/* main.c — the mmcalc command: argument parsing, script mode, the REPL.
 * The only place that touches argv, stdout, stderr, exit codes and the
 * terminal; everything else is libmmcalc. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mmcalc/buf.h"
#include "mmcalc/device.h"
#include "mmcalc/gemm.h"
#include "mmcalc/interrupt.h"
#include "mmcalc/session.h"

#define VERSION "0.1.0"

static void usage(FILE *f)
{
	fputs("usage: mmcalc [OPTION]... [FILE]...\n"
	      "A calculator for matrix expressions: shapes, FLOPs, bytes, and real\n"
	      "execution through its own GEMM kernel.\n"
	      "\n"
	      "  -e, --expr EXPR   run EXPR (repeatable), then exit\n"
	      "  -i, --interactive start the prompt even when not on a terminal\n"
	      "      --json        one JSON object per result line\n"
	      "      --echo        print each statement as 'mm> LINE' before its output\n"
	      "  -q, --quiet       no banner at the prompt\n"
	      "      --no-init     do not run $XDG_CONFIG_HOME/mmcalc/init.mm\n"
	      "  -h, --help        this help\n"
	      "      --version     the version\n"
	      "\n"
	      "With no FILE and no -e, statements are read from standard input;\n"
	      "when it and standard output are terminals, at a prompt.\n"
	      "Exit status: 0 all statements succeeded, 1 some failed, 2 usage or\n"
	      "unreadable files, 130 interrupted. See man mmcalc.\n",
	      f);
}

/* ---- results ---- */

void cli_emit(void *ctx, const mm_result *r)
{
	const cli_opts *o = ctx;
	if (r->kind == MM_R_ERROR) {
		char buf[4096];
		fflush(stdout);
		mm_diag_render(r->diag, r->file, r->line, r->src, r->src_len, buf,
		               sizeof buf);
		if (o->color) {
			/* Colour the word "error:" and the caret line only. */
			char *e = strstr(buf, " error: ");
			if (e) {
				fwrite(buf, 1, (size_t)(e - buf) + 1, stderr);
				fputs("\033[1;31merror:\033[0m", stderr);
				fputs(e + 7, stderr);
			} else {
				fputs(buf, stderr);
			}
		} else {
			fputs(buf, stderr);
		}
		if (o->json && r->json) {
			fputs(r->json, stdout);
			fputc('\n', stdout);
		}
		return;
	}
	if (o->json) {
		if (r->json) {
			fputs(r->json, stdout);
			fputc('\n', stdout);
		}
		return;
	}
	fputs(r->text, stdout);
}

/* ---- script mode ---- */

static volatile sig_atomic_t script_interrupted;

static void on_sigint_script(int sig)
{
	(void)sig;
	script_interrupted = 1;
	mm_interrupt_request();
}

/* --echo: the line as typed at the prompt, so that a script's output reads
 * as a session transcript. */
static void echo_line(const cli_opts *o, const char *line, size_t n)
{
	if (!o->echo)
		return;
	fputs("mm> ", stdout);
	fwrite(line, 1, n, stdout);
	fputc('\n', stdout);
}

/* Runs a stream line by line. Returns the number of failed statements, or
 * -1 when the stream could not be read. */
static long run_stream(mm_session *s, FILE *f, const char *name, cli_opts *o)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0, failed = 0;
	while (!script_interrupted && (n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			n--;
		echo_line(o, line, (size_t)n);
		failed += mm_session_run(s, name, lineno, line, (size_t)n, cli_emit, o);
		if (mm_session_quit(s))
			break;
	}
	bool bad = ferror(f);
	free(line);
	return bad ? -1 : failed;
}

/* Runs the -e expressions, then the files ("-": standard input, unless
 * stdin_ok is false because it is the prompt's), in one session. Returns
 * the number of failed statements; *unreadable is set when a file could
 * not be opened or read. */
static long run_args(mm_session *s, const char **exprs, int nexpr,
                     const char **files, int nfile, cli_opts *o, bool stdin_ok,
                     bool *unreadable)
{
	long failed = 0;
	for (int i = 0; i < nexpr && !mm_session_quit(s) && !script_interrupted; i++) {
		echo_line(o, exprs[i], strlen(exprs[i]));
		failed += mm_session_run(s, "<arg>", i + 1, exprs[i], strlen(exprs[i]),
		                         cli_emit, o);
	}
	for (int i = 0; i < nfile && !mm_session_quit(s) && !script_interrupted; i++) {
		bool is_stdin = !strcmp(files[i], "-");
		FILE *f = is_stdin ? (stdin_ok ? stdin : NULL) : fopen(files[i], "r");
		if (!f) {
			fflush(stdout);
			fprintf(stderr, "mmcalc: cannot open %s: %s\n", files[i],
			        is_stdin ? "standard input is the prompt's" : strerror(errno));
			*unreadable = true;
			continue;
		}
		long r = run_stream(s, f, is_stdin ? "<stdin>" : files[i], o);
		if (r < 0) {
			fflush(stdout);
			fprintf(stderr, "mmcalc: cannot read %s: %s\n", files[i],
			        strerror(errno));
			*unreadable = true;
		} else {
			failed += r;
		}
		if (!is_stdin)
			fclose(f);
	}
	return failed;
}

/* The command line: options into *o, -e expressions and files into the
 * arrays (room for argc each). Returns -1 to go on, else the exit status
 * (--help, --version, a usage error). */
static int parse_args(int argc, char **argv, cli_opts *o, const char **exprs,
                      int *nexpr, const char **files, int *nfile,
                      bool *force_repl)
{
	bool no_more_opts = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (no_more_opts || a[0] != '-' || !a[1]) {
			files[(*nfile)++] = a;
		} else if (!strcmp(a, "--")) {
			no_more_opts = true;
		} else if (!strcmp(a, "--expr")) {
			if (++i >= argc) {
				fprintf(stderr, "mmcalc: %s needs an expression\n", a);
				usage(stderr);
				return 2;
			}
			exprs[(*nexpr)++] = argv[i];
		} else if (!strncmp(a, "--expr=", 7)) {
			exprs[(*nexpr)++] = a + 7;
		} else if (!strcmp(a, "--interactive")) {
			*force_repl = true;
		} else if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (!strcmp(a, "--echo")) {
			o->echo = true;
		} else if (!strcmp(a, "--quiet")) {
			o->quiet = true;
		} else if (!strcmp(a, "--no-init")) {
			o->no_init = true;
		} else if (!strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("mmcalc " VERSION "\n");
			return 0;
		} else if (a[1] != '-') {
			/* Short options, alone or run together as getopt
			 * takes them: -i -q, -iq, -qe EXPR, -eEXPR. */
			for (const char *p = a + 1; *p; p++) {
				if (*p == 'i') {
					*force_repl = true;
				} else if (*p == 'q') {
					o->quiet = true;
				} else if (*p == 'h') {
					usage(stdout);
					return 0;
				} else if (*p == 'e' && p[1]) {
					exprs[(*nexpr)++] = p + 1;
					break;
				} else if (*p == 'e' && i + 1 < argc) {
					exprs[(*nexpr)++] = argv[++i];
					break;
				} else {
					if (*p == 'e')
						fprintf(stderr, "mmcalc: -e needs an "
						        "expression\n");
					else if (a[2])
						fprintf(stderr, "mmcalc: unknown option "
						        "'-%c' in '%s'\n", *p, a);
					else
						fprintf(stderr, "mmcalc: unknown option "
						        "'%s'\n", a);
					usage(stderr);
					return 2;
				}
			}
		} else {
			fprintf(stderr, "mmcalc: unknown option '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}

	return -1;
}

int main(int argc, char **argv)
{
	/* The GEMM's kernels, before any product runs: a set this CPU
	 * cannot run (or an unknown name) is ignored. */
	const char *isa = getenv("MMCALC_ISA");
	if (isa && *isa)
		(void)mm_gemm_set_isa(isa);
	cli_opts o = {0};
	const char **exprs = calloc((size_t)argc + 1, sizeof *exprs);
	const char **files = calloc((size_t)argc + 1, sizeof *files);
	int nexpr = 0, nfile = 0;
	bool force_repl = false;
	if (!exprs || !files) {
		fputs("mmcalc: out of memory\n", stderr);
		free(exprs);
		free(files);
		return 2;
	}
	int done = parse_args(argc, argv, &o, exprs, &nexpr, files, &nfile,
	                      &force_repl);
	if (done >= 0) {
		free(exprs);
		free(files);
		return done;
	}

	mm_session *s = mm_session_new();
	if (!s) {
		fputs("mmcalc: out of memory\n", stderr);
		free(exprs);
		free(files);
		return 2;
	}
	mm_session_set_json(s, o.json);
	mm_buf cache = MM_BUF_INIT;
	if (mm_device_cache_path(&cache, getenv("XDG_CACHE_HOME"), getenv("HOME")))
		mm_session_set_cache_path(s, mm_buf_str(&cache));
	mm_buf_free(&cache);

	bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	int status;
	if (force_repl || (tty && nexpr == 0 && nfile == 0)) {
		o.color = isatty(STDERR_FILENO) && !getenv("NO_COLOR");
		/* -i with -e or files, as python -i: run them, then the prompt
		 * in the same session. */
		bool unreadable = false;
		run_args(s, exprs, nexpr, files, nfile, &o, false, &unreadable);
		fflush(stdout);
		status = mm_session_quit(s) ? 0 : cli_repl(s, &o);
	} else {
		/* Script mode: quiet, buffered, never a question. */
		static char outbuf[1 << 16];
		setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_sigint_script;
		sigaction(SIGINT, &sa, NULL);
		bool unreadable = false;
		long failed = run_args(s, exprs, nexpr, files, nfile, &o, true,
		                       &unreadable);
		if (nexpr == 0 && nfile == 0) {
			long r = run_stream(s, stdin, "<stdin>", &o);
			if (r < 0) {
				fflush(stdout);
				fprintf(stderr, "mmcalc: cannot read standard input\n");
				unreadable = true;
			} else {
				failed += r;
			}
		}
		if (fflush(stdout) != 0 && errno != EPIPE)
			unreadable = true;
		status = script_interrupted ? 130 : unreadable ? 2 : failed ? 1 : 0;
	}
	mm_session_free(s);
	free(exprs);
	free(files);
	return status;
}

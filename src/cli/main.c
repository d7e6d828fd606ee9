/* main.c — the mmcalc command: argument parsing, script mode, the REPL.
 * The only place that touches argv, stdout, stderr, exit codes and the
 * terminal; everything else is libmmcalc. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "mmcalc/buf.h"
#include "mmcalc/device.h"
#include "mmcalc/gemm.h"
#include "mmcalc/gemm_lowp.h"
#include "mmcalc/dtype_round.h"
#include "mmcalc/vmath.h"
#include "mmcalc/interrupt.h"
#include "mmcalc/io.h"
#include "mmcalc/model.h"
#include "mmcalc/session.h"


/* After a usage error: one line more, as GNU tools say it. */
static void try_help(void)
{
	cli_errf("Try 'mmcalc --help' for more information.\n");
}

static void usage(void)
{
	cli_puts("usage: mmcalc [OPTION]... [FILE]...\n"
	      "A calculator for matrix expressions: shapes, FLOPs, bytes, and real\n"
	      "execution through its own GEMM kernel.\n"
	      "\n"
	      "  -e, --expr EXPR   run EXPR (repeatable), then exit\n"
	      "  -i, --interactive start the prompt even when not on a terminal\n"
	      "      --json        one JSON object per result line\n"
	      "      --ascii       charts and share bars in plain ASCII\n"
	      "      --echo        print each statement as 'mm> LINE' before its output\n"
	      "  -q, --quiet       no banner at the prompt\n"
	      "      --no-init     do not run $XDG_CONFIG_HOME/mmcalc/init.mm\n"
	      "      --root DIR    the files statements name must be beneath DIR\n"
	      "  -h, --help        this help\n"
	      "      --version     the version\n"
	      "\n"
	      "With no FILE and no -e, statements are read from standard input;\n"
	      "when it and standard output are terminals, at a prompt.\n"
	      "Exit status: 0 all statements succeeded, 1 some failed, 2 usage,\n"
	      "unreadable files or output that could not be written, 130\n"
	      "interrupted. See man mmcalc.\n");
}

/* ---- results ---- */

void cli_emit(void *ctx, const mm_result *r)
{
	const cli_opts *o = ctx;
	if (r->kind == MM_R_ERROR || r->kind == MM_R_WARNING) {
		char buf[4096];
		size_t n = mm_diag_render(r->diag, r->file, r->line, r->src,
		                          r->src_len, buf, sizeof buf);
		/* Colour the word "error:" only. */
		char *e = o->color ? strstr(buf, " error: ") : NULL;
		if (e) {
			static const char red[] = " \033[1;31merror:\033[0m";
			cli_err(buf, (size_t)(e - buf));
			cli_err(red, sizeof red - 1);
			cli_err(e + 7, n - (size_t)(e + 7 - buf));
		} else {
			cli_err(buf, n);
		}
		if (o->json && r->json) {
			cli_puts(r->json);
			cli_out("\n", 1);
		}
		return;
	}
	if (o->json) {
		if (r->json) {
			cli_puts(r->json);
			cli_out("\n", 1);
		}
		return;
	}
	cli_puts(r->text);
}

/* ---- script mode ---- */

static volatile sig_atomic_t script_interrupted;

static void on_sigint_script(int sig)
{
	(void)sig;
	/* A second Ctrl-C while the first is not yet acted on ends the
	 * program at once, leaving no temporary file. */
	if (script_interrupted) {
		mm_io_remove_pending();
		_exit(130);
	}
	script_interrupted = 1;
	mm_interrupt_request();
}

bool cli_stop(const mm_session *s)
{
	return mm_session_quit(s) || script_interrupted || cli_output_failed();
}

/* --echo: the line as typed at the prompt, so that a script's output reads
 * as a session transcript. */
static void echo_line(const cli_opts *o, const char *line, size_t n)
{
	if (!o->echo)
		return;
	cli_out("mm> ", 4);
	cli_out(line, n);
	cli_out("\n", 1);
}

long cli_run_text(mm_session *s, const char *name, const char *text,
                  size_t len, cli_opts *o)
{
	long lineno = 0, failed = 0;
	for (size_t i = 0; i < len && !cli_stop(s);) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
		lineno++;
		echo_line(o, text + i, n);
		failed += mm_session_run(s, name, lineno, text + i, n, cli_emit, o);
		i += n + 1;
	}
	/* a definition left open at the end of the file */
	return failed + mm_session_flush(s, cli_emit, o);
}

/* Runs standard input line by line as it arrives, each line at most
 * MM_IO_TEXT_MAX bytes (a longer one is an error and is skipped).
 * Returns the number of failed statements, or -1 when it could not be
 * read (the reason already said). */
static long run_stdin(mm_session *s, cli_opts *o)
{
	mm_io_lines l;
	mm_io_lines_init(&l, STDIN_FILENO, "<stdin>", 0);
	long failed = 0;
	int r = 0;
	while (!cli_stop(s)) {
		const char *line;
		size_t n;
		mm_diag d;
		if ((r = mm_io_lines_next(&l, &line, &n, &d)) == 0)
			break;
		if (r > 0) {
			echo_line(o, line, n);
			failed += mm_session_run(s, "<stdin>", l.lineno, line, n,
			                         cli_emit, o);
			continue;
		}
		if (d.code == MM_ERR_INTERRUPTED)
			break; /* script_interrupted says so */
		cli_errf("mmcalc: %s\n", d.message);
		if (d.code != MM_ERR_LIMIT)
			break;
		failed++; /* a line too long fails; the next ones run */
		r = 0;
	}
	mm_io_lines_free(&l);
	failed += mm_session_flush(s, cli_emit, o);
	return r < 0 && !script_interrupted ? -1 : failed;
}

/* Runs a script file: read whole (at most MM_IO_TEXT_MAX bytes, never a
 * device), then line by line. -1 when it could not be read. */
static long run_file(mm_session *s, const char *path, cli_opts *o)
{
	char *text;
	size_t len;
	mm_diag d;
	if (mm_io_read_text(path, 0, &text, &len, &d) != MM_OK) {
		if (d.code != MM_ERR_INTERRUPTED)
			cli_errf("mmcalc: %s\n", d.message);
		return -1;
	}
	long failed = cli_run_text(s, path, text, len, o);
	free(text);
	return failed;
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
	for (int i = 0; i < nexpr && !cli_stop(s); i++) {
		echo_line(o, exprs[i], strlen(exprs[i]));
		failed += mm_session_run(s, "<arg>", i + 1, exprs[i], strlen(exprs[i]),
		                         cli_emit, o);
	}
	failed += mm_session_flush(s, cli_emit, o);
	for (int i = 0; i < nfile && !cli_stop(s); i++) {
		long r;
		if (strcmp(files[i], "-") != 0) {
			r = run_file(s, files[i], o);
		} else if (stdin_ok) {
			r = run_stdin(s, o);
		} else {
			cli_errf("mmcalc: cannot open -: standard input is the "
			         "prompt's\n");
			r = -1;
		}
		if (r < 0)
			*unreadable = true;
		else
			failed += r;
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
				cli_errf("mmcalc: %s needs an expression\n", a);
				try_help();
				return 2;
			}
			exprs[(*nexpr)++] = argv[i];
		} else if (!strncmp(a, "--expr=", 7)) {
			exprs[(*nexpr)++] = a + 7;
		} else if (!strcmp(a, "--root") || !strncmp(a, "--root=", 7)) {
			if (!a[6] && ++i >= argc) {
				cli_errf("mmcalc: %s needs a directory\n", a);
				try_help();
				return 2;
			}
			o->root = a[6] ? a + 7 : argv[i];
		} else if (!strcmp(a, "--interactive")) {
			*force_repl = true;
		} else if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (!strcmp(a, "--ascii")) {
			o->ascii = true;
		} else if (!strcmp(a, "--echo")) {
			o->echo = true;
		} else if (!strcmp(a, "--quiet")) {
			o->quiet = true;
		} else if (!strcmp(a, "--no-init")) {
			o->no_init = true;
		} else if (!strcmp(a, "--help")) {
			usage();
			return 0;
		} else if (!strcmp(a, "--version")) {
			cli_puts("mmcalc ");
			cli_puts(mm_version());
			cli_puts("\n");
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
					usage();
					return 0;
				} else if (*p == 'e' && p[1]) {
					exprs[(*nexpr)++] = p + 1;
					break;
				} else if (*p == 'e' && i + 1 < argc) {
					exprs[(*nexpr)++] = argv[++i];
					break;
				} else {
					if (*p == 'e')
						cli_errf("mmcalc: -e needs an "
						         "expression\n");
					else if (a[2])
						cli_errf("mmcalc: unknown option "
						         "'-%c' in '%s'\n", *p, a);
					else
						cli_errf("mmcalc: unknown option "
						         "'%s'\n", a);
					try_help();
					return 2;
				}
			}
		} else {
			cli_errf("mmcalc: unknown option '%s'\n", a);
			try_help();
			return 2;
		}
	}

	return -1;
}

/* Whether the locale's characters are UTF-8: the first of LC_ALL,
 * LC_CTYPE and LANG that is set says (no setlocale: nothing else here
 * depends on the locale). */
static bool utf8_locale(void)
{
	static const char *const vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
	for (int k = 0; k < 3; k++) {
		const char *v = getenv(vars[k]);
		if (!v || !*v)
			continue;
		for (const char *p = v; *p; p++)
			if ((p[0] == 'U' || p[0] == 'u') && (p[1] == 'T' || p[1] == 't') &&
			    (p[2] == 'F' || p[2] == 'f') &&
			    (p[3] == '8' || (p[3] == '-' && p[4] == '8')))
				return true;
		return false;
	}
	return false;
}

/* What charts are drawn for: the terminal's columns (COLUMNS when set,
 * else its size) and colour unless NO_COLOR is set, when standard output
 * is a terminal, else 80 columns and no colour; Unicode when the locale
 * is UTF-8, unless --ascii. */
static void chart_terminal(mm_session *s, const cli_opts *o)
{
	int width = 80;
	bool tty = isatty(STDOUT_FILENO);
	if (tty) {
		const char *cols = getenv("COLUMNS");
		struct winsize ws;
		char *end;
		long n = cols ? strtol(cols, &end, 10) : 0;
		if (cols && *cols && !*end && n > 0 && n <= 100000)
			width = (int)n;
		else if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
			width = ws.ws_col;
	}
	mm_session_set_terminal(s, width < 30 ? 30 : width > 1000 ? 1000 : width,
	                        !o->ascii && utf8_locale(),
	                        tty && !getenv("NO_COLOR"));
}

/* Where :model finds presets: $MMCALC_MODELS when set, else the build
 * tree's copy beside the executable (share/mmcalc/models) before the
 * installed ones. */
static void set_model_path(void)
{
	const char *env = getenv("MMCALC_MODELS");
	if (env && *env) {
		mm_model_set_path(env);
		return;
	}
	char exe[4096], dir[8192];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	struct stat sb;
	snprintf(dir, sizeof dir, "%s/share/mmcalc/models", exe);
	if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		size_t len = strlen(dir);
		snprintf(dir + len, sizeof dir - len, ":%s", mm_model_path());
		mm_model_set_path(dir);
	}
}

/* MMCALC_ISA: every module on at most that instruction set: the f32 and
 * f64 GEMM, vmath and the rounding to narrow dtypes on the path of that
 * name; the bf16 and i8 GEMMs on their best AVX-512 paths (AVX512_BF16
 * or the FMA, AVX512_VNNI) for avx512, on the portable one for less. A
 * path this CPU or build lacks is left at the default (the modules say so
 * by -1). */
static void set_isa(const char *isa)
{
	if (mm_gemm_set_isa(isa) != 0)
		return; /* an unknown name or a set this CPU cannot run */
	(void)mm_vmath_set_isa(isa);
	(void)mm_dtype_round_set_isa(isa);
	bool wide = strcmp(isa, "avx512") == 0;
	if (mm_gemm_bf16_set_isa(wide ? "avx512" : "generic") != 0)
		(void)mm_gemm_bf16_set_isa("generic");
	if (mm_gemm_i8_set_isa(wide ? "avx512" : "generic") != 0)
		(void)mm_gemm_i8_set_isa("generic");
}

int main(int argc, char **argv)
{
	/* The GEMM's kernels, before any product runs: a set this CPU
	 * cannot run (or an unknown name) is ignored. */
	const char *isa = getenv("MMCALC_ISA");
	if (isa && *isa)
		set_isa(isa);
	cli_opts o = {0};
	const char **exprs = calloc((size_t)argc + 1, sizeof *exprs);
	const char **files = calloc((size_t)argc + 1, sizeof *files);
	int nexpr = 0, nfile = 0;
	bool force_repl = false;
	if (!exprs || !files) {
		cli_errf("mmcalc: out of memory\n");
		free(exprs);
		free(files);
		return cli_finish(2);
	}
	int done = parse_args(argc, argv, &o, exprs, &nexpr, files, &nfile,
	                      &force_repl);
	if (done >= 0) {
		free(exprs);
		free(files);
		return cli_finish(done);
	}

	mm_session *s = mm_session_new();
	if (!s) {
		cli_errf("mmcalc: out of memory\n");
		free(exprs);
		free(files);
		return cli_finish(2);
	}
	mm_session_set_json(s, o.json);
	mm_diag d;
	if (o.root && mm_session_set_root(s, o.root, &d) != MM_OK) {
		cli_errf("mmcalc: --root: %s\n", d.message);
		mm_session_free(s);
		free(exprs);
		free(files);
		return cli_finish(2);
	}
	chart_terminal(s, &o);
	set_model_path();
	mm_buf cache = MM_BUF_INIT;
	if (mm_device_cache_path(&cache, getenv("XDG_CACHE_HOME"), getenv("HOME")))
		mm_session_set_cache_path(s, mm_buf_str(&cache));
	mm_buf_free(&cache);
	cli_fatal_signals();

	bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	int status;
	if (force_repl || (tty && nexpr == 0 && nfile == 0)) {
		o.color = isatty(STDERR_FILENO) && !getenv("NO_COLOR");
		/* -i with -e or files, as python -i: run them, then the prompt
		 * in the same session. */
		bool unreadable = false;
		run_args(s, exprs, nexpr, files, nfile, &o, false, &unreadable);
		cli_flush();
		status = mm_session_quit(s) || cli_output_failed()
		                 ? 0 : cli_repl(s, &o);
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
			long r = run_stdin(s, &o);
			if (r < 0)
				unreadable = true;
			else
				failed += r;
		}
		status = script_interrupted ? 130 : unreadable ? 2 : failed ? 1 : 0;
	}
	mm_session_free(s);
	free(exprs);
	free(files);
	return cli_finish(status);
}

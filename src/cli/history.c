/* history.c — the prompt's history file: found as the XDG spec says,
 * read from its end only (a history of any size costs at most a
 * megabyte at start-up), kept under a size limit, appended per line. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <readline/history.h>

#include "cli.h"
#include "mmcalc/io.h"

/* The file is read from its last HISTORY_MAX bytes at most; once it
 * passes them it is cut to its last HISTORY_KEEP bytes (whole lines), so
 * that trimming happens once per ~256 KiB of new lines, not per line. */
#define HISTORY_MAX ((size_t)1 << 20)
#define HISTORY_KEEP ((size_t)768 << 10)
/* Entries kept in memory, and the longest line kept at all (a pasted
 * million-element matrix is not worth recalling). */
#define HISTORY_LINES 10000
#define HISTORY_LINE_MAX ((size_t)64 << 10)

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 1;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s%s", a, b);
	return s;
}

char *cli_history_path(void)
{
	const char *h = getenv("MMCALC_HISTORY");
	if (h && *h)
		return strdup(h);
	/* The XDG spec: a relative path in $XDG_STATE_HOME is invalid and
	 * ignored. */
	const char *state = getenv("XDG_STATE_HOME");
	if (state && state[0] == '/')
		return join(state, "/mmcalc/history");
	const char *home = getenv("HOME");
	if (home && *home)
		return join(home, "/.local/state/mmcalc/history");
	return NULL;
}

/* mkdir -p for the directories of path, each new one 0700. */
static void make_parents(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(path, 0700);
		*p = '/';
	}
}

/* The last `max` bytes of the regular file at path, from the start of a
 * line, into a new buffer (*len bytes); *size gets the file's size.
 * NULL when it cannot be read or is not a regular file. */
static char *read_tail(const char *path, size_t max, size_t *len,
                       off_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	struct stat st;
	char *buf = NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		goto out;
	*size = st.st_size;
	off_t from = st.st_size > (off_t)max ? st.st_size - (off_t)max : 0;
	size_t want = (size_t)(st.st_size - from);
	buf = malloc(want + 1);
	if (!buf)
		goto out;
	size_t got = 0;
	while (got < want) {
		ssize_t k = pread(fd, buf + got, want - got, from + (off_t)got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	size_t start = 0;
	if (from > 0) { /* skip the line cut in two */
		char *nl = memchr(buf, '\n', got);
		start = nl ? (size_t)(nl - buf) + 1 : got;
	}
	memmove(buf, buf + start, got - start);
	*len = got - start;
	buf[*len] = '\0';
out:
	close(fd);
	return buf;
}

/* Cuts the file to its last HISTORY_KEEP bytes of whole lines, as a new
 * file renamed over it (see io.h: a write-protected history stays as it
 * is). Lines another mmcalc appends meanwhile may be lost: a history is
 * not worth a lock. */
static void trim(const char *path)
{
	size_t len;
	off_t size = 0;
	char *tail = read_tail(path, HISTORY_KEEP, &len, &size);
	if (!tail)
		return;
	mm_io_atomic w;
	if ((size_t)size > HISTORY_MAX && mm_io_atomic_open(&w, path, NULL) == MM_OK) {
		if (mm_io_atomic_write(&w, tail, len, NULL) == MM_OK)
			mm_io_atomic_commit(&w, NULL);
		else
			mm_io_atomic_abort(&w);
	}
	free(tail);
}

void cli_history_load(const char *path)
{
	using_history();
	stifle_history(HISTORY_LINES);
	if (!path)
		return;
	char *p = strdup(path);
	if (p) {
		make_parents(p);
		free(p);
	}
	size_t len;
	off_t size = 0;
	char *text = read_tail(path, HISTORY_MAX, &len, &size);
	if (text) {
		for (char *s = text; s < text + len;) {
			char *nl = memchr(s, '\n', (size_t)(text + len - s));
			size_t n = nl ? (size_t)(nl - s) : (size_t)(text + len - s);
			s[n] = '\0';
			if (n > 0 && n <= HISTORY_LINE_MAX)
				add_history(s);
			s += n + 1;
		}
		free(text);
		if ((size_t)size > HISTORY_MAX)
			trim(path);
	}
	/* Make sure the file exists so append_history can add to it. */
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NONBLOCK,
	              0600);
	if (fd >= 0)
		close(fd);
}

void cli_history_add(const char *path, const char *line)
{
	if (!*line || strlen(line) > HISTORY_LINE_MAX)
		return;
	add_history(line);
	if (!path)
		return;
	struct stat st;
	/* Only a regular file: appending to a FIFO would wait for a reader. */
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	append_history(1, path);
	if (stat(path, &st) == 0 && (size_t)st.st_size > HISTORY_MAX)
		trim(path);
}

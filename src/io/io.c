/* io.c — byte readers over fds and memory, and atomic saving. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmcalc/interrupt.h"
#include "mmcalc/io.h"

/* Large enough that the per-call cost vanishes next to the copy, small
 * enough that Ctrl-C is seen within a few milliseconds. */
#define CHUNK ((size_t)16 << 20)

static const mm_span nospan = {0, 0};

mm_code mm_io_open_read(const char *path, int *fd, struct stat *st,
                        mm_diag *d)
{
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return errno == EINTR
		               ? mm_diag_set(d, MM_ERR_INTERRUPTED, nospan,
		                             "%s: interrupted while opening", path)
		               : mm_diag_set(d, MM_ERR_IO, nospan,
		                             "%s: cannot open: %s", path,
		                             strerror(errno));
	mm_code c = MM_OK;
	if (fstat(*fd, st) != 0)
		c = mm_diag_set(d, MM_ERR_IO, nospan, "%s: cannot stat: %s", path,
		                strerror(errno));
	else if (S_ISDIR(st->st_mode))
		c = mm_diag_set(d, MM_ERR_IO, nospan,
		                "%s: is a directory, not a file", path);
	if (c != MM_OK) {
		close(*fd);
		*fd = -1;
	}
	return c;
}

void mm_io_reader_fd(mm_io_reader *r, int fd, const char *name)
{
	memset(r, 0, sizeof *r);
	r->fd = fd;
	r->name = name ? name : "(input)";
	r->size = -1;
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		off_t at = lseek(fd, 0, SEEK_CUR);
		if (at >= 0 && at <= st.st_size)
			r->size = (int64_t)(st.st_size - at);
	}
}

void mm_io_reader_mem(mm_io_reader *r, const void *p, size_t len,
                      const char *name)
{
	memset(r, 0, sizeof *r);
	r->fd = -1;
	r->mem = p;
	r->mem_len = len;
	r->size = (int64_t)len;
	r->name = name ? name : "(memory)";
}

int64_t mm_io_reader_left(const mm_io_reader *r)
{
	if (r->size < 0)
		return -1;
	if (r->pos >= (uint64_t)r->size)
		return 0;
	return r->size - (int64_t)r->pos;
}

int64_t mm_io_read(mm_io_reader *r, void *buf, size_t n, mm_diag *d)
{
	unsigned char *p = buf;
	size_t got = 0;
	while (got < n) {
		if (mm_interrupted()) {
			mm_diag_set(d, MM_ERR_INTERRUPTED, nospan,
			            "%s: reading interrupted", r->name);
			return -1;
		}
		size_t want = n - got < CHUNK ? n - got : CHUNK;
		if (r->fd < 0) {
			size_t left = r->pos < r->mem_len
			                  ? r->mem_len - (size_t)r->pos : 0;
			if (want > left)
				want = left;
			if (want == 0)
				break;
			memcpy(p + got, r->mem + r->pos, want);
			got += want;
			r->pos += want;
			continue;
		}
		ssize_t k = read(r->fd, p + got, want);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			mm_diag_set(d, MM_ERR_IO, nospan, "%s: cannot read: %s",
			            r->name, strerror(errno));
			return -1;
		}
		if (k == 0)
			break;
		got += (size_t)k;
		r->pos += (uint64_t)k;
	}
	return (int64_t)got;
}

mm_code mm_io_read_all(mm_io_reader *r, size_t max, char **out, size_t *len,
                       mm_diag *d)
{
	*out = NULL;
	*len = 0;
	int64_t left = mm_io_reader_left(r);
	if (left >= 0 && max && (uint64_t)left > max)
		return mm_diag_set(d, MM_ERR_LIMIT, nospan,
		                   "%s: file of %lld bytes is over the limit of "
		                   "%zu bytes", r->name, (long long)left, max);
	size_t cap = left >= 0 ? (size_t)left + 1 : 65536;
	size_t n = 0;
	char *b = malloc(cap);
	if (!b)
		return mm_diag_set(d, MM_ERR_NOMEM, nospan,
		                   "%s: out of memory reading the file", r->name);
	for (;;) {
		if (n + 1 >= cap) {
			if (cap > SIZE_MAX / 2) {
				free(b);
				return mm_diag_set(d, MM_ERR_LIMIT, nospan,
				                   "%s: file too large", r->name);
			}
			char *nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				return mm_diag_set(d, MM_ERR_NOMEM, nospan,
				                   "%s: out of memory reading the "
				                   "file", r->name);
			}
			b = nb;
			cap *= 2;
		}
		size_t req = cap - 1 - n;
		int64_t k = mm_io_read(r, b + n, req, d);
		if (k < 0) {
			free(b);
			return d ? d->code : MM_ERR_IO;
		}
		n += (size_t)k;
		if (max && n > max) {
			free(b);
			return mm_diag_set(d, MM_ERR_LIMIT, nospan,
			                   "%s: file is over the limit of %zu "
			                   "bytes", r->name, max);
		}
		if ((size_t)k < req || (left >= 0 && n == (size_t)left))
			break; /* end of input */
	}
	b[n] = '\0';
	*out = b;
	*len = n;
	return MM_OK;
}

/* --- atomic saving */

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static void release(mm_io_atomic *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	free(w->path);
	free(w->tmp);
	w->path = w->tmp = NULL;
}

mm_code mm_io_atomic_open(mm_io_atomic *w, const char *path, mm_diag *d)
{
	memset(w, 0, sizeof *w);
	w->fd = -1;
	if (!path || !*path)
		return mm_diag_set(d, MM_ERR_ARG, nospan,
		                   "cannot save: empty file name");
	/* Saving through a symlink replaces the file it points to, not the
	 * link: write beside the real file so rename stays atomic. */
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		w->path = realpath(path, NULL);
	if (!w->path)
		w->path = dup_n(path, strlen(path));
	if (!w->path)
		goto nomem;
	size_t plen = strlen(w->path);
	if (w->path[plen - 1] == '/') {
		mm_diag_set(d, MM_ERR_IO, nospan,
		            "%s: cannot save: the name is a directory", path);
		release(w);
		return MM_ERR_IO;
	}
	const char *slash = strrchr(w->path, '/');
	size_t dirlen = slash ? (size_t)(slash - w->path) + 1 : 0;
	const char *base = w->path + dirlen;
	size_t blen = strlen(base);
	w->tmp = malloc(dirlen + blen + 10);
	if (!w->tmp)
		goto nomem;
	memcpy(w->tmp, w->path, dirlen);
	w->tmp[dirlen] = '.';
	memcpy(w->tmp + dirlen + 1, base, blen);
	memcpy(w->tmp + dirlen + 1 + blen, ".XXXXXX", 8);
	w->fd = mkostemp(w->tmp, O_CLOEXEC);
	if (w->fd < 0) {
		int e = errno;
		if (dirlen)
			w->path[dirlen - 1 ? dirlen - 1 : 1] = '\0';
		mm_diag_set(d, MM_ERR_IO, nospan,
		            "%s: cannot save: cannot create a file in '%s': %s",
		            path, dirlen ? w->path : ".", strerror(e));
		free(w->tmp);
		w->tmp = NULL;
		release(w);
		return MM_ERR_IO;
	}
	return MM_OK;
nomem:
	release(w);
	return mm_diag_set(d, MM_ERR_NOMEM, nospan,
	                   "%s: cannot save: out of memory", path);
}

mm_code mm_io_atomic_write(mm_io_atomic *w, const void *buf, size_t n,
                           mm_diag *d)
{
	const unsigned char *p = buf;
	size_t done = 0;
	while (done < n) {
		if (mm_interrupted())
			return mm_diag_set(d, MM_ERR_INTERRUPTED, nospan,
			                   "%s: saving interrupted", w->path);
		size_t want = n - done < CHUNK ? n - done : CHUNK;
		ssize_t k = write(w->fd, p + done, want);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return mm_diag_set(d, MM_ERR_IO, nospan,
			                   "%s: cannot save: write failed: %s",
			                   w->path, strerror(errno));
		}
		if (k == 0)
			return mm_diag_set(d, MM_ERR_IO, nospan,
			                   "%s: cannot save: write wrote nothing",
			                   w->path);
		done += (size_t)k;
		w->written += (uint64_t)k;
	}
	return MM_OK;
}

static void sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? dup_n(path, slash == path ? 1
	                                  : (size_t)(slash - path))
	                  : dup_n(".", 1);
	if (!dir)
		return;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd); /* best effort: the rename itself has happened */
		close(fd);
	}
	free(dir);
}

mm_code mm_io_atomic_commit(mm_io_atomic *w, mm_diag *d)
{
	const char *what;
	struct stat st;
	mode_t mode;
	if (stat(w->path, &st) == 0) {
		mode = st.st_mode & 07777;
	} else {
		mode_t mask = umask(022);
		umask(mask);
		mode = 0666 & ~mask;
	}
	what = "fsync failed";
	if (fsync(w->fd) != 0)
		goto fail;
	what = "cannot set permissions";
	if (fchmod(w->fd, mode) != 0)
		goto fail;
	what = "close failed";
	int fd = w->fd;
	w->fd = -1;
	if (close(fd) != 0)
		goto fail;
	what = "rename failed";
	if (rename(w->tmp, w->path) != 0)
		goto fail;
	sync_dir(w->path);
	free(w->tmp);
	w->tmp = NULL;
	release(w);
	return MM_OK;
fail:;
	int e = errno;
	mm_diag_set(d, MM_ERR_IO, nospan, "%s: cannot save: %s: %s", w->path,
	            what, strerror(e));
	mm_io_atomic_abort(w);
	return MM_ERR_IO;
}

void mm_io_atomic_abort(mm_io_atomic *w)
{
	if (!w->tmp && !w->path)
		return;
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	if (w->tmp)
		unlink(w->tmp);
	release(w);
}

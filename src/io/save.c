/* save.c — atomic saving (a new temporary file renamed over the target),
 * the rules for what may be replaced, the user's private state and cache
 * files, and the table of temporary files a signal handler removes. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mmcalc/interrupt.h"
#include "mmcalc/io.h"
#include "mmcalc/path.h"

static const mm_span nospan = {0, 0};

/* Large enough that the per-call cost vanishes next to the copy, small
 * enough that Ctrl-C is seen within a few milliseconds. */
#define CHUNK ((size_t)16 << 20)
/* Symbolic links followed from a target at most (as the kernel's 40). */
#define MAX_LINKS 40
/* Characters of the target's name kept in a temporary file's name, so
 * that "." + name + "." + suffix stays within NAME_MAX. */
#define TMP_BASE 200
#define TMP_SUFFIX 8

/* ---- temporary files a signal handler removes ----
 * A slot holds a directory descriptor and a name in it. It is filled
 * while `used` is 0 and published by setting `used` (a sig_atomic_t,
 * after a signal fence), so a handler running at any moment sees either
 * nothing or a complete entry; unlinkat() is async-signal-safe. */
enum { PENDING = 8 };
static struct pending {
	volatile sig_atomic_t used;
	int dirfd;
	char name[NAME_MAX + 1];
} pending[PENDING];
static pthread_mutex_t pending_mu = PTHREAD_MUTEX_INITIALIZER;

static int pending_add(int dirfd, const char *name)
{
	int slot = -1;
	pthread_mutex_lock(&pending_mu);
	for (int i = 0; i < PENDING; i++)
		if (!pending[i].used) {
			slot = i;
			break;
		}
	if (slot >= 0) {
		pending[slot].dirfd = dirfd;
		snprintf(pending[slot].name, sizeof pending[slot].name, "%s",
		         name);
		atomic_signal_fence(memory_order_seq_cst);
		pending[slot].used = 1;
	}
	pthread_mutex_unlock(&pending_mu);
	return slot;
}

static void pending_drop(int slot)
{
	if (slot < 0)
		return;
	pending[slot].used = 0;
	atomic_signal_fence(memory_order_seq_cst);
}

void mm_io_remove_pending(void)
{
	int e = errno;
	for (int i = 0; i < PENDING; i++)
		if (pending[i].used) {
			unlinkat(pending[i].dirfd, pending[i].name, 0);
			pending[i].used = 0;
		}
	errno = e;
}

/* ---- names ---- */

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* Splits path into a new directory string ("." for none, "/" for the
 * root) and a pointer to its last component (inside path). */
static char *split(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	if (!slash) {
		*base = path;
		return dup_n(".", 1);
	}
	*base = slash + 1;
	return dup_n(path, slash == path ? 1 : (size_t)(slash - path));
}

/* TMP_SUFFIX random letters and digits. */
static void random_suffix(char *out)
{
	static const char set[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	static atomic_uint counter;
	unsigned char r[TMP_SUFFIX];
	if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		uint64_t x = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 20 ^
		             (uint64_t)getpid() << 40 ^
		             (uint64_t)atomic_fetch_add(&counter, 1) * 0x9e3779b97f4a7c15u;
		for (size_t i = 0; i < sizeof r; i++) {
			x ^= x >> 29;
			x *= 0xbf58476d1ce4e5b9u;
			r[i] = (unsigned char)(x >> 56);
		}
	}
	for (size_t i = 0; i < sizeof r; i++)
		out[i] = set[r[i] % (sizeof set - 1)];
	out[TMP_SUFFIX] = '\0';
}

/* Creates ".BASE.XXXXXXXX" in dirfd with O_EXCL (never an existing file,
 * never through a link), recorded for mm_io_remove_pending before it
 * exists. Returns the descriptor, or -1 with errno set; *slot and name
 * (NAME_MAX + 1 bytes) are filled on success. */
static int create_temp(int dirfd, const char *base, mode_t mode, char *name,
                       int *slot)
{
	for (int tries = 0; tries < 64; tries++) {
		char sfx[TMP_SUFFIX + 1];
		random_suffix(sfx);
		snprintf(name, NAME_MAX + 1, ".%.*s.%s", TMP_BASE, base, sfx);
		*slot = pending_add(dirfd, name);
		int fd = openat(dirfd, name,
		                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		                mode);
		if (fd >= 0)
			return fd;
		int e = errno;
		pending_drop(*slot);
		*slot = -1;
		errno = e;
		if (e != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

/* ---- what may be replaced ---- */

/* The rule for replacing an existing file: its permission bits must let
 * the user write it. An ordinary user gets what access(2) says (the
 * owner's, group's or others' w bit, whichever class applies, and ACLs):
 * what `cp` without -f would be refused. Root, whom access() never
 * refuses, is refused when the file has no w bit at all (chmod a-w), so
 * a write-protected file stays protected from root too. */
static bool write_protected(int dirfd, const char *name, const struct stat *st)
{
	if (geteuid() == 0)
		return (st->st_mode & 0222) == 0;
	return faccessat(dirfd, name, W_OK, AT_EACCESS) != 0 && errno == EACCES;
}

/* Checks that the existing target (st) may be replaced: a regular file,
 * not write-protected. */
static mm_code replaceable(const mm_io_atomic *w, const struct stat *st,
                           mm_diag *d)
{
	if (S_ISDIR(st->st_mode))
		return mm_diag_set(d, MM_ERR_IO, nospan,
		                   "%s: cannot save: it is a directory", w->path);
	if (!S_ISREG(st->st_mode))
		return mm_diag_set(d, MM_ERR_IO, nospan,
		                   "%s: cannot save: it is not a regular file "
		                   "(a device, pipe or socket): save replaces "
		                   "regular files only", w->path);
	if (write_protected(w->dirfd, w->name, st)) {
		mm_diag_set(d, MM_ERR_IO, nospan,
		            "%s: cannot save: the file is write-protected "
		            "(mode %04o)", w->path, (unsigned)(st->st_mode & 07777));
		mm_diag_hint(d, "make it writable (chmod u+w) to replace it, or "
		                "save under another name");
		return MM_ERR_IO;
	}
	return MM_OK;
}

/* Moves w to the file a symbolic link w->name in w->dirfd points to; the
 * link's stat is *st. A link is followed only when the user or root owns
 * it: one planted by someone else (in /tmp, say) would otherwise send the
 * rename anywhere the user can write. The kernel's fs.protected_symlinks
 * does not apply here, since the link is read, not opened. */
static mm_code follow(mm_io_atomic *w, const struct stat *st, mm_diag *d)
{
	if (st->st_uid != geteuid() && st->st_uid != 0)
		return mm_diag_set(d, MM_ERR_IO, nospan,
		                   "%s: cannot save: it is a symbolic link owned "
		                   "by another user (uid %ld), not followed",
		                   w->path, (long)st->st_uid);
	char target[PATH_MAX];
	ssize_t n = readlinkat(w->dirfd, w->name, target, sizeof target - 1);
	if (n < 0 || n == (ssize_t)sizeof target - 1)
		return mm_diag_set(d, MM_ERR_IO, nospan,
		                   "%s: cannot save: cannot read the symbolic "
		                   "link: %s", w->path,
		                   n < 0 ? strerror(errno) : "target too long");
	target[n] = '\0';
	const char *base;
	char *dir = split(target, &base);
	if (!dir)
		return mm_diag_set(d, MM_ERR_NOMEM, nospan,
		                   "%s: cannot save: out of memory", w->path);
	int fd = strchr(target, '/')
	                 ? openat(w->dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
	                 : dup(w->dirfd);
	int e = errno;
	free(dir);
	if (fd < 0)
		return mm_diag_set(d, MM_ERR_IO, nospan,
		                   "%s: cannot save: the symbolic link points to "
		                   "'%s', whose directory cannot be opened: %s",
		                   w->path, target, strerror(e));
	char *name = dup_n(base, strlen(base));
	if (!name || !*name) {
		close(fd);
		free(name);
		return mm_diag_set(d, MM_ERR_IO, nospan,
		                   "%s: cannot save: the symbolic link points to "
		                   "the directory '%s'", w->path, target);
	}
	close(w->dirfd);
	w->dirfd = fd;
	free(w->name);
	w->name = name;
	return MM_OK;
}

/* Opens the directory of w->path into w->dirfd and sets w->name, then,
 * unless w->private_file, follows the user's own symbolic links to the
 * file they name. *exists and *st say what is there now. */
static mm_code locate(mm_io_atomic *w, bool *exists, struct stat *st,
                      mm_diag *d)
{
	const char *base;
	char *dir = split(w->path, &base);
	if (!dir)
		return mm_diag_set(d, MM_ERR_NOMEM, nospan,
		                   "%s: cannot save: out of memory", w->path);
	if (!*base) {
		free(dir);
		return mm_diag_set(d, MM_ERR_IO, nospan,
		                   "%s: cannot save: the name is a directory",
		                   w->path);
	}
	w->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->dirfd < 0) {
		int e = errno;
		mm_diag_set(d, MM_ERR_IO, nospan,
		            "%s: cannot save: cannot create a file in '%s': %s",
		            w->path, dir, strerror(e));
		free(dir);
		return MM_ERR_IO;
	}
	free(dir);
	w->name = dup_n(base, strlen(base));
	if (!w->name)
		return mm_diag_set(d, MM_ERR_NOMEM, nospan,
		                   "%s: cannot save: out of memory", w->path);
	for (int links = 0;; links++) {
		if (fstatat(w->dirfd, w->name, st, AT_SYMLINK_NOFOLLOW) != 0) {
			if (errno != ENOENT)
				return mm_diag_set(d, MM_ERR_IO, nospan,
				                   "%s: cannot save: %s", w->path,
				                   strerror(errno));
			if (links > 0)
				return mm_diag_set(d, MM_ERR_IO, nospan,
				                   "%s: cannot save: it is a "
				                   "symbolic link to a file that "
				                   "does not exist (not written "
				                   "through, as cp would not)",
				                   w->path);
			*exists = false;
			return MM_OK;
		}
		/* A private file's name is replaced, link or not: the
		 * rename never writes through a link. */
		if (!S_ISLNK(st->st_mode) || w->private_file) {
			*exists = true;
			return MM_OK;
		}
		if (links == MAX_LINKS)
			return mm_diag_set(d, MM_ERR_IO, nospan,
			                   "%s: cannot save: %s", w->path,
			                   strerror(ELOOP));
		mm_code c = follow(w, st, d);
		if (c != MM_OK)
			return c;
	}
}

static void release(mm_io_atomic *w)
{
	pending_drop(w->slot);
	w->slot = -1;
	if (w->fd >= 0)
		close(w->fd);
	if (w->dirfd >= 0)
		close(w->dirfd);
	w->fd = w->dirfd = -1;
	free(w->path);
	free(w->name);
	free(w->tmp);
	w->path = w->name = w->tmp = NULL;
}

/* The checks of a private directory on an open descriptor. */
static mm_code check_private_dir(int fd, const char *dir, mm_diag *d)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return mm_diag_set(d, MM_ERR_IO, nospan, "%s: cannot stat: %s",
		                   dir, strerror(errno));
	if (st.st_uid != geteuid())
		return mm_diag_set(d, MM_ERR_IO, nospan,
		                   "%s: not used: the directory belongs to another "
		                   "user (uid %ld)", dir, (long)st.st_uid);
	if (st.st_mode & 022)
		return mm_diag_set(d, MM_ERR_IO, nospan,
		                   "%s: not used: others may write in the "
		                   "directory (mode %04o)", dir,
		                   (unsigned)(st.st_mode & 07777));
	return MM_OK;
}

static mm_code atomic_open(mm_io_atomic *w, const char *path, bool private_file,
                           mm_diag *d)
{
	memset(w, 0, sizeof *w);
	w->fd = w->dirfd = w->slot = -1;
	w->private_file = private_file;
	if (!path || !*path)
		return mm_diag_set(d, MM_ERR_ARG, nospan,
		                   "cannot save: empty file name");
	w->path = dup_n(path, strlen(path));
	if (!w->path)
		return mm_diag_set(d, MM_ERR_NOMEM, nospan,
		                   "%s: cannot save: out of memory", path);
	bool exists;
	struct stat st;
	mm_code c = locate(w, &exists, &st, d);
	if (c == MM_OK && private_file) {
		char *dir = mm_path_dirname(path);
		c = check_private_dir(w->dirfd, dir ? dir : path, d);
		free(dir);
	}
	if (c == MM_OK && exists && !(private_file && S_ISLNK(st.st_mode)))
		c = replaceable(w, &st, d);
	if (c == MM_OK && !(w->tmp = malloc(NAME_MAX + 1)))
		c = mm_diag_set(d, MM_ERR_NOMEM, nospan,
		                "%s: cannot save: out of memory", path);
	if (c == MM_OK) {
		w->fd = create_temp(w->dirfd, w->name, 0600, w->tmp, &w->slot);
		if (w->fd < 0) {
			char *dir = mm_path_dirname(path);
			c = mm_diag_set(d, MM_ERR_IO, nospan,
			                "%s: cannot save: cannot create a file in "
			                "'%s': %s", path, dir ? dir : ".",
			                strerror(errno));
			free(dir);
		}
	}
	if (c != MM_OK)
		release(w);
	return c;
}

mm_code mm_io_atomic_open(mm_io_atomic *w, const char *path, mm_diag *d)
{
	return atomic_open(w, path, false, d);
}

mm_code mm_io_atomic_open_private(mm_io_atomic *w, const char *path,
                                  mm_diag *d)
{
	if (!path || !*path)
		return atomic_open(w, path, true, d);
	char *dir = mm_path_dirname(path);
	if (!dir)
		return mm_diag_set(d, MM_ERR_NOMEM, nospan, "out of memory");
	mm_code c = mm_io_private_dir(dir, true, d);
	free(dir);
	return c == MM_OK ? atomic_open(w, path, true, d) : c;
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

/* The new file takes the old one's mode and, where the system lets us,
 * its owner and group (root saving over a user's file leaves it the
 * user's); a new file gets 0666 less the umask, a private one 0600. */
static mm_code take_over(mm_io_atomic *w, bool exists, const struct stat *st)
{
	mode_t mode;
	if (w->private_file) {
		mode = 0600;
	} else if (exists) {
		mode = st->st_mode & 07777;
		if (st->st_uid != geteuid() || st->st_gid != getegid())
			if (fchown(w->fd, st->st_uid, st->st_gid) != 0)
				mode &= 0777; /* no set-id bits on a new owner */
	} else {
		mode_t mask = umask(022);
		umask(mask);
		mode = 0666 & ~mask;
	}
	return fchmod(w->fd, mode) == 0 ? MM_OK : MM_ERR_IO;
}

mm_code mm_io_atomic_commit(mm_io_atomic *w, mm_diag *d)
{
	const char *what;
	struct stat st;
	/* What is there now, checked again: it may have changed since the
	 * temporary file was made. */
	bool exists = fstatat(w->dirfd, w->name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (exists && !(w->private_file && S_ISLNK(st.st_mode)) &&
	    replaceable(w, &st, d) != MM_OK) {
		mm_io_atomic_abort(w);
		return MM_ERR_IO;
	}
	what = "fsync failed";
	if (fsync(w->fd) != 0)
		goto fail;
	what = "cannot set permissions";
	if (take_over(w, exists && S_ISREG(st.st_mode), &st) != MM_OK)
		goto fail;
	what = "close failed";
	int fd = w->fd;
	w->fd = -1;
	if (close(fd) != 0)
		goto fail;
	what = "rename failed";
	if (renameat(w->dirfd, w->tmp, w->dirfd, w->name) != 0)
		goto fail;
	pending_drop(w->slot);
	w->slot = -1;
	fsync(w->dirfd); /* best effort: the rename itself has happened */
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
	if (w->tmp && w->dirfd >= 0)
		unlinkat(w->dirfd, w->tmp, 0);
	release(w);
}

/* ---- private files ---- */

mm_code mm_io_private_dir(const char *dir, bool create, mm_diag *d)
{
	char *p = dup_n(dir, strlen(dir));
	if (!p)
		return mm_diag_set(d, MM_ERR_NOMEM, nospan, "out of memory");
	if (create) /* mkdir -p, each new directory 0700 */
		for (char *s = p + 1;; s++) {
			if (*s != '/' && *s)
				continue;
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0700) != 0 && errno != EEXIST) {
				mm_diag_set(d, MM_ERR_IO, nospan,
				            "cannot create %s: %s", p,
				            strerror(errno));
				free(p);
				return MM_ERR_IO;
			}
			*s = c;
			if (!c)
				break;
		}
	free(p);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return mm_diag_set(d, MM_ERR_IO, nospan, "%s: cannot open: %s",
		                   dir, strerror(errno));
	mm_code c = check_private_dir(fd, dir, d);
	close(fd);
	return c;
}

mm_code mm_io_read_private(const char *path, size_t max, char **out,
                           size_t *len, mm_diag *d)
{
	*out = NULL;
	*len = 0;
	const char *base;
	char *dir = split(path, &base);
	if (!dir)
		return mm_diag_set(d, MM_ERR_NOMEM, nospan, "out of memory");
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	mm_code c = MM_OK;
	if (dfd < 0)
		c = mm_diag_set(d, MM_ERR_IO, nospan, "cannot read %s: %s",
		                path, strerror(errno));
	else
		c = check_private_dir(dfd, dir, d);
	free(dir);
	int fd = -1;
	if (c == MM_OK) {
		fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		                       O_CLOEXEC);
		if (fd < 0)
			c = mm_diag_set(d, MM_ERR_IO, nospan, "cannot read %s: %s",
			                path, errno == ELOOP
			                          ? "it is a symbolic link"
			                          : strerror(errno));
	}
	struct stat st;
	if (c == MM_OK && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	                   st.st_uid != geteuid()))
		c = mm_diag_set(d, MM_ERR_IO, nospan,
		                "cannot read %s: not a regular file of yours",
		                path);
	if (c == MM_OK) {
		mm_io_reader r;
		mm_io_reader_fd(&r, fd, path);
		c = mm_io_read_all(&r, max, out, len, d);
	}
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	return c;
}

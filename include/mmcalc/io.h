/* io.h — what the .npy and CSV modules share: the allocation callback
 * through which a loader obtains its destination buffer, load options, the
 * report of what was loaded, a reader over a file descriptor or a memory
 * buffer, bounded reading of scripts and lines, sizes as users type them,
 * and atomic saving (temporary file, fsync, rename) with the rules for
 * what may be replaced and the user's private files.
 *
 * Ownership: loaders never own the data they fill. They ask the caller's
 * mm_io_alloc_fn for a buffer (at most once per load, and only after the
 * file has been checked as far as it can be: header, shape, byte count,
 * file size, byte limit); that buffer belongs to the caller from the moment
 * the callback returns it, also when the load then fails (its contents are
 * then unspecified and the caller frees it). Strings passed in are borrowed.
 *
 * Nothing here prints or exits. Errors fill an mm_diag with MM_ERR_IO (the
 * system said no: the errno text is in the message), MM_ERR_FORMAT (the
 * bytes are not a valid file of that kind), MM_ERR_LIMIT (over the caller's
 * byte limit, or a size that overflows), MM_ERR_NOMEM, MM_ERR_INTERRUPTED
 * (mm_interrupted() became true between chunks) or MM_ERR_UNSUPPORTED
 * (valid, but a dtype or layout mmcalc does not read). Messages start with
 * the file's name; spans are left {0,0} for the caller to set.
 *
 * Typical use, loading into a tensor (tensor.h):
 *   static void *to_tensor(void *ctx, mm_dtype t, int ndim,
 *                          const int64_t *shape, mm_diag *d)
 *   {
 *       mm_tensor **out = ctx;   // check the memory limit here too
 *       *out = mm_tensor_new(t, ndim, shape, d);
 *       return *out ? (*out)->data : NULL;
 *   }
 *   mm_tensor *x = NULL;
 *   mm_io_load_opts o = {.alloc = to_tensor, .alloc_ctx = &x,
 *                        .max_bytes = limit};
 *   if (mm_npy_load(path, &o, &info, d) != MM_OK) {
 *       mm_tensor_unref(x);      // NULL, or allocated before the failure
 *       x = NULL;
 *   } */
#ifndef MMCALC_IO_H
#define MMCALC_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <stdint.h>

#include "mmcalc/diag.h"
#include "mmcalc/dtype.h"

#define MM_IO_MAXDIM 8 /* most axes a loaded array may have (= MM_MAX_NDIM) */

/* Returns a writable, 64-byte-aligned, C-order contiguous buffer for an
 * array of this shape (ndim entries, each >= 0; ndim 0 is a scalar) and
 * dtype (MM_F64: doubles; any other: floats, as mm_dtype_exec stores
 * it; .npy's f2 and i1 ask for MM_F16 and MM_I8), or NULL with d set
 * (MM_ERR_LIMIT over the memory limit, MM_ERR_NOMEM, ...). A shape with a 0 dim may still get a
 * non-NULL pointer; the loader writes nothing into it. */
typedef void *(*mm_io_alloc_fn)(void *ctx, mm_dtype dtype, int ndim,
                                const int64_t *shape, mm_diag *d);

/* How to load. Zero-initialise, then set alloc (required) and what else
 * you need. */
typedef struct mm_io_load_opts {
	mm_io_alloc_fn alloc;
	void *alloc_ctx;   /* passed to alloc as is */
	uint64_t max_bytes; /* refuse arrays whose loaded data (in the dtype
	                       it is loaded as) exceeds this; 0: no limit */
	/* CSV only (the .npy loader ignores them): */
	char sep;    /* ',' '\t' ';' or ' ' (any run of blanks); 0: detect */
	bool header; /* skip the first non-blank, non-comment line */
	bool f32;    /* load as MM_F32 instead of MM_F64 */
} mm_io_load_opts;

/* What a successful load produced and how. */
typedef struct mm_io_info {
	mm_dtype dtype; /* of the buffer filled: MM_F64, or MM_F32, MM_F16
	                   or MM_I8 (floats) */
	int ndim;
	int64_t shape[MM_IO_MAXDIM];
	void *data; /* the buffer alloc returned (caller's) */
	char file_dtype[16]; /* as in the file: "<f8", ">i4", "|b1"; "text"
	                        for CSV */
	bool widened;        /* converted to a wider type: integers but
	                        int8, and bool -> f64 */
	bool lossy;          /* an integer of magnitude > 2^53 was rounded */
	bool byteswapped;    /* the file was big-endian */
	bool fortran_order;  /* the file was in Fortran order (now C order) */
	int version_major, version_minor; /* .npy format version; 0 for CSV */
	char sep;            /* CSV: the delimiter used (' ' for blanks) */
	bool header_skipped; /* CSV: a header line was skipped */
} mm_io_info;

/* --- reading: a source of bytes, a file descriptor or memory. */

typedef struct mm_io_reader {
	int fd;                   /* -1 when reading memory */
	const unsigned char *mem; /* memory source (borrowed) */
	size_t mem_len;
	uint64_t pos;   /* bytes consumed so far */
	int64_t size;   /* total bytes when known (regular file, memory);
	                   -1 otherwise */
	const char *name; /* for messages (borrowed) */
} mm_io_reader;

/* A reader over fd from its current offset (not owned: the caller closes
 * it). size is taken from fstat when fd is a regular file. */
/* Opens path for reading into *fd (the caller closes it) and its status
 * into *st. Fails, with no descriptor left open, when interrupted (Ctrl-C
 * while a FIFO waits for its writer), when the system refuses, or on a
 * directory. */
mm_code mm_io_open_read(const char *path, int *fd, struct stat *st,
                        mm_diag *d);

void mm_io_reader_fd(mm_io_reader *r, int fd, const char *name);
/* What reads a whole file from a reader (mm_npy_load_reader, ...). */
typedef mm_code (*mm_io_reader_fn)(mm_io_reader *r,
                                   const mm_io_load_opts *opts,
                                   mm_io_info *info, mm_diag *d);
/* Opens path with mm_io_open_read, runs fn on a reader over it (named
 * path in messages), closes it; fn's result. */
mm_code mm_io_with_path(const char *path, mm_io_reader_fn fn,
                        const mm_io_load_opts *opts, mm_io_info *info,
                        mm_diag *d);
/* A reader over len bytes at p (borrowed for the reader's lifetime). */
void mm_io_reader_mem(mm_io_reader *r, const void *p, size_t len,
                      const char *name);
/* Bytes left when known, else -1. */
int64_t mm_io_reader_left(const mm_io_reader *r);
/* Reads up to n bytes into buf, in large read() calls, polling
 * mm_interrupted() between chunks; returns the count read (less than n
 * only at end of input) or -1 with d set (MM_ERR_IO, MM_ERR_INTERRUPTED). */
int64_t mm_io_read(mm_io_reader *r, void *buf, size_t n, mm_diag *d);
/* Reads everything that is left into a new malloc'd buffer (*out, freed by
 * the caller; NUL-terminated for convenience, *len without the NUL).
 * Refuses more than max bytes (0: no limit) with MM_ERR_LIMIT. */
mm_code mm_io_read_all(mm_io_reader *r, size_t max, char **out, size_t *len,
                       mm_diag *d);

/* --- scripts and lines: bounded, interruptible reading of text. */

/* The most a script (mm_io_read_text) or one line of standard input
 * (mm_io_lines) may hold: 64 MiB. */
#define MM_IO_TEXT_MAX ((size_t)64 << 20)

/* Reads the whole file at path (a script) into a new malloc'd buffer
 * (*out, NUL-terminated, freed by the caller; *len without the NUL), at
 * most max bytes (0: MM_IO_TEXT_MAX), polling mm_interrupted() between
 * reads. Regular files, pipes and sockets are read; a directory or a
 * device (/dev/zero never ends, a terminal is not a script) is refused
 * with MM_ERR_IO before anything is read. Over max: MM_ERR_LIMIT, naming
 * the limit. Also MM_ERR_IO (with the errno text), MM_ERR_INTERRUPTED,
 * MM_ERR_NOMEM. */
mm_code mm_io_read_text(const char *path, size_t max, char **out,
                        size_t *len, mm_diag *d);

/* Lines from a file descriptor (standard input), read as they arrive
 * (a pipe is not waited on past the end of a line), each at most max
 * bytes. The buffer grows to the longest line seen, never past max + 64
 * KiB, whatever the input. */
typedef struct mm_io_lines {
	int fd;             /* borrowed: not closed */
	const char *name;   /* for messages (borrowed) */
	char *buf;          /* owned: mm_io_lines_free */
	size_t cap, start, end, max;
	long lineno;        /* the number of the line last returned, 1-based */
	bool eof;
} mm_io_lines;

/* max 0 means MM_IO_TEXT_MAX. No allocation until the first line. */
void mm_io_lines_init(mm_io_lines *l, int fd, const char *name, size_t max);
/* The next line, without its '\n' (a final line without one counts), in
 * *line and *len, valid until the next call: returns 1; 0 at the end of the
 * input; -1 with d set: MM_ERR_LIMIT for a line over max (it has been
 * read past and is skipped: call again for the next line; l->lineno is
 * its number), MM_ERR_IO, MM_ERR_INTERRUPTED (Ctrl-C while waiting),
 * MM_ERR_NOMEM. */
int mm_io_lines_next(mm_io_lines *l, const char **line, size_t *len,
                     mm_diag *d);
void mm_io_lines_free(mm_io_lines *l);

/* Parses a size in bytes as a user types it: "4GiB", "512 MiB", "2e9",
 * "1.5GB", "4096" (a number, blanks, an optional byte unit of count.h:
 * B kB MB GB TB PB EB KiB MiB GiB TiB PiB EiB). Rounds to the nearest
 * byte. Refuses, with MM_ERR_ARG and a message saying why: no number,
 * trailing text, a unit that is not a byte unit, a negative, nan or
 * infinite value, a positive value under half a byte (1e-9 is not 0 B),
 * and 2^64 or more. what names the setting in messages ("memlimit"). */
mm_code mm_io_parse_size(const char *s, const char *what, uint64_t *out,
                         mm_diag *d);

/* --- atomic saving.
 *
 * The file is written to a new temporary file ".NAME.XXXXXXXX" beside its
 * target (created with O_EXCL|O_NOFOLLOW under a random name, mode 0600
 * while written), fsynced, given the target's mode (and, when allowed,
 * owner), renamed over the target, and the directory fsynced: readers see
 * the old file or the new one, never a mix, and a failure at any point
 * leaves the old file as it was and no temporary file.
 *
 * What is replaced:
 *   - a symbolic link as the target is written THROUGH, to the file it
 *     names, when the user (or root) owns the link; a link owned by
 *     anyone else is refused (a link planted in /tmp must not send the
 *     rename elsewhere; the kernel's protected_symlinks does not cover a
 *     link that is read rather than opened); a link to nothing is refused
 *     as cp refuses it; links to links are followed the same way, 40 at
 *     most;
 *   - the file finally named must be a regular file (a directory, device,
 *     FIFO or socket is refused: root saving to /dev/null must not
 *     replace the device) and not write-protected: its permission bits
 *     must let the user write it — access(2)'s answer for an ordinary
 *     user, what cp without -f goes by; root, whom access() never
 *     refuses, is refused when no w bit is set at all (chmod a-w).
 * These are checked when the temporary file is made and again just
 * before the rename.
 *
 * Signals: every temporary file is recorded, before it exists, in a
 * small table that mm_io_remove_pending() empties (async-signal-safe).
 * A handler for SIGTERM, SIGHUP or SIGINT calls it, then restores the
 * default action and raises the signal again. SIGKILL cannot be caught:
 * it leaves the temporary file, named ".NAME.XXXXXXXX" beside the target
 * (the target itself is untouched). */

typedef struct mm_io_atomic {
	int fd;         /* the temporary file, -1 when closed */
	int dirfd;      /* the directory of name, -1 when closed */
	char *path;     /* the target as given, for messages */
	char *name;     /* the file replaced: its name in dirfd (after links) */
	char *tmp;      /* the temporary file's name in dirfd */
	uint64_t written;
	int slot;       /* in the table of temporary files; -1: none */
	bool private_file; /* made by mm_io_atomic_open_private */
} mm_io_atomic;

/* Creates the temporary file beside path's target after the checks above.
 * On failure nothing is left behind and d says why (MM_ERR_IO,
 * MM_ERR_NOMEM, MM_ERR_ARG for an empty name). */
mm_code mm_io_atomic_open(mm_io_atomic *w, const char *path, mm_diag *d);
/* Writes all n bytes (large write() calls, EINTR retried, interruption
 * polled between chunks). On failure the caller calls mm_io_atomic_abort. */
mm_code mm_io_atomic_write(mm_io_atomic *w, const void *buf, size_t n,
                           mm_diag *d);
/* Checks the target again, fsyncs, gives the file the old file's mode (or
 * 0666 & ~umask; 0600 for a private file), renames it over the target and
 * fsyncs the directory. On failure the temporary file is removed, the old
 * file is untouched, and w is released. */
mm_code mm_io_atomic_commit(mm_io_atomic *w, mm_diag *d);
/* Removes the temporary file and releases w. Safe after a failed commit
 * and on a zeroed/closed w. */
void mm_io_atomic_abort(mm_io_atomic *w);

/* Removes every temporary file of a save in progress. Async-signal-safe
 * (unlinkat only; errno preserved): for signal handlers. */
void mm_io_remove_pending(void);

/* --- private files: the user's own state and cache (the host
 * calibration, the prompt's history), in a directory nobody else may
 * write, as careful tools require (OpenSSH of ~/.ssh): the directory must
 * belong to the user and have no group or others w bit; the file must
 * not be a symbolic link and must be a regular file of the user's. */

/* Checks the directory dir (creating it and missing parents, mode 0700,
 * when create). MM_ERR_IO saying what is wrong. */
mm_code mm_io_private_dir(const char *dir, bool create, mm_diag *d);
/* Reads the private file at path (at most max bytes, 0: no limit) into a
 * new NUL-terminated buffer, as mm_io_read_all. Its directory is checked
 * as above and it is opened with O_NOFOLLOW (a symbolic link is refused). */
mm_code mm_io_read_private(const char *path, size_t max, char **out,
                           size_t *len, mm_diag *d);
/* mm_io_atomic_open for a private file: its directory is created when
 * missing and checked as above; a symbolic link as the target is replaced
 * itself (never written through); the file is made 0600. */
mm_code mm_io_atomic_open_private(mm_io_atomic *w, const char *path,
                                  mm_diag *d);

#endif

/* io.h — what the .npy and CSV modules share: the allocation callback
 * through which a loader obtains its destination buffer, load options, the
 * report of what was loaded, a reader over a file descriptor or a memory
 * buffer, and atomic saving (temporary file, fsync, rename).
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
 * dtype (MM_F32 or MM_F64), or NULL with d set (MM_ERR_LIMIT over the
 * memory limit, MM_ERR_NOMEM, ...). A shape with a 0 dim may still get a
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
	mm_dtype dtype; /* of the buffer filled: MM_F32 or MM_F64 */
	int ndim;
	int64_t shape[MM_IO_MAXDIM];
	void *data; /* the buffer alloc returned (caller's) */
	char file_dtype[16]; /* as in the file: "<f8", ">i4", "|b1"; "text"
	                        for CSV */
	bool widened;        /* converted to a wider type: f2 -> f32,
	                        integers and bool -> f64 */
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

/* --- atomic saving. */

typedef struct mm_io_atomic {
	int fd;        /* the temporary file, -1 when closed */
	char *path;    /* the target (resolved through a final symlink) */
	char *tmp;     /* the temporary file beside it */
	uint64_t written;
} mm_io_atomic;

/* Creates a temporary file in path's directory (mkstemp). On failure
 * nothing is left behind and d says why. */
mm_code mm_io_atomic_open(mm_io_atomic *w, const char *path, mm_diag *d);
/* Writes all n bytes (large write() calls, EINTR retried, interruption
 * polled between chunks). On failure the caller calls mm_io_atomic_abort. */
mm_code mm_io_atomic_write(mm_io_atomic *w, const void *buf, size_t n,
                           mm_diag *d);
/* fsyncs, gives the file the old file's mode (or 0666 & ~umask), renames
 * it over the target and fsyncs the directory. On failure the temporary
 * file is removed, the old file is untouched, and w is released. */
mm_code mm_io_atomic_commit(mm_io_atomic *w, mm_diag *d);
/* Removes the temporary file and releases w. Safe after a failed commit
 * and on a zeroed/closed w. */
void mm_io_atomic_abort(mm_io_atomic *w);

#endif

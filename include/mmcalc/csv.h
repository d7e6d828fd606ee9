/* csv.h — CSV/TSV text matrices: reading and writing.
 *
 * Read: one row per line, cells separated by opts->sep or, when it is 0,
 * by the first of tab, ';', ',' found in the first data line, else by runs
 * of blanks. Blank lines and lines starting with '#' are skipped; with
 * opts->header the first other line is skipped too. Cells may be padded
 * with blanks or wrapped in double quotes; each must be a number as C's
 * strtod reads it in the "C" locale (also nan, inf). The result is always
 * 2-D rows × columns, like np.loadtxt(ndmin=2): a single column is n×1.
 * MM_F64 unless opts->f32. Errors say the line (1-based) and, for a bad
 * cell, the column (1-based field number): ragged rows, non-numeric or
 * empty cells, an empty file, no data rows.
 *
 * Write: 0-d (one value), 1-D (one value per line) or 2-D arrays; values
 * as "%.17g" (f64) or "%.9g" (f32), which read back exactly. More axes are
 * MM_ERR_SHAPE. An array with no elements writes nothing (an empty file),
 * whatever its other axis.
 *
 * Ownership: as io.h says — the destination buffer comes from opts->alloc
 * and belongs to the caller, also when a load fails after allocating.
 * Paths and names are borrowed. Nothing prints or exits. */
#ifndef MMCALC_CSV_H
#define MMCALC_CSV_H

#include <stdint.h>

#include "mmcalc/buf.h"
#include "mmcalc/diag.h"
#include "mmcalc/dtype.h"
#include "mmcalc/io.h"

/* Loads the CSV file at path (used as is: resolve it first). */
mm_code mm_csv_load(const char *path, const mm_io_load_opts *opts,
                    mm_io_info *info, mm_diag *d);
/* Loads from an open file descriptor (read to its end; not closed). */
mm_code mm_csv_load_fd(int fd, const char *name, const mm_io_load_opts *opts,
                       mm_io_info *info, mm_diag *d);
/* Loads from len bytes of text at p (need not be NUL-terminated). */
mm_code mm_csv_load_mem(const void *p, size_t len, const char *name,
                        const mm_io_load_opts *opts, mm_io_info *info,
                        mm_diag *d);

/* The shape of the CSV file at path without loading it: one streaming
 * pass in bounded memory (a 1 MiB buffer, whatever the file's size or the
 * length of its lines) that counts rows and columns and checks every cell
 * with the loader's own rules, so that it fails exactly when and as
 * mm_csv_load would (ragged rows, bad or empty cells, an empty file, no
 * data rows, the size against int64 and opts->max_bytes), and keeps no
 * data. opts may be NULL (defaults); opts->alloc is not called. On
 * success info (may be NULL) holds what mm_csv_load would report, with
 * data NULL. A pipe is consumed by the scan: load a pipe directly. */
mm_code mm_csv_scan(const char *path, const mm_io_load_opts *opts,
                    mm_io_info *info, mm_diag *d);
/* The same over len bytes at p. */
mm_code mm_csv_scan_mem(const void *p, size_t len, const char *name,
                        const mm_io_load_opts *opts, mm_io_info *info,
                        mm_diag *d);

/* The separator a file name suggests: '\t' for ".tsv"/".tab", else ','. */
char mm_csv_sep_for_path(const char *path);

/* Appends the text of an array to out (sep: 0 means ','; ' ' is allowed).
 * data is C-order contiguous (borrowed). Returns MM_OK, MM_ERR_SHAPE
 * (more than 2 axes), MM_ERR_ARG (bad dtype) or MM_ERR_NOMEM. */
mm_code mm_csv_format(mm_buf *out, mm_dtype dtype, int ndim,
                      const int64_t *shape, const void *data, char sep,
                      mm_diag *d);

/* Saves an array as text to path, atomically (see npy.h's mm_npy_save). */
mm_code mm_csv_save(const char *path, mm_dtype dtype, int ndim,
                    const int64_t *shape, const void *data, char sep,
                    mm_diag *d);

#endif

/* npy.h — NumPy .npy files: reading (format 1.0, 2.0, 3.0) and writing.
 *
 * Read: dtypes f8 f4 f2 i8 i4 i2 i1 u8 u4 u2 u1 b1, little- or big-endian
 * ('<' '>' '=' '|'), C or Fortran order, 0 to MM_IO_MAXDIM axes. f8 loads
 * as MM_F64, f4 as MM_F32, f2 as MM_F16 and i1 as MM_I8 (their values,
 * exact, in f32 storage: the buffer asked of opts->alloc and info->data
 * hold floats for every dtype but MM_F64), the other integers and bool as
 * MM_F64 (widened; i8/u8 beyond 2^53 are rounded, info->lossy says so).
 * Big-endian data is byte-swapped and Fortran-order data transposed into C
 * order while reading. Refused with a clear message: .npz archives, object
 * (pickled) arrays, structured dtypes, strings, complex, datetimes.
 * The file is checked (magic, version, header, shape, byte count against
 * size_t/int64, against opts->max_bytes, and against the bytes actually in
 * the file when its size is known) before opts->alloc is called. Shapes
 * follow NumPy's size rule (ckd.h): the non-zero dims times the element
 * size must fit in int64 even when a 0 dim makes the array empty, so a
 * 128-byte file of shape (0, 2^61) is MM_ERR_LIMIT, as np.load refuses it.
 *
 * Ownership: as io.h says — the destination buffer comes from opts->alloc
 * and belongs to the caller, also when a load fails after allocating.
 * Paths and names are borrowed. Nothing prints or exits. */
#ifndef MMCALC_NPY_H
#define MMCALC_NPY_H

#include <stdint.h>

#include "mmcalc/diag.h"
#include "mmcalc/dtype.h"
#include "mmcalc/io.h"

/* Loads the .npy file at path (used as is: resolve it with mm_path_resolve
 * first). Fills *info (may be NULL) on success. */
mm_code mm_npy_load(const char *path, const mm_io_load_opts *opts,
                    mm_io_info *info, mm_diag *d);
/* Loads from an open file descriptor (from its current offset; not
 * closed); name is used in messages. */
mm_code mm_npy_load_fd(int fd, const char *name, const mm_io_load_opts *opts,
                       mm_io_info *info, mm_diag *d);
/* Loads from len bytes at p (for fuzzing, embedded data). */
mm_code mm_npy_load_mem(const void *p, size_t len, const char *name,
                        const mm_io_load_opts *opts, mm_io_info *info,
                        mm_diag *d);
/* Loads from any reader (see io.h). */
mm_code mm_npy_load_reader(mm_io_reader *r, const mm_io_load_opts *opts,
                           mm_io_info *info, mm_diag *d);

/* The shape and dtype of the .npy file at path without its data: reads
 * the magic, version and header and nothing past them, and makes every
 * check the loader makes before allocating (NumPy's size rule, the data's
 * size against the file's from fstat, opts->max_bytes; opts may be NULL),
 * so that it fails exactly when and as mm_npy_load would fail before
 * reading data. On success info (may be NULL) holds what mm_npy_load
 * would report, with data NULL and lossy false (only the data can tell). */
mm_code mm_npy_read_header(const char *path, const mm_io_load_opts *opts,
                           mm_io_info *info, mm_diag *d);
/* The same from a reader, left at the first data byte. */
mm_code mm_npy_read_header_reader(mm_io_reader *r,
                                  const mm_io_load_opts *opts,
                                  mm_io_info *info, mm_diag *d);

/* Builds the .npy preamble (magic, version, header length, header dict
 * padded with spaces and a final '\n' to a multiple of 64 bytes) for a
 * C-order array of dtype MM_F64 ('<f8'), MM_F32 or MM_TF32 ('<f4'),
 * MM_F16 ('<f2') — '>' on a big-endian host — or MM_I8 or MM_I4 ('|i1':
 * NumPy has no 4-bit integer; the values, -8 to 7, load back as i8).
 * Version 1.0, 2.0 when the header exceeds 65535 bytes. Writes at most
 * cap bytes to out; returns the full length (call with cap 0 to size it),
 * or 0 for a bad dtype (bf16 and the f8s: NumPy has no such types), ndim
 * or shape. */
size_t mm_npy_header(mm_dtype dtype, int ndim, const int64_t *shape,
                     char *out, size_t cap);

/* Saves a C-order contiguous array (data: numel elements of a tensor of
 * dtype `dtype`, borrowed: doubles for MM_F64, floats holding the dtype's
 * values otherwise) to path in the file type mm_npy_header names,
 * atomically: a temporary file in the same directory, fsync, rename over
 * path. bf16 and the f8s are refused (MM_ERR_UNSUPPORTED, with a hint to
 * save astype(x, dtype=f32) or f16). On any failure path is untouched and
 * d says why. */
mm_code mm_npy_save(const char *path, mm_dtype dtype, int ndim,
                    const int64_t *shape, const void *data, mm_diag *d);

#endif

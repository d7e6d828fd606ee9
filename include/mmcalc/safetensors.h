/* safetensors.h — Hugging Face .safetensors files: the header read and
 * checked without the data, and one tensor's data loaded.
 *
 * The format (huggingface/safetensors, README "Format"): 8 bytes, N as an
 * unsigned little-endian 64-bit integer; N bytes of UTF-8 JSON starting
 * with '{' (padded with blanks), an object mapping each tensor's name to
 * {"dtype": "F32", "shape": [2, 3], "data_offsets": [BEGIN, END]} and
 * optionally "__metadata__" to an object of strings; then the data
 * buffer, little-endian, C order, each tensor's bytes at [BEGIN, END) of
 * it. The JSON is parsed with jansson.
 *
 * Everything a hostile file could lie about is checked before any data is
 * read, and an error names the file, the tensor and what is wrong:
 *   - the length: at least 2, at most MM_ST_HEADER_MAX (the reference
 *     implementation's MAX_HEADER_SIZE), within the file;
 *   - the memory parsing it would take, estimated from its text before
 *     jansson builds anything, at most MM_ST_PARSE_MAX: jansson's tree
 *     costs 9 times the text of a real header, but 77 times a hostile
 *     one made of "{}," (a 100 MB header would take 7.7 GB);
 *   - the JSON: valid UTF-8 and syntax (jansson's message and byte), no key
 *     twice (tensor names, and __metadata__'s keys, are unique), '{' first;
 *   - every entry: an object with a known dtype (MM_ST_*), a shape of
 *     whole numbers >= 0 and data_offsets of two whole numbers, BEGIN <=
 *     END <= the data's length; the shape's element count by NumPy's size
 *     rule (ckd.h: the non-zero dims' product fits in int64) and times the
 *     dtype's bits without overflow, whole bytes, equal to END - BEGIN;
 *   - the data buffer covered exactly, as the format requires: sorted by
 *     offset, each tensor starts where the one before ended (no hole, no
 *     overlap) and the last ends at the end of the file;
 *   - __metadata__: an object whose values are all strings.
 * The file must be a regular file (or memory): its size must be known.
 *
 * Ownership: mm_st_read and mm_st_parse return a new mm_st_file that the
 * caller frees with mm_st_free; every pointer inside it (names, shapes,
 * metadata) belongs to it and lives as long as it. Loading follows io.h:
 * the destination comes from opts->alloc and is the caller's, also when
 * the load then fails. Paths and names passed in are borrowed. Nothing
 * here prints or exits; messages start with the file's name. */
#ifndef MMCALC_SAFETENSORS_H
#define MMCALC_SAFETENSORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmcalc/diag.h"
#include "mmcalc/dtype.h"
#include "mmcalc/io.h"

/* The longest JSON header read: 100,000,000 bytes, the limit of the
 * reference implementation (safetensors/src/tensor.rs, MAX_HEADER_SIZE). */
#define MM_ST_HEADER_MAX ((uint64_t)100000000)
/* The most memory the parse of one header may take (estimated): 1 GiB,
 * what a real header of about 70 MB (600,000 tensors) needs. */
#define MM_ST_PARSE_MAX ((uint64_t)1 << 30)

/* The dtypes of the format (safetensors' Dtype enum), in its order. */
typedef enum mm_st_dtype {
	MM_ST_BOOL,
	MM_ST_F4,      /* 4-bit float (E2M1), two per byte */
	MM_ST_F6_E2M3, /* 6-bit floats, packed */
	MM_ST_F6_E3M2,
	MM_ST_U8,
	MM_ST_I8,
	MM_ST_F8_E5M2,
	MM_ST_F8_E4M3,
	MM_ST_F8_E8M0, /* a power of two (scales of MX formats) */
	MM_ST_I16,
	MM_ST_U16,
	MM_ST_F16,
	MM_ST_BF16,
	MM_ST_I32,
	MM_ST_U32,
	MM_ST_F32,
	MM_ST_C64,     /* complex of two f32 */
	MM_ST_F64,
	MM_ST_I64,
	MM_ST_U64,
	MM_ST_DTYPE_COUNT
} mm_st_dtype;

/* "F32", "BF16", "F8_E4M3", ... as the format spells them. */
const char *mm_st_dtype_name(mm_st_dtype t);
/* Bits per element: 4 for F4, 6 for F6_*, 8 for BOOL, ... */
unsigned mm_st_dtype_bits(mm_st_dtype t);
/* Parses a dtype as the format spells it (case matters); false when it is
 * not one. */
bool mm_st_dtype_parse(const char *s, mm_st_dtype *out);
/* The mmcalc dtype a tensor of type t loads as, its values exact: F64 as
 * f64, F32 as f32, F16 as f16 and BF16 as bf16 (both in f32 storage),
 * F8_* as f32, integers and BOOL as f64 (I64 and U64 beyond 2^53
 * rounded). False for what load does not read: F4, F6_*, C64. */
bool mm_st_dtype_loads_as(mm_st_dtype t, mm_dtype *out);

/* One tensor of the header. */
typedef struct mm_st_tensor {
	const char *name;     /* UTF-8, no NUL inside (JSON's \u0000 is refused) */
	mm_st_dtype dtype;
	int ndim;             /* any number of axes: 0 is a scalar */
	const int64_t *shape; /* ndim dims, each >= 0 */
	uint64_t begin, end;  /* data_offsets: bytes [begin, end) of the data */
	int64_t numel;        /* elements (0 when a dim is 0) */
} mm_st_tensor;

/* A checked header. */
typedef struct mm_st_file {
	uint64_t header_len;  /* N: bytes of JSON after the 8-byte length */
	uint64_t data_len;    /* bytes of the data buffer (after the header) */
	size_t ntensors;
	mm_st_tensor *tensors; /* in the data's order: by offset */
	size_t *by_name;      /* indices into tensors in mm_st_name_cmp order */
	size_t nmeta;
	const char **meta_key, **meta_value; /* __metadata__, in file order */
	uint64_t params;      /* the elements of every tensor */
	void *mem_;           /* private: one block holding everything */
} mm_st_file;

/* Reads and checks the header of the file at path (used as is: resolve it
 * first): the 8-byte length and the JSON, nothing of the data. On success
 * *out is a new mm_st_file. MM_ERR_IO (cannot open, not a regular file),
 * MM_ERR_FORMAT (anything listed at the top), MM_ERR_LIMIT (a header over
 * MM_ST_HEADER_MAX, or one whose parse would take over MM_ST_PARSE_MAX),
 * MM_ERR_NOMEM, MM_ERR_INTERRUPTED. */
mm_code mm_st_read(const char *path, mm_st_file **out, mm_diag *d);
/* The same from a reader at the start of the file; its size must be
 * known (r->size >= 0). Leaves r at the first byte of the data. */
mm_code mm_st_read_reader(mm_io_reader *r, mm_st_file **out, mm_diag *d);
/* The same from a whole file of len bytes at p; name is for messages. */
mm_code mm_st_parse(const void *p, size_t len, const char *name,
                    mm_st_file **out, mm_diag *d);
void mm_st_free(mm_st_file *f);

/* name quoted for a message: control bytes as '?', cut after about 60
 * bytes (at a character's boundary) with "..." after. Returns out. */
#define MM_ST_SHOWN 96
const char *mm_st_shown(char out[MM_ST_SHOWN], const char *name);

/* Orders names as people read them: runs of digits by their value
 * ("layers.2" before "layers.10"), other bytes by value; names that tie
 * so ("a01", "a1") by strcmp, so that only equal names compare equal. */
int mm_st_name_cmp(const char *a, const char *b);
/* The tensor called name, or NULL (a binary search). */
const mm_st_tensor *mm_st_find(const mm_st_file *f, const char *name);
/* The i-th tensor in name order (0 <= i < ntensors). */
const mm_st_tensor *mm_st_nth_by_name(const mm_st_file *f, size_t i);

/* What loading t would make, checked as mm_st_load checks it before
 * reading data: a dtype load reads, at most MM_IO_MAXDIM axes, the loaded
 * bytes within opts->max_bytes (opts may be NULL) and size_t. Fills info
 * (may be NULL; data NULL) and *as (may be NULL): the mmcalc dtype. */
mm_code mm_st_plan(const mm_st_tensor *t, const char *name,
                   const mm_io_load_opts *opts, mm_io_info *info,
                   mm_dtype *as, mm_diag *d);

/* Loads the tensor called tensor from the file at path: the header read
 * and checked again, the tensor planned (mm_st_plan), a buffer from
 * opts->alloc (storage dtype mm_dtype_exec(*as)), and only that tensor's
 * bytes read and converted. info->file_dtype is the format's name
 * ("BF16"), info->widened says integers or F8 became wider, info->lossy
 * that a 64-bit integer was rounded. A name not in the file is
 * MM_ERR_ARG. */
mm_code mm_st_load(const char *path, const char *tensor,
                   const mm_io_load_opts *opts, mm_io_info *info,
                   mm_dtype *as, mm_diag *d);
/* The same from a whole file of len bytes at p. */
mm_code mm_st_load_mem(const void *p, size_t len, const char *name,
                       const char *tensor, const mm_io_load_opts *opts,
                       mm_io_info *info, mm_dtype *as, mm_diag *d);

#endif

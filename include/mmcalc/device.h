/* device.h — device profiles for the roofline: peak FLOP/s per dtype and
 * memory bandwidth of common accelerators and CPUs (datasheet figures,
 * dense, each with its source), of `host` (this machine, measured by a
 * short calibration and cached in a small text file: its GEMMs per dtype,
 * a transcendental function, memory), and of `custom` devices the user
 * describes. Predicted time = max(compute, bytes / bandwidth), compute
 * being FLOPs / peak of their dtype, plus, on a device whose rate of
 * transcendental functions is known (the host), the elements passed
 * through exp, erf, tanh ... at that rate.
 *
 * Ownership: mm_device is a plain value with inline strings; copy it
 * freely. The built-in table is static and read-only. The library reads
 * no environment variables: the caller (the CLI) finds the cache file with
 * mm_device_cache_path from $XDG_CACHE_HOME and $HOME and passes the path
 * in. */
#ifndef MMCALC_DEVICE_H
#define MMCALC_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "mmcalc/buf.h"
#include "mmcalc/count.h"
#include "mmcalc/diag.h"
#include "mmcalc/dtype.h"

#define MM_DEVICE_NAME 40
#define MM_DEVICE_TEXT 160

typedef enum mm_device_kind {
	MM_DEVICE_GPU,
	MM_DEVICE_CPU,
	MM_DEVICE_HOST,   /* this machine, measured */
	MM_DEVICE_CUSTOM, /* from `:device custom peak=... bw=...` */
} mm_device_kind;

typedef struct mm_device {
	char name[MM_DEVICE_NAME];  /* display name: "H100 SXM" */
	char key[MM_DEVICE_NAME];   /* canonical lookup name: "h100-sxm" */
	mm_device_kind kind;
	/* Dense peak in FLOP/s (OP/s for i8 and i4) by dtype; 0 where the
	 * source gives no figure. f64 and tf32 are the tensor/matrix-unit
	 * figures where there are some; f32 is the plain (non-tensor) rate. */
	double peak[MM_DTYPE_COUNT];
	double bw; /* memory bandwidth, bytes/s */
	char source[MM_DEVICE_TEXT]; /* "NVIDIA H100 Tensor Core GPU datasheet" */
	char note[MM_DEVICE_TEXT];   /* "" or a remark ("GPU figures") */
	/* Elements per second through a transcendental function (the host:
	 * gelu through vmath on every thread, in cache); 0 where unknown,
	 * and such work then counts only by its FLOPs. */
	double transcendental;
} mm_device;

/* ---- built-in profiles ---- */

/* The built-in table (for `:devices` and `:help devices`); *n gets its
 * length. Static storage. */
const mm_device *mm_device_builtin(size_t *n);
/* A built-in profile by name, ignoring case and any characters other than
 * letters and digits, so "H100 SXM", "h100-sxm" and "h100" (an alias) are
 * the same. NULL when unknown ("host" and "custom" are not in the table:
 * see below). */
const mm_device *mm_device_find(const char *name);
/* The built-in profile whose key, name or alias is closest to name, read
 * as mm_device_find reads it (for "did you mean"); NULL when none is
 * close. */
const mm_device *mm_device_suggest(const char *name);

/* The peak used for dtype t: its own figure, or, when the source gives
 * none, the figure of the dtype whose units the hardware runs t on: the
 * f8s on the bf16 (then f16) tensor rate, as an A100 runs FP8 models; i4
 * on the i8 rate, as an H100 runs INT4; and tf32, f16, bf16 and i8 at
 * the f32 rate, which every type can run at. On the host these are the
 * kernels mmcalc uses (f16 products run on the f32 GEMM, f8 on the bf16
 * one, i4 on the i8 one). *used (may be NULL) receives the dtype whose
 * figure was taken. Returns 0 when there is none (f64 on a device
 * without an f64 figure). */
double mm_device_peak(const mm_device *dev, mm_dtype t, mm_dtype *used);

/* ---- roofline ---- */

typedef struct mm_roofline {
	double seconds;      /* max(compute_s, memory_s), or with
	                        transcendental work max(compute_s -
	                        transcendental_s, memory_s) +
	                        transcendental_s */
	double compute_s;    /* FLOPs / peak + transcendental_s */
	double transcendental_s; /* transcendental elements / the device's
	                            rate of them (0 when it has none) */
	double memory_s;     /* bytes / bw */
	bool compute_bound;  /* compute_s >= memory_s */
	double peak;         /* FLOP/s used */
	mm_dtype peak_dtype; /* dtype whose peak was used (see mm_device_peak) */
	double bw;           /* bytes/s */
	double intensity;    /* FLOPs / bytes (inf when bytes is 0) */
	double ridge;        /* peak / bw: intensities above it are compute-bound */
} mm_roofline;

/* Fills *out for flops and bytes of dtype t on dev. MM_ERR_UNSUPPORTED when
 * dev has no peak for t (f64 on L4) or no bandwidth. */
mm_code mm_device_roofline(const mm_device *dev, mm_count flops,
                           mm_count bytes, mm_dtype t, mm_roofline *out,
                           mm_diag *d);
/* The same for work that also does `transcendental` gelus of
 * transcendental functions (mm_totals.transcendental: exp, erf, tanh,
 * softmax ... weighted by their cost against gelu). On a device with a
 * transcendental rate (the host) that work takes transcendental / rate
 * (out->transcendental_s), added to the roofline of the rest:
 * seconds = max(FLOPs / peak, bytes / bw) + transcendental_s, since a
 * CPU core evaluating a polynomial per element does not keep its memory
 * stream busy meanwhile (measured here: exp, softmax and gelu over 64 MiB
 * take about the sum, not the larger, of the two times). It counts as
 * compute: compute_s = FLOPs / peak + transcendental_s. On other devices
 * transcendental work counts by its FLOPs alone. */
mm_code mm_device_roofline_ops(const mm_device *dev, mm_count flops,
                               mm_count transcendental, mm_count bytes,
                               mm_dtype t, mm_roofline *out, mm_diag *d);

/* ---- custom devices ---- */

/* Rates a custom device may have (FLOP/s and B/s): anything else, after
 * its prefix, is implausible (peak=1e308E is infinite). */
#define MM_DEVICE_RATE_MIN 1.0
#define MM_DEVICE_RATE_MAX 1e21

/* Parses `peak=VALUE bw=VALUE [f64=VALUE f16=VALUE ...]` (space or comma
 * separated). VALUE is a number with an optional SI prefix (k M G T P E) or
 * IEC prefix for bandwidth (Ki Mi Gi Ti) and an optional unit:
 * peak=312T, peak=312TFLOP/s, peak=3.12e14, bw=2TB/s, bw=1.5TiB/s.
 * peak= sets every dtype; a dtype name sets that one. bw and a peak are
 * required. A value outside [MM_DEVICE_RATE_MIN, MM_DEVICE_RATE_MAX] is
 * MM_ERR_ARG ("not a plausible rate"). */
mm_code mm_device_custom(mm_device *out, const char *args, mm_diag *d);
/* A custom device with one peak for every dtype. */
void mm_device_make_custom(mm_device *out, double peak, double bw);

/* ---- the host ---- */

typedef struct mm_host_calib {
	double peak_f32, peak_f64; /* FLOP/s of mmcalc's own GEMM, cache-resident */
	double peak_bf16;          /* FLOP/s of mm_gemm_bf16 (gemm_lowp.h) */
	double peak_i8;            /* OP/s of mm_gemm_i8 */
	double transcendental;     /* elements/s of gelu through vmath */
	double bw;                 /* bytes/s of a streaming triad */
	int threads;               /* threads used (mm_gemm_threads) */
	char isa[16];              /* mm_gemm_isa() at calibration time */
	char cpu[96];              /* CPU model name, "" if unknown */
} mm_host_calib;

/* Measures this machine in about budget_s seconds (<= 0 means 0.6 s),
 * with all GEMM threads: peak f32/f64 as the best rate of mm_sgemm /
 * mm_dgemm on a cache-resident 768x768x768 product; bf16 and i8 as the
 * best of mm_gemm_bf16 / mm_gemm_i8 on a 1024x1024x1024 one (their
 * kernels, AMX on Intel, reach their rate on larger blocks), all four
 * alternating; transcendental as the best rate of gelu through
 * mm_vmath_map_f32 over 2^18 floats (1 MiB in, 1 MiB out: in cache, so
 * the functions' rate and not memory's); bandwidth as the best rate of a
 * triad a = b + s·c over 3 × 32 MiB arrays (3 × 8 bytes per element:
 * reads of b and c, write of a). MM_ERR_NOMEM if the arrays cannot be
 * allocated. Figures are what mmcalc achieves here, not datasheet peaks. */
mm_code mm_device_calibrate(mm_host_calib *out, double budget_s, mm_diag *d);

/* Reads and writes the cache file: a small text file of `key value`
 * lines, a record of them for each calibration (each from its `version`
 * line), newest first, up to 8. Reading fails (MM_ERR_IO, MM_ERR_FORMAT)
 * when the file is missing or its first record malformed; _read gives the
 * newest record, _find the one made on key's CPU with its threads and
 * GEMM path (MM_ERR_IO when there is none). Writing puts c first and keeps
 * the other records, less one made with the same CPU, threads and path;
 * it creates missing parent directories (mode 0700).
 * The file is one of the user's private files (io.h): its directory must
 * be the user's and writable by no one else, else it is neither read nor
 * written (MM_ERR_IO saying why); it is never read through a symbolic
 * link; it is written as a new file (O_EXCL, random name, 0600) renamed
 * over it; a file over 64 KiB is not read. A record whose rates are not
 * plausible for a host (each of peak_f32, peak_f64, peak_bf16, peak_i8,
 * transcendental and bw between 1e6 and 1e18, threads 1 to 65536: not
 * 1e-300, negative, nan or inf) is malformed, and so is one of an older
 * version (version 1 had no bf16, i8 or transcendental rates), so
 * mm_device_host measures again. */
mm_code mm_device_cache_read(const char *path, mm_host_calib *out,
                             mm_diag *d);
mm_code mm_device_cache_find(const char *path, const mm_host_calib *key,
                             mm_host_calib *out, mm_diag *d);
mm_code mm_device_cache_write(const char *path, const mm_host_calib *c,
                              mm_diag *d);
/* Appends the cache path: $XDG_CACHE_HOME/mmcalc/host when xdg_cache_home
 * is an absolute path, else HOME/.cache/mmcalc/host; false (nothing
 * appended) when neither is usable. The caller passes getenv() values. */
bool mm_device_cache_path(mm_buf *out, const char *xdg_cache_home,
                          const char *home);

/* The host profile: read from cache_path when it holds a calibration made
 * on this CPU with the current thread count and GEMM path, otherwise
 * measured (mm_device_calibrate) and, when cache_path is not NULL,
 * written there (a write failure is not an error: the figures are still
 * good). recalibrate forces a measurement. *measured (may be NULL) tells
 * whether it was measured now. */
mm_code mm_device_host(mm_device *out, const char *cache_path,
                       bool recalibrate, bool *measured, mm_diag *d);
/* The host profile from given figures (no measuring, no files). */
void mm_device_from_calib(mm_device *out, const mm_host_calib *c);

/* ---- describing ---- */

/* One line for `:devices`, every dtype with a figure, equal neighbours
 * joined (the two FP8 formats as "f8"), then the transcendental rate
 * where there is one: "H100 SXM: f64/f32 66.9 TFLOP/s, tf32 494.7
 * TFLOP/s, f16/bf16 989.4 TFLOP/s, f8 1.979 PFLOP/s, i8 1.979 POP/s;
 * 3.35 TB/s", "host: f64 45 GFLOP/s, ..., gelu 1.2 Gelem/s; 9 GB/s". */
void mm_device_describe(mm_buf *b, const mm_device *dev);

#endif

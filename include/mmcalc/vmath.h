/* vmath.h — elementwise math and row operations on contiguous f32 and f64
 * arrays at memory speed: vectorised transcendental functions, binary
 * arithmetic, softmax, log_softmax, layernorm, rmsnorm and reductions over
 * rows, on the best ISA this CPU runs (AVX-512, AVX2+FMA or portable C)
 * and, for large arrays, on the GEMM's threads (mm_gemm_threads()).
 *
 * Every result is bit-for-bit the same on every ISA path and for any
 * thread count; the scalar functions give the same bits as the array
 * kernels, so a constant folded with mm_vmath_gelu() equals the element
 * computed by mm_vmath_map_f64(MM_VMATH_GELU, ...).
 *
 * Ownership: the caller owns every array; nothing is retained after a
 * call returns. Output arrays may be the input arrays exactly (in place)
 * but must not overlap them otherwise. Array functions return 0 (MM_OK),
 * MM_ERR_INTERRUPTED (diag.h) when mm_interrupted() was seen between
 * chunks of about 64 KiB (the output is then partly written), or
 * MM_ERR_ARG / MM_ERR_VALUE as stated.
 *
 * Accuracy, measured by tests/unit/test-vmath.c, which fails above the
 * bounds below. f32: ulps from the double-precision C library's
 * result rounded to float, over every 17th float bit pattern (and all
 * 2^32 with `test-vmath --sweep`). f64: ulps from long double, on 3
 * million random, ranged and edge inputs per function.
 *
 *   max ulps    exp   log   tanh  erf   sigmoid silu  gelu  gelu_tanh
 *   f32         1     1     2     2     2       3     6     3
 *   f64         1.06  0.75  2.29  1.06  2.20    2.80  6.32  2.67
 *   f64 bound   1.1   1.0   2.5   1.5   2.5     3.5   7     3.5
 *
 * (f32 over all 2^32 inputs; the f32 bounds are these figures.)
 * gelu's figure comes from erfc(|x|/√2): its formula t·exp(−z² + P(t)),
 * t = 2/(2+z), passes t's rounding on; the errors are largest near
 * |x| ≈ 1.35 and below −9 (f32) and in the far negative tail (f64).
 * gelu_tanh is referred to 0.044715 as the double nearest it, as PyTorch
 * computes in f64 (the f32 kernel carries its argument as a float pair,
 * to about 2^−44).
 *
 * Speed: exp, gelu and gelu_tanh f32 run a cheaper form of the same
 * bits on blocks of 512 inputs that are all in |x| ≤ 86, x ≥ −6 and
 * x ≥ −9 respectively; a block holding an input outside (or a NaN) costs
 * about twice as much (gelu, gelu_tanh) as one that does not.
 *
 * Special values as the C library gives them: NaN in, NaN out (quieted,
 * sign kept); exp overflows to inf above 709.78 (f32 88.72) and
 * underflows through correctly rounded subnormals; log(±0) = −inf,
 * log(x < 0) = NaN; tanh, erf, sigmoid are ±1, 0 or 1 at ±inf and keep
 * −0. silu, gelu, gelu_tanh are +inf at +inf and NaN at −inf, as their
 * formulas (x·σ(x), 0.5·x·(1 + erf(x/√2))) and PyTorch give. */
#ifndef MMCALC_VMATH_H
#define MMCALC_VMATH_H

#include <stdint.h>

typedef enum mm_vmath_fn {
	MM_VMATH_EXP,
	MM_VMATH_LOG,
	MM_VMATH_TANH,
	MM_VMATH_ERF,
	MM_VMATH_SIGMOID,
	MM_VMATH_GELU,      /* 0.5·x·(1 + erf(x/√2)), PyTorch's default */
	MM_VMATH_GELU_TANH, /* PyTorch's approximate="tanh" */
	MM_VMATH_SILU,      /* x·sigmoid(x) */
	MM_VMATH_FN_COUNT
} mm_vmath_fn;

typedef enum mm_vmath_binop {
	MM_VMATH_ADD,
	MM_VMATH_SUB,
	MM_VMATH_MUL,
	MM_VMATH_DIV,
	MM_VMATH_BINOP_COUNT
} mm_vmath_binop;

typedef enum mm_vmath_reduce {
	MM_VMATH_SUM,
	MM_VMATH_MEAN,      /* NaN for an empty row, as NumPy */
	MM_VMATH_MAX,       /* NaN if the row holds one, as NumPy */
	MM_VMATH_MIN,
	MM_VMATH_NORM,      /* sqrt of the sum of squares */
	MM_VMATH_LOGSUMEXP, /* −inf for an empty row */
	MM_VMATH_REDUCE_COUNT
} mm_vmath_reduce;

/* --- scalar functions: the same bits as the array kernels ------------
 * For constant folding: compiled with the library's plain flags, they
 * call libm's fma() (tens of ns each on x86-64); arrays go through the
 * array functions. */
double mm_vmath_exp(double x);
double mm_vmath_log(double x);
double mm_vmath_tanh(double x);
double mm_vmath_erf(double x);
double mm_vmath_sigmoid(double x);
double mm_vmath_gelu(double x);
double mm_vmath_gelu_tanh(double x);
double mm_vmath_silu(double x);
float mm_vmath_expf(float x);
float mm_vmath_logf(float x);
float mm_vmath_tanhf(float x);
float mm_vmath_erff(float x);
float mm_vmath_sigmoidf(float x);
float mm_vmath_geluf(float x);
float mm_vmath_gelu_tanhf(float x);
float mm_vmath_siluf(float x);

/* fn by its enum; NaN for an unknown fn. */
double mm_vmath_scalar_f64(mm_vmath_fn fn, double x);
float mm_vmath_scalar_f32(mm_vmath_fn fn, float x);

/* "exp", "gelu_tanh", ...; "?" for an unknown value. */
const char *mm_vmath_fn_name(mm_vmath_fn fn);

/* --- elementwise on n contiguous elements ------------------------------
 * y[i] = fn(x[i]). MM_ERR_ARG for an unknown fn or n < 0. */
int mm_vmath_map_f32(mm_vmath_fn fn, int64_t n, const float *x, float *y);
int mm_vmath_map_f64(mm_vmath_fn fn, int64_t n, const double *x, double *y);

/* y[i] = a[i·sa] op b[i·sb], with sa and sb 1 (contiguous) or 0 (one
 * broadcast scalar). MM_ERR_ARG for another stride, an unknown op or
 * n < 0. */
int mm_vmath_binary_f32(mm_vmath_binop op, int64_t n, const float *a,
                        int64_t sa, const float *b, int64_t sb, float *y);
int mm_vmath_binary_f64(mm_vmath_binop op, int64_t n, const double *a,
                        int64_t sa, const double *b, int64_t sb, double *y);

/* --- row operations on rows × n contiguous elements -------------------
 * Row r is x[r·n .. r·n + n); f32 rows are accumulated in double. Rows
 * are spread over the threads. A row longer than 16384 elements is
 * worked on in blocks of 16384 over the threads, pass by pass (softmax
 * reads it twice: each block's max and sum of exps, the sums rescaled
 * to the row's max in block order; then its exps again, scaled, rather
 * than read back); no result depends on the thread count. MM_ERR_ARG for rows < 0, n < 0 or rows·n
 * overflowing; MM_ERR_NOMEM if the blocks' partial results of a long
 * row cannot be allocated. */

/* y = exp(x − max) / Σ exp(x − max), per row: a max pass, then exp,
 * store and sum, then a scale by the reciprocal while the row is in
 * cache. A NaN in a row makes the row NaN. */
int mm_vmath_softmax_f32(int64_t rows, int64_t n, const float *x, float *y);
int mm_vmath_softmax_f64(int64_t rows, int64_t n, const double *x,
                         double *y);

/* y = x − max − log Σ exp(x − max), per row. */
int mm_vmath_log_softmax_f32(int64_t rows, int64_t n, const float *x,
                             float *y);
int mm_vmath_log_softmax_f64(int64_t rows, int64_t n, const double *x,
                             double *y);

/* The eps of PyTorch: layernorm 1e-5; rmsnorm the dtype's machine epsilon
 * (torch.finfo(dtype).eps, what nn.RMSNorm's eps=None means). */
#define MM_VMATH_LAYERNORM_EPS 1e-5
#define MM_VMATH_RMSNORM_EPS_F32 0x1p-23
#define MM_VMATH_RMSNORM_EPS_F64 0x1p-52

/* y = (x − mean) / sqrt(var + eps) · weight + bias per row, var biased
 * (÷ n); weight and bias are n elements each, or NULL for 1 and 0. The
 * mean and variance come from the row while it is in cache (one read
 * of a row from memory when rows are below 64 KiB), in double; t = (x −
 * mean)/sqrt(var + eps) is formed in double and rounded to the element
 * type, then t·weight + bias is one fma in that type (as PyTorch). */
int mm_vmath_layernorm_f32(int64_t rows, int64_t n, const float *x,
                           const float *weight, const float *bias,
                           double eps, float *y);
int mm_vmath_layernorm_f64(int64_t rows, int64_t n, const double *x,
                           const double *weight, const double *bias,
                           double eps, double *y);

/* y = x / sqrt(mean(x²) + eps) · weight per row; weight NULL for 1
 * (x / sqrt(...) rounded to the element type, then · weight). */
int mm_vmath_rmsnorm_f32(int64_t rows, int64_t n, const float *x,
                         const float *weight, double eps, float *y);
int mm_vmath_rmsnorm_f64(int64_t rows, int64_t n, const double *x,
                         const double *weight, double eps, double *y);

/* out[r] = op over row r (rows values). max and min of an empty row
 * (n == 0, rows > 0) have no identity: MM_ERR_VALUE, nothing written. */
int mm_vmath_reduce_f32(mm_vmath_reduce op, int64_t rows, int64_t n,
                        const float *x, float *out);
int mm_vmath_reduce_f64(mm_vmath_reduce op, int64_t rows, int64_t n,
                        const double *x, double *out);

/* --- the ISA path --------------------------------------------------------
 * The path in use: "avx512", "avx2" or "generic"; the best this CPU runs
 * unless set. */
const char *mm_vmath_isa(void);

/* Uses the named path (NULL: the best this CPU runs) for later calls; not
 * while a call runs. Returns 0, or -1 if it was not built or this CPU
 * cannot run it (nothing changes then). */
int mm_vmath_set_isa(const char *name);

#endif

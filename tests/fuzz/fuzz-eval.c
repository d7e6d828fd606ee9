/* fuzz-eval.c — libFuzzer target: the evaluator on small concrete
 * programs. The input runs as a script after a preamble that binds small
 * tensors (concrete and abstract) of every dtype, empty tensors whose
 * other axes are as large as NumPy's size rule lets them be, shapes of
 * symbols bound by `where` and free ones, numbers and a symbol, in a
 * fresh session in the sandbox (fuzz-sandbox.h: a 1 MiB memory limit,
 * files confined to a temporary directory of fixtures); every result is
 * checked as in fuzz-parse. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char preamble[] =
	"A = [[1, 2], [3, 4]]\n"
	"B = [[1, 2, 3], [4, 5, 6]]\n"
	"v = randn(3)\n"
	"w = arange(4)\n"
	"x = rand(2, 3, 4)\n"
	"I = eye(3)\n"
	"z = zeros(0, 3)\n"
	"d = ones(2, 2, dtype=f64)\n"
	"s = 2.5\n"
	"k = 3\n"
	"M = (2 x 3)\n"
	"S = (n x 3)\n"
	/* every dtype, concrete and abstract */
	"t32 = randn(2, 3, dtype=tf32)\n"
	"h = randn(3, 2, dtype=f16)\n"
	"bf = randn(2, 2, dtype=bf16)\n"
	"e4 = randn(4, dtype=f8e4m3)\n"
	"e5 = randn(2, 2, dtype=f8e5m2)\n"
	"q = arange(6, dtype=i8)\n"
	"q4 = arange(-3, 3, dtype=i4)\n"
	"Ah = astype((3 x 4), f16)\n"
	"Ab = astype((4 x 2), bf16)\n"
	"Aq = astype((2 x 2), i4)\n"
	/* empty, with the other axes as large as the size rule allows */
	"z0 = zeros(0, 576460752303423487)\n"
	"z1 = ones(288230376151711744, 0, dtype=f64)\n"
	"z2 = zeros(3, 0, 576460752303423487, dtype=bf16)\n"
	"z3 = randn(0, 1152921504606846975, dtype=f8e4m3)\n"
	"z4 = zeros(2, 0, 2, 0, 72057594037927936, dtype=i8)\n"
	"Z = (0 x 576460752303423487)\n"
	/* symbols: bound by where, and free */
	"P = (n x 4) where n = 2\n"
	"Q = (b x s x c) where b = 2, s = 3\n"
	"R = randn(n, m) where n = 3, m = 2\n"
	"T = (m x n x 0) where m = 4611686018427387904\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	fz_run(preamble, text, size, false);
	free(text);
	return 0;
}

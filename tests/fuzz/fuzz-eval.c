/* fuzz-eval.c — libFuzzer target: the evaluator on small concrete
 * programs. The input runs as a script after a preamble that binds a few
 * small tensors (concrete and abstract), numbers and a symbol, in a fresh
 * session with a 1 MiB memory limit; every result is checked as in
 * fuzz-parse. Inputs naming files, threads or the memory limit are
 * skipped (see fz_safe). */
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
	"S = (n x 3)\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	if (fz_safe(text, size))
		fz_run(preamble, text, size, false);
	free(text);
	return 0;
}

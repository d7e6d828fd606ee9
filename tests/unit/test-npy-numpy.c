/* test-npy-numpy.c — files written by mm_npy_save and mm_csv_save are read
 * back by NumPy itself (np.load, np.loadtxt) with the right dtype, shape
 * and values. Exits 77 (skipped) when no python3 with numpy is found. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmcalc/csv.h"
#include "mmcalc/npy.h"

static const char *find_python(void)
{
	static const char *const cands[] = {"python3", "/usr/bin/python3"};
	for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++) {
		char cmd[256];
		snprintf(cmd, sizeof cmd,
		         "%s -c 'import numpy' >/dev/null 2>&1", cands[i]);
		if (system(cmd) == 0)
			return cands[i];
	}
	return NULL;
}

int main(void)
{
	const char *py = find_python();
	if (!py) {
		printf("no python3 with numpy: skipped\n");
		return 77;
	}
	char dir[] = "/tmp/mmcalc-test-numpy-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	/* element i of every array is i/8 - 3, exact in f32 and f64 */
	double dv[210];
	float fv[210], iv[210]; /* iv: i - 105, the values of an i8 tensor */
	for (int i = 0; i < 210; i++) {
		dv[i] = i / 8.0 - 3;
		fv[i] = (float)dv[i];
		iv[i] = (float)(i - 105);
	}
	static const int64_t shape[4] = {2, 3, 5, 7};
	mm_diag d;
	char path[128];
	for (int ndim = 0; ndim <= 4; ndim++) {
		snprintf(path, sizeof path, "%s/f64_%d.npy", dir, ndim);
		if (mm_npy_save(path, MM_F64, ndim, shape, dv, &d))
			goto fail;
		snprintf(path, sizeof path, "%s/f32_%d.npy", dir, ndim);
		if (mm_npy_save(path, MM_F32, ndim, shape, fv, &d))
			goto fail;
		/* f16 tensors as <f2 (i/8 - 3 is exact in half precision), i8
		 * as |i1 */
		snprintf(path, sizeof path, "%s/f16_%d.npy", dir, ndim);
		if (mm_npy_save(path, MM_F16, ndim, shape, fv, &d))
			goto fail;
		snprintf(path, sizeof path, "%s/i8_%d.npy", dir, ndim);
		if (mm_npy_save(path, MM_I8, ndim, shape, iv, &d))
			goto fail;
	}
	int64_t s2[2] = {5, 7};
	snprintf(path, sizeof path, "%s/m.csv", dir);
	if (mm_csv_save(path, MM_F64, 2, s2, dv, ',', &d))
		goto fail;
	char cmd[2048];
	snprintf(cmd, sizeof cmd,
	         "%s -c '\n"
	         "import numpy as np, sys\n"
	         "d = sys.argv[1]\n"
	         "shape = (2, 3, 5, 7)\n"
	         "for nd in range(5):\n"
	         "    for t in (\"f64\", \"f32\"):\n"
	         "        a = np.load(\"%%s/%%s_%%d.npy\" %% (d, t, nd))\n"
	         "        want = np.arange(int(np.prod(shape[:nd])))\n"
	         "        want = (want / 8 - 3).reshape(shape[:nd])\n"
	         "        assert a.shape == shape[:nd], (t, nd, a.shape)\n"
	         "        assert a.dtype == (np.float64 if t == \"f64\" else np.float32)\n"
	         "        assert a.flags.c_contiguous\n"
	         "        assert np.array_equal(a, want), (t, nd)\n"
	         "    for t, dt in ((\"f16\", np.float16), (\"i8\", np.int8)):\n"
	         "        a = np.load(\"%%s/%%s_%%d.npy\" %% (d, t, nd))\n"
	         "        n = np.arange(int(np.prod(shape[:nd])))\n"
	         "        want = (n / 8 - 3) if t == \"f16\" else n - 105\n"
	         "        assert a.dtype == dt, (t, a.dtype)\n"
	         "        assert a.shape == shape[:nd], (t, nd, a.shape)\n"
	         "        assert np.array_equal(a, want.reshape(shape[:nd])), (t, nd)\n"
	         "m = np.loadtxt(d + \"/m.csv\", delimiter=\",\")\n"
	         "assert np.array_equal(m, (np.arange(35) / 8 - 3).reshape(5, 7))\n"
	         "' %s",
	         py, dir);
	int rc = system(cmd);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	if (rc != 0) {
		fprintf(stderr, "numpy disagreed with the files written\n");
		return 1;
	}
	printf("numpy reads every file back exactly\n");
	return 0;
fail:
	fprintf(stderr, "%s\n", d.message);
	return 1;
}

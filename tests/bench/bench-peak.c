/* bench-peak.c — this machine's limits, which the GEMM benchmarks are
 * judged against: the FMA peak (f32 and f64, widest vectors) and the read
 * bandwidth over buffers from L1 size to well past the caches, on 1 and 2
 * threads (peak.c measures; best of several rounds).
 *
 *   bench-peak [--quick] [--rounds N] [--threads N] [--bytes N]...
 *
 * --quick: one thread, f32 and a 1 MiB read, two rounds (a smoke test). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "peak.h"

int main(int argc, char **argv)
{
	bool quick = false;
	int rounds = 5, only_threads = 0;
	size_t sizes[16];
	int nsizes = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0)
			quick = true;
		else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
			only_threads = atoi(argv[++i]);
		else if (strcmp(argv[i], "--bytes") == 0 && i + 1 < argc &&
		         nsizes < 16)
			sizes[nsizes++] = (size_t)strtoull(argv[++i], NULL, 0);
		else {
			fprintf(stderr, "usage: %s [--quick] [--rounds N] "
			        "[--threads N] [--bytes N]...\n", argv[0]);
			return 2;
		}
	}
	if (quick) {
		rounds = 2;
		only_threads = 1;
		if (!nsizes)
			sizes[nsizes++] = (size_t)1 << 20;
	}
	if (!nsizes) {
		static const size_t dflt[] = {(size_t)16 << 10, (size_t)1 << 20,
		                              (size_t)64 << 20, (size_t)1 << 30};
		for (size_t i = 0; i < sizeof dflt / sizeof dflt[0]; i++)
			sizes[nsizes++] = dflt[i];
	}
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int maxt = ncpu > 1 ? 2 : 1;
	printf("# vectors: %s; best of %d rounds; an FMA is 2 flops a lane\n",
	       peak_isa(), rounds);
	printf("%-28s %7s %12s %12s\n", "measure", "threads", "value",
	       "per thread");
	for (int t = 1; t <= maxt; t++) {
		if (only_threads && t != only_threads)
			continue;
		for (int f = 0; f < (quick ? 1 : 2); f++) {
			double g = peak_fma_gflops(f == 1, t, rounds);
			printf("%-28s %7d %8.1f GF/s %8.1f GF/s\n",
			       f ? "FMA peak f64" : "FMA peak f32", t, g, g / t);
		}
		for (int s = 0; s < nsizes; s++) {
			char name[64];
			size_t b = sizes[s];
			if (b >= (size_t)1 << 20)
				snprintf(name, sizeof name, "read %zu MiB", b >> 20);
			else
				snprintf(name, sizeof name, "read %zu KiB", b >> 10);
			/* small buffers: many passes a round */
			double g = peak_read_gbs(b, t, rounds);
			if (g <= 0) {
				printf("%-28s %7d %12s\n", name, t, "no memory");
				continue;
			}
			printf("%-28s %7d %8.1f GB/s %8.1f GB/s\n", name, t, g,
			       g / t);
		}
		fflush(stdout);
	}
	return 0;
}

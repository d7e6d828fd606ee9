/* replay.c — runs fuzz inputs through a target without libFuzzer: every
 * file named on the command line, or every file in a named directory, is
 * fed to LLVMFuzzerTestOneInput. Exits 1 when nothing was found to run (a
 * misnamed corpus must not pass silently). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	size_t k;
	while (buf && (k = fread(buf + n, 1, cap - n, f)) > 0) {
		n += k;
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (!buf) {
		fprintf(stderr, "%s: out of memory\n", path);
		return -1;
	}
	/* an exact-size copy, so reads past the end are caught by ASan */
	uint8_t *exact = malloc(n ? n : 1);
	if (exact && n)
		memcpy(exact, buf, n);
	free(buf);
	if (!exact)
		return -1;
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 1;
}

int main(int argc, char **argv)
{
	long files = 0;
	int bad = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			bad = 1;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			int r = run_file(argv[i]);
			files += r > 0;
			bad |= r < 0;
			continue;
		}
		DIR *dir = opendir(argv[i]);
		struct dirent *e;
		while (dir && (e = readdir(dir))) {
			char path[4096];
			snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
			if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
				continue;
			int r = run_file(path);
			files += r > 0;
			bad |= r < 0;
		}
		if (dir)
			closedir(dir);
	}
	printf("replayed %ld inputs\n", files);
	return bad || files == 0;
}

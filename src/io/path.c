/* path.c — "~" expansion and relative paths against a base directory. */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mmcalc/path.h"

static const mm_span nospan = {0, 0};

/* a + b as a new string; "/" between them when sep. */
static char *join(const char *a, size_t an, const char *b, bool sep)
{
	size_t bn = strlen(b);
	char *p = malloc(an + bn + 2);
	if (!p)
		return NULL;
	memcpy(p, a, an);
	size_t n = an;
	if (sep && (n == 0 || p[n - 1] != '/'))
		p[n++] = '/';
	memcpy(p + n, b, bn + 1);
	return p;
}

char *mm_path_resolve(const char *path, const char *base, mm_diag *d)
{
	char *r;
	if (!path || !*path) {
		mm_diag_set(d, MM_ERR_ARG, nospan, "empty file name");
		return NULL;
	}
	if (path[0] == '~') {
		const char *rest = strchr(path, '/');
		size_t ulen = rest ? (size_t)(rest - path - 1) : strlen(path + 1);
		const char *home;
		if (ulen == 0) {
			home = getenv("HOME");
			if (!home || !*home) {
				struct passwd *pw = getpwuid(getuid());
				home = pw ? pw->pw_dir : NULL;
			}
			if (!home || !*home) {
				mm_diag_set(d, MM_ERR_IO, nospan,
				            "%s: cannot expand '~': $HOME is not "
				            "set", path);
				return NULL;
			}
		} else {
			char user[256];
			if (ulen >= sizeof user) {
				mm_diag_set(d, MM_ERR_IO, nospan,
				            "%s: user name too long", path);
				return NULL;
			}
			memcpy(user, path + 1, ulen);
			user[ulen] = '\0';
			struct passwd *pw = getpwnam(user);
			if (!pw || !pw->pw_dir) {
				mm_diag_set(d, MM_ERR_IO, nospan,
				            "%s: no user named '%s'", path, user);
				return NULL;
			}
			home = pw->pw_dir;
		}
		r = join(home, strlen(home), rest ? rest + 1 : "", rest != NULL);
	} else if (path[0] == '/' || !base || !*base) {
		r = join("", 0, path, false);
	} else {
		r = join(base, strlen(base), path, true);
	}
	if (!r)
		mm_diag_set(d, MM_ERR_NOMEM, nospan, "%s: out of memory", path);
	return r;
}

char *mm_path_dirname(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	if (!slash)
		return join(".", 1, "", false);
	/* drop repeated slashes before the last component ("a//b" -> "a") */
	while (slash > path && slash[-1] == '/')
		slash--;
	if (slash == path)
		return join("/", 1, "", false);
	return join(path, (size_t)(slash - path), "", false);
}

bool mm_path_has_ext(const char *path, const char *ext)
{
	size_t n = strlen(path), e = strlen(ext);
	return n >= e && strcasecmp(path + n - e, ext) == 0;
}

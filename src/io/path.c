/* path.c — "~" expansion, relative paths against a base directory, and
 * confinement of paths to a root directory. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
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

/* ---- confinement ---- */

bool mm_path_beneath(const char *dir, const char *path)
{
	size_t n = strlen(dir);
	if (n == 1 && dir[0] == '/')
		return path[0] == '/';
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

char *mm_path_root(const char *dir, mm_diag *d)
{
	struct stat st;
	char *r = dir && *dir ? realpath(dir, NULL) : NULL;
	if (!r || stat(r, &st) != 0 || !S_ISDIR(st.st_mode)) {
		mm_diag_set(d, MM_ERR_IO, nospan, "%s: %s", dir ? dir : "",
		            r ? "not a directory"
		              : dir && *dir ? strerror(errno) : "empty directory name");
		free(r);
		return NULL;
	}
	return r;
}

/* path made absolute (against the current directory) into a new string. */
static char *absolute(const char *path)
{
	if (path[0] == '/')
		return join("", 0, path, false);
	char *cwd = getcwd(NULL, 0);
	char *r = cwd ? join(cwd, strlen(cwd), path, true) : NULL;
	free(cwd);
	return r;
}

/* An absolute path with ".", ".." and repeated slashes taken as they
 * read, in place: "/a/b/../c" -> "/a/c"; ".." at the top stays at "/". */
static void lexical(char *p)
{
	char *out = p; /* p[0] == '/' */
	const char *in = p;
	while (*in) {
		while (*in == '/')
			in++;
		const char *s = in;
		while (*in && *in != '/')
			in++;
		size_t n = (size_t)(in - s);
		if (n == 0 || (n == 1 && s[0] == '.'))
			continue;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (out > p && *--out != '/')
				;
			continue;
		}
		*out++ = '/';
		memmove(out, s, n);
		out += n;
	}
	if (out == p)
		*out++ = '/';
	*out = '\0';
}

/* The refusal: the same words whatever was found, so that a name outside
 * tells nothing of what is there. */
static mm_code outside(const char *path, const char *root, const char *why,
                       mm_diag *d)
{
	mm_diag_set(d, MM_ERR_IO, nospan, "%s: %s %s, the only directory this "
	            "session may use", path, why, root);
	mm_diag_hint(d, "name a file beneath %s, without '..' or a symbolic "
	             "link leading out", root);
	return MM_ERR_IO;
}

mm_code mm_path_confine(const char *root, const char *path, mm_diag *d)
{
	char *abs = absolute(path), *norm = abs ? strdup(abs) : NULL;
	if (!norm) {
		free(abs);
		return mm_diag_set(d, MM_ERR_NOMEM, nospan, "%s: out of memory",
		                   path);
	}
	lexical(norm);
	mm_code c = MM_OK;
	if (!mm_path_beneath(root, norm)) {
		c = outside(path, root, "is outside", d);
		goto done;
	}
	/* What the system makes of it: the longest prefix that exists, its
	 * symbolic links followed, must be beneath root too; a name in what
	 * is left does not exist yet (a file save makes), unless it is a
	 * symbolic link to nothing, refused since writing would follow it. */
	for (size_t n = strlen(abs);;) {
		char *real = realpath(abs, NULL);
		if (real) {
			bool in = mm_path_beneath(root, real);
			free(real);
			if (!in)
				c = outside(path, root, "leads outside", d);
			break;
		}
		struct stat st;
		if ((errno != ENOENT && errno != ENOTDIR) ||
		    (lstat(abs, &st) == 0 && S_ISLNK(st.st_mode))) {
			c = outside(path, root, errno == ENOENT ? "is a symbolic link "
			            "to nothing, so may lead outside" : "cannot be "
			            "followed: it may lead outside", d);
			break;
		}
		while (n > 1 && abs[n - 1] == '/')
			n--;
		while (n > 1 && abs[n - 1] != '/')
			n--;
		if (n <= 1) { /* only "/" is left: root is "/" itself */
			if (!mm_path_beneath(root, "/"))
				c = outside(path, root, "is outside", d);
			break;
		}
		abs[n - 1] = '\0';
		n--;
	}
done:
	free(abs);
	free(norm);
	return c;
}

char *mm_path_open_name(const char *path, const char *base, const char *root,
                        const char *also, mm_diag *d)
{
	char *r = mm_path_resolve(path, base, d);
	if (!r || !root)
		return r;
	mm_diag other;
	if ((also && mm_path_confine(also, r, &other) == MM_OK) ||
	    mm_path_confine(root, r, d) == MM_OK)
		return r;
	free(r);
	return NULL;
}

/* path.h — turning the file names users type into paths to open: "~" and
 * "~/..." expand to $HOME ("~user/..." to that user's home), and a
 * relative path is taken relative to a base directory (a sourced script's
 * directory) or, without one, the current directory; and, for a session
 * confined to a root directory (session.h's mm_session_set_root), refusing
 * any path that is not beneath it.
 *
 * Ownership: every returned string is malloc'd and freed by the caller;
 * arguments are borrowed. Nothing prints or exits. */
#ifndef MMCALC_PATH_H
#define MMCALC_PATH_H

#include <stdbool.h>

#include "mmcalc/diag.h"

/* The path to open for `path` as typed. base may be NULL (current
 * directory: the result then stays relative). Returns a new string, or
 * NULL with d set: MM_ERR_ARG for an empty path, MM_ERR_IO when $HOME is
 * unset or a "~user" is unknown, MM_ERR_NOMEM. */
char *mm_path_resolve(const char *path, const char *base, mm_diag *d);

/* The directory part of path ("." when it has none, "/" for "/x"), as a
 * new string, or NULL when out of memory. For the base of a sourced
 * script: mm_path_dirname(resolved script path). */
char *mm_path_dirname(const char *path);

/* ---- confinement ----
 *
 * A path is beneath root when both what it says ("/r/a/../b" is "/r/b")
 * and what the system makes of it (the longest part that exists, its
 * symbolic links followed by realpath(3)) are root or inside it. So these
 * are refused: absolute paths elsewhere, ".." climbing out, "~" when the
 * home directory is elsewhere, and a symbolic link inside root naming
 * something outside (or nothing: saving
 * through it would create a file wherever it points). A name that does not
 * exist yet is allowed when its existing directory is beneath root (a file
 * save is to make).
 *
 * The check reads the tree as it is when called, just before the file is
 * opened: it confines what a session's statements name, not a process
 * racing to swap a directory for a link meanwhile (whoever may write
 * inside root must be trusted not to), and a hard link inside root to a
 * file elsewhere is that file. */

/* dir as an absolute path without links (realpath), for mm_path_confine's
 * root; NULL with d set (MM_ERR_IO) when it does not exist or is not a
 * directory. Malloc'd. */
char *mm_path_root(const char *dir, mm_diag *d);
/* True when path (absolute, no "." or ".." parts) is dir or inside it,
 * compared as text. */
bool mm_path_beneath(const char *dir, const char *path);
/* MM_OK when path (as mm_path_resolve returned it: relative paths are to
 * the current directory) is beneath root (from mm_path_root); else
 * MM_ERR_IO saying so, with a hint, and the same message whether or not
 * the file outside exists; MM_ERR_NOMEM. */
mm_code mm_path_confine(const char *root, const char *path, mm_diag *d);
/* mm_path_resolve, then, when root is not NULL, mm_path_confine: the path
 * to open, or NULL with d set. also (NULL: none) is a second directory the
 * path may be beneath instead (the model presets while one runs). */
char *mm_path_open_name(const char *path, const char *base, const char *root,
                        const char *also, mm_diag *d);

/* True when path ends in ext, compared without case (ext like ".npy"). */
bool mm_path_has_ext(const char *path, const char *ext);

#endif

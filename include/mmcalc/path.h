/* path.h — turning the file names users type into paths to open: "~" and
 * "~/..." expand to $HOME ("~user/..." to that user's home), and a
 * relative path is taken relative to a base directory (a sourced script's
 * directory) or, without one, the current directory.
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

/* True when path ends in ext, compared without case (ext like ".npy"). */
bool mm_path_has_ext(const char *path, const char *ext);

#endif

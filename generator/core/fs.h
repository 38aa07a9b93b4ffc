/* Files and folders. Functions that can fail return false (or NULL) with
 * errno set; callers turn that into a diagnostic with the path. */
#ifndef POLICYGEN_FS_H
#define POLICYGEN_FS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/vec.h"

/* Reads a whole file (NUL-terminated; *len excludes the NUL). Fails with
 * EFBIG when the file is larger than max_bytes. The caller frees. */
char *fs_read_file(const char *path, size_t max_bytes, size_t *len);
/* Writes a new file at path: one that is there is replaced (unlinked
 * first), never written into. */
bool fs_write_file(const char *path, const char *data, size_t len);
/* Writes all len bytes to fd, again after EINTR or a short write; false
 * (errno set) when a write fails. */
bool fs_write_all(int fd, const void *data, size_t len);
/* Whether path is a regular file (not a symbolic link) holding exactly these
 * bytes, with permission bits mode (0: any). */
bool fs_file_equals(const char *path, const char *data, size_t len, unsigned mode);
/* Creates the folder and its parents. */
bool fs_mkdir_p(const char *path);
/* Removes a file or a whole tree; a missing path is not an error. */
bool fs_remove_tree(const char *path);
bool fs_is_dir(const char *path);
bool fs_is_file(const char *path);
/* The names in a folder (not . or ..), sorted bytewise, into names (char*,
 * owned by the vector: initialise it with free). */
bool fs_list_dir(const char *path, vec *names);
/* a/b with exactly one slash between; the caller frees. */
char *fs_join(const char *a, const char *b);
/* The folder part of a path ("." when there is none); the caller frees. */
char *fs_dirname(const char *path);
/* The absolute path of path with every symbolic link resolved, including
 * for the parts that do not exist yet (they are appended as written, with
 * "." and ".." applied); NULL when the current folder cannot be read. The
 * caller frees. */
char *fs_resolve(const char *path);
/* Whether inner is outer or lies below it; both absolute and resolved. */
bool fs_path_within(const char *inner, const char *outer);
/* Copies a file, creating the target's folders. */
bool fs_copy_file(const char *from, const char *to);

#endif

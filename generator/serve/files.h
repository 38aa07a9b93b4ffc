/* Files of the served output folder: which URL paths may name a file, opening
 * it without leaving the folder, and its Content-Type. */
#ifndef POLICYGEN_SERVE_FILES_H
#define POLICYGEN_SERVE_FILES_H

#include <stdbool.h>
#include <sys/stat.h>

typedef enum serve_lookup {
    SERVE_FOUND,     /* *fd is open on a regular file (the caller closes it) */
    SERVE_DIRECTORY, /* a folder named without its final '/': redirect there */
    SERVE_NOT_FOUND,
    SERVE_BAD_PATH,  /* a '.' or '..' segment, an empty or hidden one, a backslash */
    SERVE_SYMLINK,   /* a symbolic link on the way: never followed */
} serve_lookup;

/* Whether a decoded URL path may name something in the output folder: it
 * starts with '/', and no segment is '.', '..', empty (but the last, which
 * names the folder's index.html), starts with '.' (hidden, like the output
 * marker), or holds a backslash. */
bool serve_path_ok(const char *path);

/* Opens root + path, one segment at a time, refusing every symbolic link
 * (O_NOFOLLOW), so nothing outside root is ever opened. A path ending in '/'
 * opens that folder's index.html. On SERVE_FOUND, *fd and *st describe the
 * file, and *name is its name for serve_content_type: path's last segment
 * (pointing into path), or "index.html". */
serve_lookup serve_open(const char *root, const char *path, int *fd, struct stat *st,
                        const char **name);

/* The Content-Type of a file name by its extension; text types carry
 * charset=utf-8 (the build writes UTF-8 only); unknown ones are
 * application/octet-stream. */
const char *serve_content_type(const char *name);

/* Whether a Content-Type is HTML (where serve injects its script). */
bool serve_type_is_html(const char *type);

#endif

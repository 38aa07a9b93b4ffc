/* Reading the files that content names, the same way everywhere: a file
 * must stay inside its folder once symbolic links are resolved, must not be
 * larger than its limit, and text must be UTF-8 without control characters.
 * Each failure is one diagnostic with the same wording wherever it occurs. */
#ifndef POLICYGEN_SRCFILE_H
#define POLICYGEN_SRCFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag/diag.h"

/* Whether path, once every symbolic link in it is resolved, lies inside
 * folder (resolved too). When it does not: `AT: error: PATH leads outside
 * FOLDER (to REAL); a symbolic link may not leave its folder [outside]`, at
 * at (or at path when at.path is NULL), and false. A path that does not
 * exist passes: reading it reports that. */
bool srcfile_confined(const char *path, const char *folder, srcpos at, diag_sink *diags);

/* fs_read_file with the failure told at path: `cannot read: REASON [read]`,
 * or `file too large: N bytes (limit L) [code]`. The caller frees. */
char *srcfile_read(const char *path, size_t max_bytes, size_t *len, const char *code,
                   diag_sink *diags);

/* The size limit as people read it: "8 MiB", "4 KiB" or "1000 bytes". */
void srcfile_limit_text(size_t bytes, char *buf, size_t size);

/* Whether text[0..len) is UTF-8 without control characters (tab, line feed
 * and carriage return allowed; NUL, the rest of C0, DEL and C1 refused).
 * The first problem is an error at its path:line:col (columns count bytes),
 * lines counted from first_line. */
bool srcfile_check_text(const char *path, const char *text, size_t len, int first_line,
                        diag_sink *diags);

/* The length of a UTF-8 byte-order mark at the start of text (3), or 0. */
size_t srcfile_bom(const char *text, size_t len);

#endif

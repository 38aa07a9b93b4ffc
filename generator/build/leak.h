/* The leak check: after an edition is rendered, every file of it is scanned
 * for any value hidden from its audience (register fields and registers it
 * may not see, chapters, annexes and `only` blocks above it). A value the
 * edition also shows legitimately is not a leak, and values too short to be
 * told from chance (under 7 bytes) are skipped.
 *
 * Pages are scanned from memory as they are rendered (leak_check_look); the
 * walk over the edition's folder then reads only the other files. */
#ifndef POLICYGEN_LEAK_H
#define POLICYGEN_LEAK_H

#include <stdbool.h>
#include <stddef.h>

#include "content/site.h"

typedef struct leak_check leak_check;

/* Leaks found later are told to diags. */
leak_check *leak_check_new(const site *s, audience aud, diag_sink *diags);
void leak_check_free(leak_check *lc);
/* How many values it looks for (after dropping the legitimate ones). */
size_t leak_check_size(const leak_check *lc);

/* Pages scanned from memory, in the shape of html_options.pages:
 * leak_check_look scans a page's bytes and returns a note (several threads
 * may look at once); leak_check_written keeps the note under the page's path
 * below the edition's folder, on one thread, in the order files are
 * written, so that it describes what the file holds. */
void *leak_check_look(void *lc, const char *data, size_t len);
void leak_check_written(void *lc, const char *relpath, void *note);

/* Checks every file below dir: a page scanned from memory by what was
 * found then (when its size still matches), any other file as read from
 * disk. Reports each leaked value once per file as an error at
 * shown_dir/relative-path (the path the user will see), in the order the
 * values first appear. Returns false when anything leaked. */
bool leak_check_dir(const leak_check *lc, const char *dir, const char *shown_dir,
                    const char *edition);
/* Scans the text of a file that keeps it encoded (a PDF's, as typeset) and
 * reports each leaked value at shown_path. Returns false when anything leaked. */
bool leak_check_file_text(const leak_check *lc, const char *text, size_t len,
                          const char *shown_path, const char *edition);
/* Scans one text (for tests). Returns the leaked value that appears first,
 * or NULL. */
const char *leak_check_text(const leak_check *lc, const char *text, size_t len);

#endif

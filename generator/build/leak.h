/* The leak check: after an edition is rendered, every file of it is scanned
 * for any value hidden from its audience (register fields and registers it
 * may not see, chapters, annexes and `only` blocks above it). A value the
 * edition also shows legitimately is not a leak, and values too short to be
 * told from chance (under 7 bytes) are skipped. */
#ifndef POLICYGEN_LEAK_H
#define POLICYGEN_LEAK_H

#include <stdbool.h>

#include "content/site.h"

typedef struct leak_check leak_check;

leak_check *leak_check_new(const site *s, audience aud);
void leak_check_free(leak_check *lc);
/* How many values it looks for (after dropping the legitimate ones). */
size_t leak_check_size(const leak_check *lc);

/* Scans every file below dir; reports each leaked value once per file as an
 * error at shown_dir/relative-path (the path the user will see). Returns
 * false when anything leaked. */
bool leak_check_dir(const leak_check *lc, const char *dir, const char *shown_dir,
                    const char *edition);
/* Scans the text of a file that keeps it encoded (a PDF's, as typeset) and
 * reports each leaked value at shown_path. Returns false when anything leaked. */
bool leak_check_file_text(const leak_check *lc, const char *text, size_t len,
                          const char *shown_path, const char *edition);
/* Scans one text (for tests). Returns the first leaked value found, or NULL. */
const char *leak_check_text(const leak_check *lc, const char *text, size_t len);

#endif

/* Registers in print: the `register` and `revisions` directive tables and
 * the register printouts, through the shared view (registers/view.h), so
 * the PDF selects, orders and merges exactly as the HTML does. */
#ifndef POLICYGEN_RENDER_PDF_REGTABLE_H
#define POLICYGEN_RENDER_PDF_REGTABLE_H

#include <stdbool.h>

#include "content/site.h"
#include "core/strbuf.h"
#include "registers/registers.h"

/* Appends the printed form of a cell: dates in the site calendar (short
 * "107/12/26" in tables, long in lists), checks as one ☑/☐ line per
 * option, lists and multi-line text one item or line a line, hours as
 * "3 小時", bool as 是/否, a ref as the row it names, inline Markdown as its
 * text, and （不公開） for a field hidden from aud. Empty cells append
 * nothing. */
void pdf_cell_text(strbuf *out, const register_row *row, const register_field *f, audience aud,
                   bool roc, bool long_dates);

#endif

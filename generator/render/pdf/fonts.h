/* pdf_fonts_cut: the style's fonts cut down, before the PDFs are typeset, to
 * the characters this build can show.
 *
 * Why: Cairo 1.16 embeds an OpenType/CFF font by copying the font's whole
 * CFF table twice per PDF (to tell whether it is a CID font, then to subset
 * it) and parsing all of its glyphs and subroutines; for the Noto CJK
 * collections (16 to 25 MB of CFF each, three fonts a PDF) that was most of
 * a build's PDF time. Its subroutine subsetting also fails on some glyphs
 * (it then embeds every subroutine: a 4-page form got 550 KB of font).
 *
 * What: each CFF font the style resolves to (fontconfig, as Pango would:
 * body, heading and mono, regular and bold) is subset with HarfBuzz to the
 * characters of the content folder, the theme and the program's own
 * strings, keeping glyph ids and with subroutines expanded, into a memory
 * file that fontconfig knows under a family of its own; the style's family
 * becomes "that family,the original", so a character left out still comes
 * from the original font. Kept glyph ids and no subroutines make what Cairo
 * embeds for a PDF depend only on the glyphs that PDF uses, not on the rest
 * of the build: a PDF kept from an earlier build is byte-identical to one
 * typeset anew. Pages look the same: the same outlines, metrics, layout
 * tables and baselines (the BASE table, which HarfBuzz 6 drops, is put
 * back). Anything failing leaves the style as it was (only slower).
 *
 * Call it before any thread starts and before the worker processes fork
 * (it runs threads of its own and joins them). */
#ifndef POLICYGEN_RENDER_PDF_FONTS_H
#define POLICYGEN_RENDER_PDF_FONTS_H

#include "content/site.h"
#include "render/pdf/style.h"

/* Cuts kept from an earlier build (the build cache, cache/pdfs.h). A cut is
 * named by `what`: the font file (path, device, inode, size, times), the
 * face, HarfBuzz's version and every character, which is all its bytes
 * depend on besides this program. get returns the bytes (malloc'd) or NULL;
 * put keeps them. Both are called in the building process. */
typedef struct pdf_font_cache {
    char *(*get)(void *ctx, const char *what, size_t *len);
    void (*put)(void *ctx, const char *what, const void *data, size_t len);
    void *ctx;
} pdf_font_cache;

/* Cuts the fonts of st down for the site s (its content folder) and the
 * theme folder (NULL: none), and points st's families at them. jobs: the
 * threads to subset with (0: one per core); cache: cuts kept (NULL: none). */
void pdf_fonts_cut(pdf_style *st, const site *s, const char *theme_dir, int jobs,
                   const pdf_font_cache *cache);

/* Every font fontconfig offers (any character may come from any of them,
 * through Pango's fallback), one line each: file, face, and the file's
 * device, inode, size and times, sorted. A PDF's bytes depend on them
 * besides the content, the style and this program: a PDF kept in the build
 * cache is keyed on it, so a font installed, upgraded or removed typesets
 * the PDFs again. Empty when fontconfig cannot start. Caller frees. */
char *pdf_fonts_installed(void);

#endif

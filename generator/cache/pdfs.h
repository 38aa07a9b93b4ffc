/* The build cache's PDFs: a PDF is typeset again only when something that
 * goes into it changed (render/pdf/pdf.h: pdf_reuse).
 *
 * Its key: the settings key the build gives (the program, the date, the
 * environment, the installed fonts), the theme's pdf.yaml, the job (which PDF, which edition)
 * and the content: the plan reads the whole content folder; an annex's
 * form, a register's printout and the handout read everything but the
 * chapters' bodies, and of the chapters their outline (each document's
 * path, id, title, number, audience, footnote numbering and every
 * section's number and title: what cross-references and footnote numbers
 * show), and the handout the text of the chapter it quotes too (pdf_reads).
 * The fonts' cuts (render/pdf/fonts.h) are kept too, keyed on the settings
 * and on what each is made from. */
#ifndef POLICYGEN_CACHE_PDFS_H
#define POLICYGEN_CACHE_PDFS_H

#include "cache/cache.h"
#include "content/site.h"
#include "render/pdf/pdf.h"

typedef struct cache_pdfs cache_pdfs;

/* NULL when the content cannot be hashed (PDFs are then all typeset). */
cache_pdfs *cache_pdfs_new(cache *c, const char *settings_key, const site *s,
                           const char *content_dir, const char *theme_dir);
const pdf_reuse *cache_pdfs_reuse(const cache_pdfs *p);
void cache_pdfs_free(cache_pdfs *p);

#endif

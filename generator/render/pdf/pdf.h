/* The PDF edition: the plan (pdf/<document-id>-<version>-<edition>.pdf), one blank
 * form per annex (annexes/<id>.pdf) and a printout of every register that
 * fills a form (registers/<name>.pdf), typeset with Pango and Cairo.
 *
 * Page size, margins, fonts and sizes come from the theme's pdf.yaml
 * (style.h); a theme without one gets the built-in defaults. The PDFs are
 * typeset in parallel, one Pango font map per thread; the site, its
 * registers and the cross-reference table are only read. */
#ifndef POLICYGEN_RENDER_PDF_H
#define POLICYGEN_RENDER_PDF_H

#include <stdbool.h>

#include "content/site.h"
#include "core/date.h"
#include "core/outdir.h"
#include "core/vec.h"

struct xref_table;

typedef struct pdf_options {
    const char *theme_dir; /* themes/default: pdf.yaml is read from here */
    int jobs;              /* threads; 0 = one per core */
    audience audience;     /* the edition's: what it may show */
    date today;            /* the printing date of register printouts */
    const char *subdir;    /* the edition's folder in the output ("internal"), or NULL */
    vec *texts;            /* when set, receives a pdf_text* per PDF written (caller frees) */
    vec *files;            /* when set, receives a pdf_file* per PDF written (caller frees) */
} pdf_options;

/* A PDF written, for the pages that link to it. */
typedef struct pdf_file {
    char *path;  /* relative to the edition: "annexes/risk-assessment.pdf" */
    long bytes;
    int pages;
} pdf_file;

void pdf_file_free(void *file);

/* The text a PDF shows, as typeset (PDF files keep it compressed and
 * glyph-encoded): for the leak check. */
typedef struct pdf_text {
    char *path; /* relative to the edition: "pdf/isms-plan-V1.0-internal.pdf" */
    char *text;
    size_t len;
} pdf_text;

void pdf_text_free(void *text);

/* Writes every PDF of the edition into od (under opts->subdir). Returns false after a
 * diagnostic when a PDF could not be typeset or written. The output
 * depends only on the model, the style and opts (no clock), so a rebuild
 * gives the same bytes. */
bool pdf_render_site(const site *s, const struct xref_table *xref, outdir *od,
                     const pdf_options *opts);

/* The plan's file name inside the edition of aud:
 * "pdf/isms-plan-V1.0-internal.pdf" (caller frees); the HTML pages link to
 * it. Each edition's name differs, so a download says which it is. */
char *pdf_plan_path(const site *s, audience aud);

#endif

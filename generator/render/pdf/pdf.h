/* The PDF edition: the plan (pdf/<document-id>-<version>-<edition>.pdf), one blank
 * form per annex (annexes/<id>.pdf), a printout of every register that
 * fills a form (registers/<name>.pdf) and, in the staff edition, the
 * handout for publicising the policy (pdf/handout-<version>.pdf), typeset
 * with Pango and Cairo.
 *
 * Page size, margins, fonts and sizes come from the theme's pdf.yaml
 * (style.h); a theme without one gets the built-in defaults. The PDFs are
 * typeset in worker processes, one Pango font map each; the site and its
 * registers are only read. */
#ifndef POLICYGEN_RENDER_PDF_H
#define POLICYGEN_RENDER_PDF_H

#include <stdbool.h>

#include "content/site.h"
#include "core/date.h"
#include "core/outdir.h"
#include "core/strbuf.h"
#include "core/vec.h"
#include "render/pdf/fonts.h"

struct xref_table;

/* What a PDF is typeset with (pdf_env): the edition's audience and folder. */
typedef struct pdf_options {
    const char *theme_dir; /* themes/default: pdf.yaml is read from here */
    int jobs;              /* worker processes; 0 = one per core */
    audience audience;     /* the edition's: what it may show */
    date today;            /* the printing date of register printouts */
    const char *subdir;    /* the edition's folder in the output ("internal"), or NULL */
} pdf_options;

/* An edition whose PDFs to make. */
typedef struct pdf_edition {
    const char *subdir; /* its folder in the output ("internal"), or NULL */
    audience audience;
    vec *texts;         /* when set, receives a pdf_text* per PDF written (caller frees) */
    vec *files;         /* when set, receives a pdf_file* per PDF written (caller frees) */
} pdf_edition;

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

typedef struct pdf_batch pdf_batch;

/* What of the plan's chapters a PDF reads besides their outline (titles,
 * numbers, sections, footnote numbering): the text of all of them (the
 * plan), of one (the handout: the policy chapter, or none when the plan has
 * none), or of none (an annex's form, a register's printout). */
typedef struct pdf_reads {
    bool all;
    const document *chapter;
} pdf_reads;

/* PDFs kept from an earlier build (the build cache, cache/pdfs.h). A job
 * names one PDF of one edition ("annex risk-assessment public
 * annexes/risk-assessment.pdf"); reads says what of the chapters goes into
 * it. fetch writes a kept PDF to path with its text, pages and the
 * audiences its content asked about, and returns true; else the PDF is
 * typeset and given to store (both are called in worker processes). keep
 * is told, in the calling process, every job the build has. */
typedef struct pdf_reuse {
    bool (*fetch)(void *ctx, pdf_reads reads, const char *job, const char *path, strbuf *text,
                  int *pages, audience_range *seen);
    void (*store)(void *ctx, pdf_reads reads, const char *job, const char *path,
                  const strbuf *text, int pages, audience_range seen);
    void (*keep)(void *ctx, pdf_reads reads, const char *job);
    void *ctx;
    pdf_font_cache fonts; /* the fonts' cuts kept (render/pdf/fonts.h) */
} pdf_reuse;

/* Starts typesetting the PDFs of n editions (at most three, one per
 * audience) into od: the worker processes are forked here, so call it
 * before any thread starts, and they run while the caller goes on. With
 * jobs 1 (or when no worker could start) pdf_finish typesets them itself.
 * today is the printing date of register printouts (else the revision's).
 * The output depends only on the model, the style and the editions (no
 * clock), so a rebuild gives the same bytes. Problems are told to diags; a
 * worker tells its own through a sink of its own that passes them on to its
 * copy of diags, so they print where the caller's would. */
pdf_batch *pdf_start(const site *s, outdir *od, const char *theme_dir, int jobs, date today,
                     const pdf_edition *editions, size_t n, const pdf_reuse *reuse,
                     diag_sink *diags);
/* Waits for every PDF and fills the editions' files and texts; false after a
 * diagnostic when one could not be typeset or written (od->failed then). */
bool pdf_finish(pdf_batch *batch);

/* The plan's file name inside the edition of aud:
 * "pdf/isms-plan-V1.0-internal.pdf" (caller frees); the HTML pages link to
 * it. Each edition's name differs, so a download says which it is. */
char *pdf_plan_path(const site *s, audience aud);
/* The staff edition's handout: "pdf/handout-V1.0.pdf" (caller frees). */
char *pdf_handout_path(const site *s);

#endif

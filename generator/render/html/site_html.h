/* The HTML pages of one edition, from the site model and the theme. */
#ifndef POLICYGEN_RENDER_HTML_SITE_H
#define POLICYGEN_RENDER_HTML_SITE_H

#include <stdbool.h>

#include "content/site.h"
#include "core/date.h"
#include "core/outdir.h"

struct xref_table;
struct search_share;

/* A released version for the revision history (versions/): its content as
 * loaded from content/releases/<version>.zip. */
typedef struct html_release {
    const char *version;   /* "V1.1" */
    const site *site;      /* site_load of the release's content/, or NULL when unreadable */
    bool frozen;           /* versions/<version>/index.html is written for this edition */
} html_release;

/* Sees every page as it is written (the build's leak check scans pages
 * from memory). look runs on a rendering thread with the page's bytes and
 * returns a note; written runs on the writing thread after each page's
 * write, in the order the files are written, with the page's path below the
 * edition's folder and the note, which it takes over. Set both or neither.
 * The files written as they are made, too big to hold whole (plan/all.html
 * and search/index.js), are seen by neither: the leak check reads them from
 * the folder. */
typedef struct html_page_observer {
    void *(*look)(void *ctx, const char *data, size_t len);
    void (*written)(void *ctx, const char *relpath, void *note);
    void *ctx;
} html_page_observer;

/* A file the pages link to, with what a reader wants to know before
 * downloading it: the edition's PDFs. */
typedef struct html_download {
    const char *path; /* below the edition's folder: "annexes/risk-assessment.pdf" */
    long bytes;
    int pages;
} html_download;

typedef struct html_options {
    const char *theme_dir;         /* themes/default: templates/ and assets/ */
    const struct xref_table *xref; /* back-links of the annexes */
    audience audience;             /* the edition's */
    int threads;                   /* 0: one per processor */
    /* The rules' flags, for the internal edition's home page and status/:
     * called when those are made, last, on a rendering thread; it may wait
     * for the rules to finish. NULL when no rules ran. */
    const struct rules_result *(*checks)(void *ctx);
    void *checks_ctx;
    const char *subdir;            /* the edition's folder in the output ("public"), or NULL */
    date today;
    const html_release *releases; /* oldest first (release_list_versions); may be NULL */
    size_t n_releases;
    html_page_observer pages;     /* optional */
    const html_download *downloads; /* the PDFs written (none with --no-pdf) */
    size_t n_downloads;
    diag_sink *diags; /* where rendering tells its problems, each page's in page order */
    /* The search index's parts of the build's editions (search_index.h):
     * an edition finds there the parts of pages an earlier one rendered
     * alike. NULL: every part is made. */
    struct search_share *search_share;
} html_options;

/* Writes every page into od. Returns false after a diagnostic when a
 * template is missing or broken. */
bool html_render_site(const site *s, outdir *od, const html_options *opts);

/* OUT/index.html: the editions built (all, or only `only`), each with what it holds. */
bool html_render_editions_index(const site *s, outdir *od, const char *theme_dir, const char *only,
                                diag_sink *diags);

#endif

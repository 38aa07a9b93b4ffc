/* What serve adds to the HTML it serves, and the pages and files of its own.
 * None of it is ever written into the output folder: it is put into each
 * HTML response as it leaves the server. The script is an external file
 * served by serve (SERVE_PREFIX), never inline, so pages keep working under a
 * strict Content-Security-Policy (script-src 'self'). */
#ifndef POLICYGEN_SERVE_PAGE_H
#define POLICYGEN_SERVE_PAGE_H

#include <stdbool.h>
#include <stddef.h>

/* serve's own URL space; no output folder has a "_policygen" entry. */
#define SERVE_PREFIX "/_policygen/"
#define SERVE_EVENTS SERVE_PREFIX "events"

/* What a served page says about the builds. */
typedef struct serve_status {
    const char *build_id;    /* changes with every finished build */
    const char *diagnostics; /* the last build's diagnostics when it failed, else NULL */
    bool building;           /* no build has finished yet */
    bool has_output;         /* a build succeeded: its pages are served */
} serve_status;

/* The page as served: the stylesheet and reload script (tagged with the
 * build id) before </head>, and the failed build's diagnostics, when there
 * are any, after the <body> tag. The caller frees; *out_len is its length. */
char *serve_page_inject(const char *html, size_t len, const serve_status *st, size_t *out_len);

/* A page of serve's own (an error, or the diagnostics while there is no
 * good build yet), with the same script and diagnostics; title and message
 * are text (escaped here). The caller frees. */
char *serve_page_message(const serve_status *st, const char *title, const char *message);

/* serve's own files under SERVE_PREFIX (the name after it): the reload
 * script and the stylesheet; NULL for any other name. */
const char *serve_asset(const char *name, const char **type);

#endif

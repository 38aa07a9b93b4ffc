/* `policygen serve`: builds the content into a folder of its own, serves it
 * over HTTP, and builds again when the content, the theme or the rules
 * change; open pages reload after each build. */
#ifndef POLICYGEN_SERVE_H
#define POLICYGEN_SERVE_H

#include <stdbool.h>

#include "core/date.h"
#include "diag/diag.h"
#include "serve/http.h"

typedef struct serve_options {
    const char *content_dir;
    const char *data_dir;    /* the shipped themes/ and lua-plugins/ */
    serve_address address;   /* where to listen (port 0: the kernel picks one) */
    const char *bind_text;   /* the address as the user wrote it, for messages */
    const char *edition;     /* build only this edition, or NULL for all */
    date today;
    bool today_set;
    bool pdf;                /* typeset the PDFs too (slower builds) */
} serve_options;

typedef enum serve_result {
    SERVE_STOPPED,     /* SIGINT or SIGTERM: everything made was removed */
    SERVE_USAGE_ERROR, /* cannot listen there, a refused folder, an unknown edition */
    SERVE_FAILED,      /* no folder or no inotify */
} serve_result;

/* Runs until SIGINT, SIGTERM or SIGHUP. */
serve_result serve_run(const serve_options *opts, diag_sink *diags);

#endif

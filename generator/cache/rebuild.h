/* A build with the cache: the key of its inputs, the replay of a build with
 * no change, the record of one made in full. */
#ifndef POLICYGEN_CACHE_REBUILD_H
#define POLICYGEN_CACHE_REBUILD_H

#include <stdbool.h>

#include "cache/cache.h"
#include "core/date.h"
#include "diag/diag.h"

/* What a build reads and what changes its output (build/build.h's
 * options, less what does not). */
typedef struct cache_build_inputs {
    const char *content_dir, *output_dir, *data_dir;
    const char *edition; /* or NULL */
    date today;          /* the date the build uses */
    bool strict, no_pdf;
    int jobs;
} cache_build_inputs;

/* Makes the build in full, telling its diagnostics to diags, and returns
 * its result (0: the output written); with c (else NULL), it may take PDFs
 * from it (cache/pdfs.h), whose keys start from settings, and documents
 * (cache/docs.h), whose keys start from program: the key of the program
 * alone (its executable and libraries), which settings starts from too. */
typedef int (*cache_build_fn)(void *ctx, cache *c, const char *settings, const char *program,
                              diag_sink *diags);

/* Builds with the cache folder dir: when every input is as it was for the
 * last successful build into in->output_dir, and that output folder is as
 * the build left it (and no staging folder lies beside it: a build would
 * remove it and say so), writes to stderr what that build wrote there and
 * returns its result without calling build. Else calls build with diags,
 * stderr kept, and records it if it succeeded (a failure may come from the
 * machine, so it is never told again; and if the inputs changed while it
 * ran, nothing it made is kept). A cache that cannot be opened (said to diags)
 * or inputs that cannot be hashed: build without.
 *
 * What is kept and replayed is stderr's bytes: diags must print to stderr
 * (diag_to_stderr) for the build's diagnostics to be among them, and a
 * replay tells diags nothing (its counts stay as they were). */
int cache_build(const char *dir, const cache_build_inputs *in, cache_build_fn build, void *ctx,
                diag_sink *diags);

#endif

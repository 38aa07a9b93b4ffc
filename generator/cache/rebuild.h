/* A build with the cache: the key of its inputs, the replay of a build with
 * no change, the record of one made in full. */
#ifndef POLICYGEN_CACHE_REBUILD_H
#define POLICYGEN_CACHE_REBUILD_H

#include <stdbool.h>

#include "cache/cache.h"
#include "core/date.h"

/* What a build reads and what changes its output (build/build.h's
 * options, less what does not). */
typedef struct cache_build_inputs {
    const char *content_dir, *output_dir, *data_dir;
    const char *edition; /* or NULL */
    date today;          /* the date the build uses */
    bool strict, no_pdf;
    int jobs;
} cache_build_inputs;

/* Makes the build in full and returns its result (0: the output written);
 * with c (else NULL), it may take PDFs from it (cache/pdfs.h), whose keys
 * start from settings. */
typedef int (*cache_build_fn)(void *ctx, cache *c, const char *settings);

/* Builds with the cache folder dir: when every input is as it was for the
 * last build into in->output_dir, and that output folder is as the build
 * left it (and no staging folder lies beside it: a build would remove it
 * and say so), tells what that build told and returns its result without
 * calling build. Else calls build, with stderr kept, and records it (unless
 * the inputs changed while it ran: then nothing it made is kept). A cache
 * that cannot be opened or inputs that cannot be hashed: build without. */
int cache_build(const char *dir, const cache_build_inputs *in, cache_build_fn build, void *ctx);

#endif

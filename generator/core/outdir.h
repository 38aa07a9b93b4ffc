/* Atomic output: a build writes into a fresh folder beside the target and
 * swaps it in only when everything succeeded, so a failed build leaves the
 * previous output untouched. */
#ifndef POLICYGEN_OUTDIR_H
#define POLICYGEN_OUTDIR_H

#include <stdbool.h>
#include <stddef.h>

/* The file at the top of every output folder: a later build may replace a
 * folder that holds it, and no other (but an empty one). */
#define OUTDIR_MARKER ".policygen-output"

/* Why target may not be an output folder, or NULL when it may. A build
 * replaces the whole folder, so it may not be, contain or lie inside any of
 * the n protected folders (the content, the program's data), may not be or
 * contain the home folder or the current folder (and so not be "/"), and,
 * when it exists and holds anything, must be one a build made (it holds
 * OUTDIR_MARKER). Paths are compared after resolving symbolic links. The
 * caller frees. */
char *outdir_refusal(const char *target, const char *const *protect, size_t n);

typedef struct outdir {
    char *target;  /* the output folder to replace */
    char *staging; /* target.tmp-XXXXXX */
    bool failed;   /* a write failed (a diagnostic was emitted) */
    bool fresh;    /* made by outdir_begin_new */
} outdir;

/* Creates the staging folder; false (with a diagnostic) when it cannot. */
bool outdir_begin(outdir *od, const char *target);
/* Likewise for a folder that is new, not an output (policygen new): the
 * staging folder gets no OUTDIR_MARKER, and outdir_commit moves it, or its
 * entries into an empty folder already there, into place without ever
 * replacing anything that came to be there meanwhile. */
bool outdir_begin_new(outdir *od, const char *target);
/* Writes staging/relpath, creating folders. Reports and remembers failure. */
bool outdir_write(outdir *od, const char *relpath, const char *data, size_t len);
bool outdir_write_string(outdir *od, const char *relpath, const char *text);
/* Copies a file into the staging folder. */
bool outdir_copy(outdir *od, const char *relpath, const char *from);
/* The staging path of relpath (the caller frees), for writers that need a file name. */
char *outdir_path(const outdir *od, const char *relpath);
/* Replaces target with the staging folder (see outdir_begin_new). */
bool outdir_commit(outdir *od);
/* Removes the staging folder; target is left as it was. */
void outdir_abort(outdir *od);

#endif

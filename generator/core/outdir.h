/* Atomic output: a build writes into a fresh folder beside the target and
 * swaps it in only when everything succeeded, so a failed build leaves the
 * previous output untouched. */
#ifndef POLICYGEN_OUTDIR_H
#define POLICYGEN_OUTDIR_H

#include <stdbool.h>
#include <stddef.h>

typedef struct outdir {
    char *target;  /* the output folder to replace */
    char *staging; /* target.tmp-XXXXXX */
    bool failed;   /* a write failed (a diagnostic was emitted) */
} outdir;

/* Creates the staging folder; false (with a diagnostic) when it cannot. */
bool outdir_begin(outdir *od, const char *target);
/* Writes staging/relpath, creating folders. Reports and remembers failure. */
bool outdir_write(outdir *od, const char *relpath, const char *data, size_t len);
bool outdir_write_string(outdir *od, const char *relpath, const char *text);
/* Copies a file into the staging folder. */
bool outdir_copy(outdir *od, const char *relpath, const char *from);
/* The staging path of relpath (the caller frees), for writers that need a file name. */
char *outdir_path(const outdir *od, const char *relpath);
/* Replaces target with the staging folder. */
bool outdir_commit(outdir *od);
/* Removes the staging folder; target is left as it was. */
void outdir_abort(outdir *od);

#endif

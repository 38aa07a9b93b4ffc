/* What the libFuzzer harnesses share: a private scratch folder and writing
 * an input into a file there. Each harness is one .c file with
 * LLVMFuzzerTestOneInput (see fuzz/README.md); each input's diagnostics go
 * to a silent sink of its own (diag_to_stream(NULL)): bad input is what we
 * feed, so they are counted, not printed. */
#ifndef POLICYGEN_FUZZ_H
#define POLICYGEN_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/xalloc.h"
#include "diag/diag.h"

/* A folder of this process's own under /tmp, made once and removed at exit. */
static char fuzz_dir_path[64];

static inline void fuzz_remove_dir(void)
{
    if (fuzz_dir_path[0])
        fs_remove_tree(fuzz_dir_path);
}

static inline const char *fuzz_dir(void)
{
    if (!fuzz_dir_path[0]) {
        snprintf(fuzz_dir_path, sizeof fuzz_dir_path, "/tmp/policygen-fuzz-XXXXXX");
        if (!mkdtemp(fuzz_dir_path))
            abort();
        atexit(fuzz_remove_dir);
    }
    return fuzz_dir_path;
}

/* Writes data to DIR/rel (creating folders); the caller frees the path. */
static inline char *fuzz_write(const char *rel, const uint8_t *data, size_t size)
{
    char *path = fs_join(fuzz_dir(), rel);
    char *dir = fs_dirname(path);
    if (!fs_mkdir_p(dir) || !fs_write_file(path, (const char *)data, size))
        abort();
    free(dir);
    return path;
}

static inline char *fuzz_write_text(const char *rel, const char *text)
{
    return fuzz_write(rel, (const uint8_t *)text, strlen(text));
}

/* The checkout the harness runs in (make runs it from there). */
static inline const char *fuzz_root(void)
{
    const char *root = getenv("POLICYGEN_ROOT");
    return root && *root ? root : ".";
}

#endif

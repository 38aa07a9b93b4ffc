/* The safe zip reader: the input is a zip file, opened, checked and every
 * entry read; then extracted into a fresh folder. */
#include "fuzz.h"

#include "release/archive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = fuzz_write("in.zip", data, size);
    release_limits lim = release_default_limits();
    lim.max_total = 1 << 20; /* the harness has a memory limit */
    lim.max_entry = 1 << 20;
    lim.max_entries = 1000;
    diag_sink quiet = diag_to_stream(NULL);
    release_archive *a = release_open(path, &lim, &quiet);
    if (a) {
        for (size_t i = 0; i < release_entry_count(a); i++) {
            const release_entry *e = release_entry_at(a, i);
            if (e->is_dir)
                continue;
            size_t len;
            free(release_read_entry(a, e, &len));
            release_find(a, e->name);
        }
        free(release_read(a, "content/site.yaml", NULL));
        char *dest = fs_join(fuzz_dir(), "out");
        release_extract(a, "content/", dest, NULL);
        fs_remove_tree(dest);
        free(dest);
        release_close(a);
    }
    free(path);
    return 0;
}

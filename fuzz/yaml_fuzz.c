/* The YAML loader and the register loader: the input is a register file
 * (schema and items), loaded, validated, resolved and converted to the data
 * rules and pages read. */
#include "fuzz.h"

#include "registers/registers.h"
#include "yaml/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The loader on its own, from the buffer (with the register loader's
     * node limit: an alias bomb of a million nodes takes seconds with ASan,
     * and the limit itself is tested elsewhere)... */
    diag_sink quiet = diag_to_stream(NULL);
    yaml_limits lim = yaml_default_limits();
    lim.max_nodes = 200000;
    ydoc *doc = yaml_load_buffer("fuzz.yaml", (const char *)data, size, 1, &lim, &quiet);
    if (doc) {
        value_unref(ynode_to_value(doc->root));
        ydoc_free(doc);
    }
    /* ...and a register, from a file in a content folder with evidence. */
    static char *path, *evidence;
    if (!evidence) {
        free(fuzz_write_text("evidence/a.pdf", "%PDF-1.4\n"));
        evidence = fs_join(fuzz_dir(), "evidence");
    }
    free(path);
    path = fuzz_write("registers/fuzz.yaml", data, size);
    register_set *set = registers_new();
    registers_load_file(set, path, "fuzz", evidence, &quiet);
    registers_resolve(set, &quiet);
    for (int a = AUDIENCE_PUBLIC; a <= AUDIENCE_INTERNAL; a++)
        value_unref(registers_to_value(set, (audience)a));
    revision_info info;
    registers_current_revision(set, &info);
    vec files;
    vec_init(&files, NULL);
    registers_evidence_files(set, AUDIENCE_INTERNAL, &files);
    vec_free(&files);
    registers_free(set);
    return 0;
}

/* The Lua-facing site API: a shipped rule runs against a site whose
 * register is the fuzzed one. The input's first byte picks the register's
 * name (one of content/registers/), the second the rule (one of
 * lua-plugins/), the rest is the register's YAML (its `type:` says which
 * rules read it); it is loaded as a register, typed, turned into the site
 * data and the typed registers, and handed to the rule in this process, with
 * small limits. */
#include "fuzz.h"

#include "registers/registers.h"
#include "rules/rules.h"

static vec names, plugins;
static char *lib_dir; /* the shipped rules' helper modules (require) */

static void list(const char *sub, const char *ext, vec *out, bool full)
{
    char *dir = fs_join(fuzz_root(), sub);
    vec all;
    vec_init(&all, free);
    if (!fs_list_dir(dir, &all))
        abort();
    for (size_t i = 0; i < all.len; i++) {
        const char *n = all.items[i];
        size_t ln = strlen(n), le = strlen(ext);
        if (n[0] == '.' || ln <= le || strcmp(n + ln - le, ext) != 0)
            continue;
        vec_push(out, full ? fs_join(dir, n) : xstrndup(n, ln - le));
    }
    vec_free(&all);
    free(dir);
    if (!out->len)
        abort();
}

static value *site_value(value *registers)
{
    value *v = value_map();
    value *org = value_map();
    value_map_set_string(org, "name", "測試國小");
    value_map_set_string(org, "level", "D");
    value_map_set(v, "organization", org);
    value *doc = value_map();
    value_map_set_string(doc, "id", "plan");
    value_map_set_string(doc, "title", "計畫");
    value_map_set(v, "document", doc);
    value *rev = value_map();
    value_map_set_string(rev, "version", "V1.0");
    value_map_set(rev, "date", rules_date_value((date){2025, 3, 1}));
    value_map_set_bool(rev, "approved", true);
    value_map_set(v, "revision", rev);
    value_map_set(v, "registers", registers);
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!names.len) {
        vec_init(&names, free);
        vec_init(&plugins, free);
        list("content/registers", ".yaml", &names, false);
        list("lua-plugins", ".lua", &plugins, true);
        lib_dir = fs_join(fuzz_root(), "lua-plugins/lib");
        free(fuzz_write_text("evidence/a.pdf", "%PDF-1.4\n"));
    }
    if (size < 2)
        return 0;
    const char *name = names.items[data[0] % names.len];
    const char *plugin = plugins.items[data[1] % plugins.len];
    char *file = xasprintf("registers/%s.yaml", name);
    char *path = fuzz_write(file, data + 2, size - 2);
    char *evidence = fs_join(fuzz_dir(), "evidence");
    diag_sink quiet = diag_to_stream(NULL);
    register_set *set = registers_new();
    registers_load_file(set, path, name, evidence, &quiet);
    registers_resolve(set, &quiet);
    value *site = site_value(registers_to_value(set, AUDIENCE_INTERNAL));
    value *typed = registers_typed_value(set);

    rules_limits lim = rules_default_limits();
    lim.in_process = true;
    lim.max_memory = 32u << 20;
    lim.max_instructions = 2000000;
    lim.max_millis = 2000;
    value *params = value_map();
    rules_result r;
    const char *paths[] = {plugin};
    char *registers_dir = fs_join(fuzz_dir(), "registers");
    rules_inputs in = {.paths = paths,
                       .count = 1,
                       .site = site,
                       .registers = typed,
                       .registers_dir = registers_dir,
                       .lib_dir = lib_dir,
                       .today = {2026, 11, 28},
                       .params = params,
                       .limits = &lim};
    rules_run(&in, &r, &quiet);
    rules_result_free(&r);

    free(registers_dir);
    value_unref(typed);
    value_unref(params);
    value_unref(site);
    registers_free(set);
    free(evidence);
    free(path);
    free(file);
    return 0;
}

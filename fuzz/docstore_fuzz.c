/* The build cache's documents (content/docstore.h): the input is an entry,
 * which the load is given for every document of a small content folder
 * instead of parsing it; whatever it accepts is then resolved and rendered
 * to HTML for each audience, as a build would. An entry that does not fit
 * its document must be refused (that document is parsed), never read past
 * its end or filled into pointers that lead nowhere.
 *
 * POLICYGEN_FUZZ_SAVE=DIR: the load parses every document and writes what
 * it keeps of each into DIR (the seeds: fuzz/seeds.sh). */
#include "fuzz.h"
#include "render.h"

static const char SITE[] = "organization: {name: 測試國小}\n"
                           "document: {id: plan, title: 計畫}\n"
                           "editions: [public, staff, internal]\n";
static const char SYSTEMS[] =
    "title: 系統\nkey: id\nannex: form\nfields:\n"
    "  - {name: id, type: text, required: true}\n"
    "  - {name: name, type: text}\n"
    "  - {name: ip, type: text, audience: internal}\n"
    "items:\n  - {id: web, name: 網站, ip: 192.0.2.1}\n  - {id: mail, name: 郵件}\n";
static const char ANNEX[] = "---\nid: form\nnumber: 1\ntitle: 表單\nregister: systems\n---\n"
                            "## 填表 {#fill}\n\n見[](sec:one/goal)。\n\n:::signatures\n:::\n";
/* A chapter with a part of every kind an entry keeps: sections with ids,
 * directives (only, register with options), links, footnotes, a table. */
static const char ONE[] = "---\nid: one\ntitle: 目標\n---\n"
                          "## 目標 {#goal}\n\n1. 第一\n   1. 細項[^n]\n\n[^n]: 註。\n\n"
                          "## 範圍\n\n| 項目 | 說明 |\n|---|---|\n| 甲 | 乙 |\n\n"
                          ":::only internal\n僅內部：[](annex:form)\n:::\n\n"
                          ":::register systems\ncolumns: [id, name]\n:::\n\n"
                          "見[](sec:two/other)與[表單](annex:form#fill)。\n";
static const char TWO[] = "---\nid: two\ntitle: 其他\n---\n## 其他 {#other}\n\n"
                          ":::only staff\n同仁**須知**。\n:::\n\n回[](sec:one/goal)。\n";

typedef struct store_input {
    const uint8_t *data;
    size_t size;
    const char *save; /* POLICYGEN_FUZZ_SAVE */
    int saved;
} store_input;

static char *input_get(void *ctx, const void *what, size_t what_len, size_t *len)
{
    (void)what;
    (void)what_len;
    const store_input *in = ctx;
    if (in->save)
        return NULL;
    char *copy = xmalloc(in->size + 1);
    memcpy(copy, in->data, in->size);
    copy[in->size] = '\0';
    *len = in->size;
    return copy;
}

static void input_put(void *ctx, const void *what, size_t what_len, const void *data,
                      size_t len)
{
    (void)what;
    (void)what_len;
    store_input *in = ctx;
    if (!in->save)
        return;
    char *path = xasprintf("%s/entry-%d", in->save, in->saved++);
    if (!fs_write_file(path, data, len))
        abort();
    free(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *dir;
    if (!dir) {
        dir = fuzz_dir();
        free(fuzz_write_text("site.yaml", SITE));
        free(fuzz_write_text("registers/systems.yaml", SYSTEMS));
        free(fuzz_write_text("annexes/01-form.md", ANNEX));
        free(fuzz_write_text("plan/01-one.md", ONE));
        free(fuzz_write_text("plan/02-two.md", TWO));
    }
    store_input in = {data, size, getenv("POLICYGEN_FUZZ_SAVE"), 0};
    if (in.save && !*in.save)
        in.save = NULL;
    site_doc_store store = {input_get, input_put, &in};
    diag_sink quiet = diag_to_stream(NULL);
    site_visitor bodies = html_prerender_visitor();
    site *s = site_load_stored(dir, 1, &bodies, &store, &quiet);
    if (!s)
        return 0;
    const vec *docs[] = {&s->chapters, &s->annexes};
    fuzz_render(s, docs, 2);
    site_free(s);
    return 0;
}

/* Front matter, Markdown, directives and cross-references: the input is a
 * chapter of a small content folder (site.yaml, a register, an annex and a
 * second chapter to refer to), loaded, resolved and rendered to HTML for
 * each audience. */
#include "fuzz.h"
#include "render.h"

static const char SITE[] = "organization: {name: 測試國小}\n"
                           "document: {id: plan, title: 計畫}\n"
                           "editions: [public, staff, internal]\n";
static const char REVISIONS[] =
    "title: 修訂紀錄\nkey: version\nfields:\n"
    "  - {name: version, type: text, required: true}\n"
    "  - {name: date, type: date}\n"
    "  - {name: status, type: enum, values: [draft, approved]}\n"
    "items:\n  - {version: V1.0, date: 2025-01-02, status: approved}\n";
static const char SYSTEMS[] =
    "title: 系統\nkey: id\nannex: form\nfields:\n"
    "  - {name: id, type: text, required: true}\n"
    "  - {name: name, type: text}\n"
    "  - {name: ip, type: text, audience: internal}\n"
    "items:\n  - {id: web, name: 網站, ip: 192.0.2.1}\n  - {id: mail, name: 郵件}\n";
static const char ANNEX[] = "---\nid: form\nnumber: 1\ntitle: 表單\nregister: systems\n---\n"
                            "## 填表 {#fill}\n\n見[](sec:other/goal)。\n";
static const char OTHER[] = "---\nid: other\ntitle: 目標\n---\n## 目標 {#goal}\n\n"
                            "1. 第一\n   1. 細項[^n]\n\n[^n]: 註。\n\n[](annex:form)\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *dir;
    if (!dir) {
        dir = fuzz_dir();
        free(fuzz_write_text("site.yaml", SITE));
        free(fuzz_write_text("registers/revisions.yaml", REVISIONS));
        free(fuzz_write_text("registers/systems.yaml", SYSTEMS));
        free(fuzz_write_text("annexes/01-form.md", ANNEX));
        free(fuzz_write_text("plan/02-other.md", OTHER));
    }
    free(fuzz_write("plan/01-fuzz.md", data, size));
    /* As a build loads it: each body rendered while the load has its tree. */
    diag_sink quiet = diag_to_stream(NULL);
    site_visitor bodies = {.visit = html_prerender_body};
    site *s = site_load_visiting(dir, 1, &bodies, &quiet);
    if (!s)
        return 0;
    const vec *docs[] = {&s->chapters};
    fuzz_render(s, docs, 1);
    site_free(s);
    return 0;
}

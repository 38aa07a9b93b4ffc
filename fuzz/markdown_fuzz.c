/* Front matter, Markdown, directives and cross-references: the input is a
 * chapter of a small content folder (site.yaml, a register, an annex and a
 * second chapter to refer to), loaded, resolved and rendered to HTML for
 * each audience. */
#include "fuzz.h"

#include "content/site.h"
#include "render/html/body.h"
#include "xref/xref.h"

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
    xref_table *x = xref_resolve_site_jobs(s, 1, &quiet);
    for (int a = AUDIENCE_PUBLIC; a <= AUDIENCE_INTERNAL; a++) {
        for (size_t i = 0; i < s->chapters.len; i++) {
            const document *d = s->chapters.items[i];
            strbuf out;
            sb_init(&out);
            html_id_marks marks = {0};
            double widest = 0;
            html_body_options o = {.site = s, .audience = (audience)a, .id_prefix = "",
                                   .root = "../", .id_marks = &marks, .widest_table = &widest};
            html_render_body(&out, d, &o);
            free(marks.at);
            o.id_marks = NULL;
            o.id_prefix = "c-";
            html_render_body(&out, d, &o);
            o.id_prefix = "";
            for (size_t k = 0; k < d->sections.len; k++) {
                const section *sec = d->sections.items[k];
                html_render_section(&out, d, sec, &o);
                free(xref_section_text(sec));
            }
            sb_free(&out);
        }
    }
    xref_table_free(x);
    site_free(s);
    return 0;
}

/* What the harnesses that load a content folder do with it, as a build
 * would: cross-references resolved, then every document of docs rendered to
 * HTML for each audience (the body with its ids marked, again with an id
 * prefix as in all.html, and each section on its own). */
#ifndef POLICYGEN_FUZZ_RENDER_H
#define POLICYGEN_FUZZ_RENDER_H

#include "fuzz.h"

#include "content/site.h"
#include "render/html/body.h"
#include "xref/xref.h"

/* Renders the documents of docs (a vec of document*, s's chapters or
 * annexes) for each audience; xref is resolved first and freed after. */
static inline void fuzz_render(site *s, const vec *const *docs, size_t ndocs)
{
    diag_sink quiet = diag_to_stream(NULL);
    xref_table *x = xref_resolve_site_jobs(s, 1, &quiet);
    for (int a = AUDIENCE_PUBLIC; a <= AUDIENCE_INTERNAL; a++) {
        for (size_t v = 0; v < ndocs; v++) {
            for (size_t i = 0; i < docs[v]->len; i++) {
                const document *d = docs[v]->items[i];
                strbuf out;
                sb_init(&out);
                html_id_marks marks = {0};
                double widest = 0;
                html_body_options o = {.site = s, .audience = (audience)a, .id_prefix = "",
                                       .root = "../", .id_marks = &marks,
                                       .widest_table = &widest};
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
    }
    xref_table_free(x);
}

#endif

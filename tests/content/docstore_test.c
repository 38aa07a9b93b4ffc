/* A document taken from a store (content/docstore.h, site_load_stored) is
 * the document a parse makes: every tree-derived field equal (sections,
 * directives with their `only` content and options, links, the rules' text,
 * footnotes, the body rendered at load, and what xref makes of them) for a
 * second school and a chapter written here with what the layout must carry;
 * a second load takes every document from the store and parses none; a
 * document whose Markdown told a diagnostic is never stored; and entries cut
 * short, garbled or of another layout are refused, the document parsed
 * instead. Run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm.h>
#include <cmocka.h>
#include <pthread.h>

#include "content/docstore.h"
#include "core/fs.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "diag/diag.h"
#include "markdown/directive.h"
#include "markdown/scan.h"
#include "render/html/body.h"
#include "xref/xref.h"

/* ---- a store in memory, counting ---- */

typedef struct entry {
    char *what, *data;
    size_t what_len, len;
} entry;

typedef struct memstore {
    pthread_mutex_t lock; /* the load's threads call it at once */
    entry items[64];
    size_t n;
    int gets, hits, puts;
    /* What get gives instead of the entry, for damaged ones: */
    size_t short_by; /* bytes left off its end (all when more) */
    long flip;       /* >= 0: that byte changed */
} memstore;

static entry *find(memstore *m, const void *what, size_t what_len)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->items[i].what_len == what_len && memcmp(m->items[i].what, what, what_len) == 0)
            return &m->items[i];
    return NULL;
}

static char *mem_get(void *ctx, const void *what, size_t what_len, size_t *len)
{
    memstore *m = ctx;
    pthread_mutex_lock(&m->lock);
    m->gets++;
    entry *e = find(m, what, what_len);
    char *data = NULL;
    if (e) {
        m->hits++;
        *len = e->len > m->short_by ? e->len - m->short_by : 0;
        data = xmalloc(*len + 1);
        memcpy(data, e->data, *len);
        data[*len] = '\0';
        if (m->flip >= 0 && (size_t)m->flip < *len)
            data[m->flip] ^= 0x55;
    }
    pthread_mutex_unlock(&m->lock);
    return data;
}

static void mem_put(void *ctx, const void *what, size_t what_len, const void *data, size_t len)
{
    memstore *m = ctx;
    pthread_mutex_lock(&m->lock);
    m->puts++;
    entry *e = find(m, what, what_len);
    if (!e) {
        assert_true(m->n < sizeof m->items / sizeof *m->items);
        e = &m->items[m->n++];
        e->what = xmalloc(what_len);
        memcpy(e->what, what, what_len);
        e->what_len = what_len;
    } else {
        free(e->data);
    }
    e->data = xmalloc(len);
    memcpy(e->data, data, len);
    e->len = len;
    pthread_mutex_unlock(&m->lock);
}

static void memstore_init(memstore *m)
{
    memset(m, 0, sizeof *m);
    pthread_mutex_init(&m->lock, NULL);
    m->flip = -1;
}

static void memstore_free(memstore *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->items[i].what);
        free(m->items[i].data);
    }
    pthread_mutex_destroy(&m->lock);
}

static void counts_reset(memstore *m)
{
    m->gets = m->hits = m->puts = 0;
}

/* ---- sites ---- */

typedef struct loaded {
    site *s;
    xref_table *xref;
} loaded;

static loaded load(const char *dir, memstore *m)
{
    diag_sink quiet = diag_to_stream(NULL);
    site_visitor bodies = html_prerender_visitor();
    site_doc_store store = {mem_get, mem_put, m};
    loaded l;
    l.s = site_load_stored(dir, 2, &bodies, m ? &store : NULL, &quiet);
    assert_non_null(l.s);
    l.xref = xref_resolve_site(l.s, &quiet);
    return l;
}

static void unload(loaded *l)
{
    xref_table_free(l->xref);
    site_free(l->s);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char *path = fs_join(dir, name);
    assert_true(fs_write_file(path, text, strlen(text)));
    free(path);
}

/* A copy of the second school with a chapter, an annex and a digest that
 * hold what the layout must carry; the caller removes it. */
static char *make_site(void)
{
    char *dir = xstrdup("/tmp/policygen-docstore-test-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char *cmd = xasprintf("cp -R tests/fixtures/school2/. %s/", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    char *plan = fs_join(dir, "plan"), *annexes = fs_join(dir, "annexes");
    assert_true(fs_mkdir_p(annexes));
    write_file(plan, "11-all.md",
               "---\nid: all\ntitle: 綜合\n---\n"
               "前言見[政策](sec:policy \"說明\")與[外部](https://example.org/)。[^a]\n\n"
               "## 依據 {#basis}\n\n"
               "### 細節\n\n"
               "見[](sec:all/basis)及[](annex:form)，另[不明](sec:nowhere)。\n\n"
               "1. 一\n   1. 二[^b]\n2. 三\n\n"
               "```only internal\n內部才看得到[^b]與[](annex:form)。\n```\n\n"
               "```register inventory\ncolumns: [asset_no, item]\nsort: asset_no\n```\n\n"
               "```signatures\n[承辦人, 資安長]\n```\n\n"
               "## 表格\n\n"
               "| 甲 | 乙 |\n|:--|--:|\n| 一格 | ~~刪~~ |\n\n"
               "> 引文。\n\n"
               "    code\n\n"
               "[^a]: 註一見[](annex:form)。\n"
               "[^b]: 註二。\n");
    write_file(annexes, "01-form.md",
               "---\nid: form\nnumber: 1\ntitle: 表單\nregister: inventory\n---\n"
               "> 填寫說明。\n\n回到[](sec:all/basis)。\n\n```annexes\n```\n\n"
               "| 依據 |\n|--|\n| [](sec:all/basis) |\n");
    write_file(dir, "digest.md", "---\ntitle: 須知\n---\n請詳閱[](sec:policy)。\n");
    free(plan);
    free(annexes);
    return dir;
}

/* ---- comparing ---- */

static void assert_str_eq(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

static void assert_pos_eq(srcpos a, srcpos b)
{
    assert_string_equal(a.path, b.path);
    assert_int_equal(a.line, b.line);
    assert_int_equal(a.col, b.col);
}

static int section_index(const section *s)
{
    return s ? s->index : -1;
}

static void assert_ynode_eq(const ynode *a, const ynode *b)
{
    if (!a || !b) {
        assert_ptr_equal(a, b);
        return;
    }
    assert_int_equal(a->kind, b->kind);
    assert_str_eq(a->text, b->text);
    assert_int_equal(a->len, b->len);
    assert_int_equal(ynode_pos(a).line, ynode_pos(b).line);
    for (size_t i = 0; i < a->len; i++) {
        if (a->kind == YNODE_MAP)
            assert_ynode_eq(a->keys[i], b->keys[i]);
        assert_ynode_eq(a->items[i], b->items[i]);
    }
}

static void assert_tree_eq(cmark_node *a, cmark_node *b)
{
    if (!a || !b) {
        assert_ptr_equal(a, b);
        return;
    }
    char *x = cmark_render_xml(a, CMARK_OPT_SOURCEPOS),
         *y = cmark_render_xml(b, CMARK_OPT_SOURCEPOS);
    assert_string_equal(x, y);
    free(x);
    free(y);
}

static size_t directive_index(const document *d, const directive *dir)
{
    for (size_t i = 0; i < d->directives.len; i++)
        if (d->directives.items[i] == dir)
            return i;
    return SIZE_MAX;
}

static char *render(const site *s, const document *d, audience aud, html_id_marks *marks,
                    double *widest)
{
    strbuf sb;
    sb_init(&sb);
    html_body_options opts = {
        .site = s, .audience = aud, .root = "../", .id_marks = marks, .widest_table = widest};
    html_render_body(&sb, d, &opts);
    return sb_take(&sb);
}

/* Every tree-derived field of a (taken from a store) as b's (parsed). */
static void assert_document_eq(const loaded *la, const document *a, const loaded *lb,
                               const document *b)
{
    assert_string_equal(a->path, b->path);
    assert_int_equal(a->footnote_count, b->footnote_count);
    assert_int_equal(a->footnote_base, b->footnote_base);
    assert_int_equal(a->sections.len, b->sections.len);
    for (size_t i = 0; i < a->sections.len; i++) {
        const section *x = a->sections.items[i], *y = b->sections.items[i];
        assert_ptr_equal(x->doc, a);
        assert_int_equal(x->index, (int)i);
        assert_int_equal(x->level, y->level);
        assert_string_equal(x->id, y->id);
        assert_string_equal(x->label, y->label);
        assert_string_equal(x->full_label, y->full_label);
        assert_string_equal(x->title, y->title);
        assert_pos_eq(x->pos, y->pos);
    }
    assert_int_equal(a->directives.len, b->directives.len);
    for (size_t i = 0; i < a->directives.len; i++) {
        const directive *x = a->directives.items[i], *y = b->directives.items[i];
        assert_int_equal(x->kind, y->kind);
        assert_str_eq(x->arg, y->arg);
        assert_int_equal(x->audience, y->audience);
        assert_pos_eq(x->pos, y->pos);
        assert_ynode_eq(x->options ? x->options->root : NULL, y->options ? y->options->root : NULL);
        assert_tree_eq(x->content, y->content);
    }
    assert_int_equal(a->links.len, b->links.len);
    for (size_t i = 0; i < a->links.len; i++) {
        const doc_link *x = a->links.items[i], *y = b->links.items[i];
        assert_string_equal(x->url, y->url);
        assert_string_equal(x->title, y->title);
        assert_int_equal(x->line, y->line);
        assert_int_equal(x->col, y->col);
        assert_int_equal(x->empty, y->empty);
        assert_int_equal(section_index(x->section), section_index(y->section));
        assert_int_equal(x->text_len, y->text_len);
        assert_memory_equal(x->text, y->text, x->text_len);
        assert_str_eq(x->fill, y->fill); /* what xref made of it */
        assert_int_equal(x->xref != NULL, y->xref != NULL);
    }
    const struct md_text *s = a->text, *t = b->text;
    assert_int_equal(s->nblocks, t->nblocks);
    for (size_t i = 0; i < s->nblocks; i++) {
        const md_block *x = &s->blocks[i], *y = &t->blocks[i];
        assert_int_equal(x->kind, y->kind);
        assert_int_equal(x->next, y->next);
        assert_int_equal(x->has_children, y->has_children);
        assert_int_equal(x->line, y->line);
        assert_int_equal(section_index(x->section), section_index(y->section));
        assert_int_equal(directive_index(a, x->directive), directive_index(b, y->directive));
        assert_int_equal(x->text, y->text);
        assert_int_equal(x->len, y->len);
    }
    assert_int_equal(s->nfills, t->nfills);
    for (size_t i = 0; i < s->nfills; i++) {
        assert_int_equal(s->fills[i].block, t->fills[i].block);
        assert_int_equal(s->fills[i].at, t->fills[i].at);
        assert_int_equal(s->fills[i].link, t->fills[i].link);
    }
    assert_int_equal(s->nchars, t->nchars);
    assert_memory_equal(s->chars, t->chars, s->nchars);
    /* The body rendered at load: both made or both not, the same size,
     * and the same pages from it, heading marks and widest table too. */
    assert_int_equal(a->made != NULL, b->made != NULL);
    assert_int_equal(html_body_size(a), html_body_size(b));
    for (int aud = AUDIENCE_PUBLIC; aud <= AUDIENCE_INTERNAL; aud++) {
        html_id_marks m1 = {0}, m2 = {0};
        double w1 = 0, w2 = 0;
        char *x = render(la->s, a, (audience)aud, &m1, &w1);
        char *y = render(lb->s, b, (audience)aud, &m2, &w2);
        assert_string_equal(x, y);
        assert_int_equal(m1.len, m2.len);
        for (size_t i = 0; i < m1.len; i++)
            assert_int_equal(m1.at[i], m2.at[i]);
        assert_true(w1 == w2);
        free(x);
        free(y);
        free(m1.at);
        free(m2.at);
    }
}

static size_t documents(const site *s)
{
    return s->chapters.len + s->annexes.len + (s->digest ? 1 : 0);
}

static void assert_site_eq(const loaded *a, const loaded *b)
{
    assert_int_equal(a->s->chapters.len, b->s->chapters.len);
    assert_int_equal(a->s->annexes.len, b->s->annexes.len);
    for (size_t i = 0; i < a->s->chapters.len; i++)
        assert_document_eq(a, a->s->chapters.items[i], b, b->s->chapters.items[i]);
    for (size_t i = 0; i < a->s->annexes.len; i++)
        assert_document_eq(a, a->s->annexes.items[i], b, b->s->annexes.items[i]);
    assert_non_null(a->s->digest);
    assert_document_eq(a, a->s->digest, b, b->s->digest);
}

/* ---- tests ---- */

static void test_round_trip(void **state)
{
    (void)state;
    char *dir = make_site();
    memstore m;
    memstore_init(&m);
    loaded parsed = load(dir, NULL);
    size_t n = documents(parsed.s);
    assert_int_equal(n, 13);
    loaded first = load(dir, &m); /* parses, and stores each */
    assert_int_equal(m.gets, (int)n);
    assert_int_equal(m.hits, 0);
    assert_int_equal(m.puts, (int)n);
    assert_site_eq(&first, &parsed);
    counts_reset(&m);
    loaded second = load(dir, &m); /* takes each, parses none */
    assert_int_equal(m.gets, (int)n);
    assert_int_equal(m.hits, (int)n);
    assert_int_equal(m.puts, 0);
    assert_site_eq(&second, &parsed);
    /* What the chapter written here holds came through: an `only` block,
     * register options, signatures, an empty link xref filled. */
    const document *all = second.s->chapters.items[10];
    assert_string_equal(all->id, "all");
    assert_int_equal(all->directives.len, 3);
    const directive *only = all->directives.items[0], *reg = all->directives.items[1];
    assert_int_equal(only->kind, DIRECTIVE_ONLY);
    assert_int_equal(only->audience, AUDIENCE_INTERNAL);
    assert_non_null(only->content);
    assert_int_equal(reg->kind, DIRECTIVE_REGISTER);
    assert_non_null(ynode_get(reg->options->root, "columns"));
    const char *labels[4];
    assert_int_equal(directive_signatures(all->directives.items[2], labels, 4), 2);
    assert_int_equal(all->footnote_count, 2);
    const doc_link *basis = all->links.items[2];
    assert_true(basis->empty);
    assert_non_null(basis->fill);
    assert_non_null(all->made);
    /* The annex's table has an empty link in a cell (its widths want the
     * text xref gives it): its body is not rendered at load, and comes from
     * the store as not rendered. */
    assert_null(((const document *)second.s->annexes.items[0])->made);
    /* An edited document alone is parsed (and stored) again. */
    unload(&second);
    char *plan = fs_join(dir, "plan");
    write_file(plan, "02-core.md", "---\nid: core\ntitle: 核心\n---\n改寫。\n");
    counts_reset(&m);
    loaded third = load(dir, &m);
    assert_int_equal(m.hits, (int)n - 1);
    assert_int_equal(m.puts, 1);
    unload(&third);
    free(plan);
    unload(&first);
    unload(&parsed);
    memstore_free(&m);
    fs_remove_tree(dir);
    free(dir);
}

/* A document whose Markdown told a diagnostic (a heading that skips a
 * level) is not stored, so it is parsed, and tells it, every time. */
static void test_told_not_stored(void **state)
{
    (void)state;
    char *dir = make_site();
    char *plan = fs_join(dir, "plan");
    write_file(plan, "12-skip.md", "---\nid: skip\ntitle: 跳\n---\n#### 跳級\n\n文。\n");
    memstore m;
    memstore_init(&m);
    int warnings[2];
    for (int round = 0; round < 2; round++) {
        counts_reset(&m);
        diag_sink sink = diag_to_stream(NULL);
        site_visitor bodies = html_prerender_visitor();
        site_doc_store store = {mem_get, mem_put, &m};
        site *s = site_load_stored(dir, 2, &bodies, &store, &sink);
        assert_non_null(s);
        warnings[round] = diag_get_counts(&sink).warnings;
        assert_int_equal(m.gets, 14);
        assert_int_equal(m.hits, round ? 13 : 0);
        assert_int_equal(m.puts, round ? 0 : 13);
        site_free(s);
        diag_sink_free(&sink);
    }
    assert_true(warnings[0] > 0);
    assert_int_equal(warnings[0], warnings[1]); /* the skip told again */
    memstore_free(&m);
    fs_remove_tree(dir);
    free(plan);
    free(dir);
}

static void assert_parts_empty(const document *d)
{
    assert_int_equal(d->sections.len, 0);
    assert_int_equal(d->directives.len, 0);
    assert_int_equal(d->links.len, 0);
    assert_null(d->text);
    assert_null(d->made);
}

/* Entries cut short anywhere, or of another layout, are refused, the
 * document's parts left empty, and the load then parses it: the site is the
 * parsed one. A garbled byte anywhere (the cache's own hash finds those:
 * cache/cache.h) is read without a fault: refused, or read within bounds. */
static void test_damaged_refused(void **state)
{
    (void)state;
    char *dir = make_site();
    memstore m;
    memstore_init(&m);
    loaded parsed = load(dir, &m);
    /* The chapter written here, from a load of its own. */
    diag_sink quiet = diag_to_stream(NULL);
    site *s = site_load(dir, &quiet);
    document *d = s->chapters.items[10];
    site_visitor bodies = html_prerender_visitor();
    strbuf what;
    sb_init(&what);
    docstore_what(d, 11, s->config.numbering, &bodies, &what);
    const entry *e = find(&m, what.data, what.len);
    assert_non_null(e);
    assert_true(e->len > 1000);
    char *data = xmalloc(e->len + 2);
    memcpy(data, e->data, e->len);
    data[e->len] = data[e->len + 1] = 'x'; /* beyond its end: bytes too many */
    for (size_t cut = 0; cut <= e->len + 1; cut++) {
        docstore_clear(d);
        bool ok = docstore_load(d, &bodies, data, cut);
        assert_int_equal(ok, cut == e->len);
        if (!ok)
            assert_parts_empty(d);
    }
    /* Another layout's name; more sections than there are bytes. */
    size_t name_at = 4, sections_at = 4 + strlen(DOCSTORE_LAYOUT) + 4;
    size_t changed[] = {name_at + strlen(DOCSTORE_LAYOUT) - 1, sections_at + 3};
    for (size_t i = 0; i < 2; i++) {
        docstore_clear(d);
        data[changed[i]] ^= 0x40;
        assert_false(docstore_load(d, &bodies, data, e->len));
        assert_parts_empty(d);
        data[changed[i]] ^= 0x40;
    }
    for (size_t at = 0; at < e->len; at += 5) { /* each byte of a number, in turn */
        docstore_clear(d);
        data[at] ^= 0x55;
        if (docstore_load(d, &bodies, data, e->len)) {
            strbuf page;
            sb_init(&page);
            html_body_options opts = {.site = s, .audience = AUDIENCE_INTERNAL, .root = ""};
            html_render_body(&page, d, &opts);
            sb_free(&page);
        } else {
            assert_parts_empty(d);
        }
        data[at] ^= 0x55;
    }
    free(data);
    sb_free(&what);
    site_free(s);
    /* Through the load: every entry cut short. */
    size_t short_by[] = {1, 4, 30, 500, SIZE_MAX};
    for (size_t i = 0; i < sizeof short_by / sizeof *short_by; i++) {
        m.short_by = short_by[i];
        counts_reset(&m);
        loaded l = load(dir, &m);
        assert_int_equal(m.hits, 13);
        assert_int_equal(m.puts, 13); /* each parsed, and stored again */
        assert_site_eq(&l, &parsed);
        unload(&l);
    }
    /* Or its layout's name garbled. */
    m.short_by = 0;
    m.flip = 6;
    counts_reset(&m);
    loaded l = load(dir, &m);
    assert_int_equal(m.puts, 13);
    assert_site_eq(&l, &parsed);
    unload(&l);
    unload(&parsed);
    memstore_free(&m);
    fs_remove_tree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_told_not_stored),
        cmocka_unit_test(test_damaged_refused),
    };
    return cmocka_run_group_tests_name("docstore", tests, NULL, NULL);
}

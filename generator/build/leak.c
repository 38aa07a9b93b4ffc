#include "build/leak.h"

#include <cmark-gfm.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/fs.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "markdown/directive.h"
#include "registers/registers.h"

#define MIN_LEAK_BYTES 7 /* three CJK characters, or an IPv4 address */
#define PREFIX 6         /* the index looks values up by their first bytes */

typedef struct needle {
    char *text;
    size_t len;
    bool legit;     /* the edition shows it too */
    struct needle *next_same_prefix;
} needle;

struct leak_check {
    vec needles;     /* of needle*, owned */
    needle **table;  /* open hash of prefixes; chains through next_same_prefix */
    size_t nslots;
    size_t active;
};

static uint64_t prefix_key(const unsigned char *p)
{
    uint64_t k = 0;
    for (int i = 0; i < PREFIX; i++)
        k = (k << 8) | p[i];
    return k;
}

static size_t slot_of(uint64_t key, size_t nslots)
{
    return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 20) & (nslots - 1);
}

static void free_needle(void *p)
{
    needle *n = p;
    free(n->text);
    free(n);
}

/* A hidden value as it may appear in files: as written, line by line (a
 * multi-line cell), and HTML-escaped. */
static void add_hidden(vec *out, const char *text)
{
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\r'))
            len--;
        const char *q = p;
        while (len && *q == ' ') {
            q++;
            len--;
        }
        if (len >= MIN_LEAK_BYTES) {
            needle *n = xcalloc(1, sizeof *n);
            n->text = xstrndup(q, len);
            n->len = len;
            vec_push(out, n);
            strbuf esc;
            sb_init(&esc);
            sb_append_html(&esc, q, len);
            if (esc.len != len) {
                needle *e = xcalloc(1, sizeof *e);
                e->len = esc.len;
                e->text = sb_take(&esc);
                vec_push(out, e);
            }
            sb_free(&esc);
        }
        if (!nl)
            break;
        p = nl + 1;
    }
}

static void cell_texts(const register_cell *cell, void (*fn)(void *, const char *), void *ctx)
{
    const char *t = register_cell_text(cell);
    if (t) {
        fn(ctx, t);
        return;
    }
    const vec *items = register_cell_items(cell);
    for (size_t i = 0; items && i < items->len; i++)
        fn(ctx, items->items[i]);
}

typedef struct collect {
    vec *hidden;
    strbuf *visible;
} collect;

static void to_hidden(void *ctx, const char *t)
{
    add_hidden(((collect *)ctx)->hidden, t);
}

static void to_visible(void *ctx, const char *t)
{
    strbuf *sb = ((collect *)ctx)->visible;
    sb_append(sb, t);
    sb_appendc(sb, '\n');
}

/* Only kinds of value that carry information: dates, numbers, booleans and
 * keys match by chance. */
static bool worth_checking(field_type t)
{
    return t == FIELD_TEXT || t == FIELD_MARKDOWN || t == FIELD_LIST || t == FIELD_FILE ||
           t == FIELD_ENUM || t == FIELD_CHECKS;
}

static void collect_registers(const site *s, audience aud, collect *c)
{
    if (!s->registers)
        return;
    for (size_t r = 0; r < s->registers->registers.len; r++) {
        const register_def *reg = s->registers->registers.items[r];
        for (size_t f = 0; f < reg->fields.len; f++) {
            const register_field *field = reg->fields.items[f];
            bool visible = register_field_visible(reg, field, aud);
            if (!visible && !worth_checking(field->type))
                continue;
            for (size_t k = 0; k < reg->rows.len; k++) {
                const register_row *row = reg->rows.items[k];
                const register_cell *cell = register_row_cell_at(row, field);
                if (cell && register_cell_ok(cell))
                    cell_texts(cell, visible ? to_visible : to_hidden, c);
            }
        }
    }
}

/* The text of a Markdown tree, `only` blocks included when aud may see them. */
static void collect_tree(cmark_node *root, audience aud, audience doc_aud, collect *c)
{
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        if (ev != CMARK_EVENT_ENTER)
            continue;
        switch (cmark_node_get_type(n)) {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
            (doc_aud <= aud ? to_visible : to_hidden)(c, cmark_node_get_literal(n));
            break;
        case CMARK_NODE_CODE_BLOCK: {
            const directive *d = cmark_node_get_user_data(n);
            if (d && d->kind == DIRECTIVE_ONLY)
                collect_tree(d->content, aud, d->audience > doc_aud ? d->audience : doc_aud, c);
            else if (!d)
                (doc_aud <= aud ? to_visible : to_hidden)(c, cmark_node_get_literal(n));
            break;
        }
        default:
            break;
        }
    }
    cmark_iter_free(it);
}

static void collect_documents(const vec *docs, audience aud, collect *c)
{
    for (size_t i = 0; i < docs->len; i++) {
        const document *d = docs->items[i];
        (d->audience <= aud ? to_visible : to_hidden)(c, d->title);
        collect_tree(d->root, aud, d->audience, c);
    }
}

static void index_needles(leak_check *lc)
{
    lc->nslots = 64;
    while (lc->nslots < lc->needles.len * 2)
        lc->nslots *= 2;
    lc->table = xcalloc(lc->nslots, sizeof *lc->table);
    for (size_t i = 0; i < lc->needles.len; i++) {
        needle *n = lc->needles.items[i];
        size_t slot = slot_of(prefix_key((const unsigned char *)n->text), lc->nslots);
        n->next_same_prefix = lc->table[slot];
        lc->table[slot] = n;
    }
}

/* Calls found(ctx, needle) for every needle that occurs in text. */
static void scan(const leak_check *lc, const char *text, size_t len,
                 bool (*found)(void *ctx, needle *n), void *ctx)
{
    if (!lc->nslots)
        return;
    const unsigned char *t = (const unsigned char *)text;
    for (size_t i = 0; i + PREFIX <= len; i++) {
        needle *n = lc->table[slot_of(prefix_key(t + i), lc->nslots)];
        for (; n; n = n->next_same_prefix)
            if (!n->legit && n->len <= len - i && memcmp(t + i, n->text, n->len) == 0)
                if (!found(ctx, n))
                    return;
    }
}

static bool mark_legit(void *ctx, needle *n)
{
    (void)ctx;
    n->legit = true;
    return true;
}

leak_check *leak_check_new(const site *s, audience aud)
{
    leak_check *lc = xcalloc(1, sizeof *lc);
    vec_init(&lc->needles, free_needle);
    strbuf visible;
    sb_init(&visible);
    collect c = {&lc->needles, &visible};
    collect_registers(s, aud, &c);
    collect_documents(&s->chapters, aud, &c);
    collect_documents(&s->annexes, aud, &c);
    to_visible(&c, s->config.org_name);
    to_visible(&c, s->config.doc_title);
    index_needles(lc);
    /* What the edition shows itself cannot leak. */
    scan(lc, visible.data, visible.len, mark_legit, NULL);
    for (size_t i = 0; i < lc->needles.len; i++)
        if (!((needle *)lc->needles.items[i])->legit)
            lc->active++;
    sb_free(&visible);
    return lc;
}

void leak_check_free(leak_check *lc)
{
    if (!lc)
        return;
    vec_free(&lc->needles);
    free(lc->table);
    free(lc);
}

size_t leak_check_size(const leak_check *lc)
{
    return lc->active;
}

typedef struct first_hit {
    const char *text;
} first_hit;

static bool stop_at_first(void *ctx, needle *n)
{
    ((first_hit *)ctx)->text = n->text;
    return false;
}

const char *leak_check_text(const leak_check *lc, const char *text, size_t len)
{
    first_hit hit = {NULL};
    scan(lc, text, len, stop_at_first, &hit);
    return hit.text;
}

typedef struct file_hits {
    const char *shown;
    const char *edition;
    vec reported; /* needle* already reported for this file */
    int count;
} file_hits;

static bool report_hit(void *ctx, needle *n)
{
    file_hits *h = ctx;
    for (size_t i = 0; i < h->reported.len; i++)
        if (h->reported.items[i] == n)
            return true;
    vec_push(&h->reported, n);
    h->count++;
    diag_error(srcpos_file(h->shown), "leak", "shows '%s', which the %s edition must not show",
               n->text, h->edition);
    return true;
}

static bool check_tree(const leak_check *lc, const char *dir, const char *shown,
                       const char *edition, int *leaks)
{
    vec names;
    vec_init(&names, free);
    if (!fs_list_dir(dir, &names)) {
        diag_error(srcpos_file(shown), "leak", "cannot read: %s", strerror(errno));
        vec_free(&names);
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < names.len; i++) {
        char *path = fs_join(dir, names.items[i]);
        char *shown_path = fs_join(shown, names.items[i]);
        if (fs_is_dir(path)) {
            ok = check_tree(lc, path, shown_path, edition, leaks) && ok;
        } else {
            size_t len;
            char *data = fs_read_file(path, (size_t)1 << 30, &len);
            if (data) {
                file_hits h = {.shown = shown_path, .edition = edition};
                vec_init(&h.reported, NULL);
                scan(lc, data, len, report_hit, &h);
                *leaks += h.count;
                vec_free(&h.reported);
                free(data);
            }
        }
        free(shown_path);
        free(path);
    }
    vec_free(&names);
    return ok;
}

bool leak_check_dir(const leak_check *lc, const char *dir, const char *shown_dir,
                    const char *edition)
{
    int leaks = 0;
    bool ok = check_tree(lc, dir, shown_dir, edition, &leaks);
    return ok && leaks == 0;
}

bool leak_check_file_text(const leak_check *lc, const char *text, size_t len,
                          const char *shown_path, const char *edition)
{
    file_hits h = {.shown = shown_path, .edition = edition};
    vec_init(&h.reported, NULL);
    scan(lc, text, len, report_hit, &h);
    vec_free(&h.reported);
    return h.count == 0;
}

#include "build/leak.h"

#include <cmark-gfm.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fs.h"
#include "core/map.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "markdown/directive.h"
#include "markdown/tree.h"
#include "registers/registers.h"

#define MIN_LEAK_BYTES 7 /* three CJK characters, or an IPv4 address */

typedef struct needle {
    char *text;
    size_t len;
    bool legit;    /* the edition shows it too */
    uint32_t rank; /* when it was last collected: orders reports at one place */
} needle;

/* Values are found by sampling. A gram index holds q-byte pieces of values
 * and is probed at every step-th position of a text only. A value of at
 * least q + step - 1 bytes that occurs at p covers exactly one sampled
 * position t in [p, p + step), with t + q <= p + len; any offset o of the
 * value with o = t - p (mod step) lands on a sampled position too. So one
 * entry per value and residue (its gram at such an offset o, the value's
 * start then t - o) finds every occurrence exactly once. Of each residue's
 * offsets, the one whose gram is rarest among the values is indexed, so
 * values that begin alike do not pile up in one bucket. */
typedef struct gram_entry {
    uint64_t gram;
    uint32_t needle;
    uint32_t offset;
} gram_entry;

typedef struct gram_index {
    size_t q, step;
    int shift;          /* a gram's bucket is its hash >> shift */
    uint64_t *filter;   /* one bit per bucket: has entries */
    uint32_t *start;    /* bucket b holds entries[start[b] .. start[b + 1]) */
    gram_entry *entries; /* NULL when the index is empty */
} gram_index;

/* Short values (7 to 15 bytes) by 4-byte grams every 4 bytes, longer ones
 * by 8-byte grams every 9 bytes: 8 bytes rarely match by chance. */
#define SHORT_Q 4
#define SHORT_STEP 4
#define LONG_Q 8
#define LONG_STEP 9
#define LONG_MIN (LONG_Q + LONG_STEP - 1)
_Static_assert(SHORT_Q + SHORT_STEP - 1 <= MIN_LEAK_BYTES, "a short value spans a sample");

struct leak_check {
    needle *needles; /* distinct hidden values, in the order collected */
    size_t len, cap;
    map seen;        /* text -> index + 1, to keep the values distinct */
    uint32_t collected; /* values collected, counting repeats */
    gram_index shorts, longs;
    size_t active;
    map scanned;     /* path below the edition's folder -> scanned_file*: pages
                      * scanned from memory (leak_check_written) */
    diag_sink *diags; /* where leaks are told (the build's) */
};

static uint64_t load_gram(const unsigned char *p, size_t q)
{
    if (q == LONG_Q) {
        uint64_t g;
        memcpy(&g, p, sizeof g);
        return g;
    }
    uint32_t g;
    memcpy(&g, p, sizeof g);
    return g;
}

static size_t bucket_of(const gram_index *ix, uint64_t gram)
{
    return (size_t)((gram * 0x9e3779b97f4a7c15ULL) >> ix->shift);
}

static void index_free(gram_index *ix)
{
    free(ix->filter);
    free(ix->start);
    free(ix->entries);
    memset(ix, 0, sizeof *ix);
}

static bool in_index(const needle *n, size_t q, bool all)
{
    return (all || !n->legit) && (q == LONG_Q ? n->len >= LONG_MIN : n->len < LONG_MIN);
}

/* Indexes the values of one size class: every one when all, else those not
 * legitimate. */
static void index_build(gram_index *ix, const leak_check *lc, size_t q, size_t step, bool all)
{
    index_free(ix);
    ix->q = q;
    ix->step = step;
    size_t n = 0;
    for (size_t i = 0; i < lc->len; i++)
        if (in_index(&lc->needles[i], q, all))
            n += step;
    if (!n)
        return;
    size_t nbuckets = 16;
    int bits = 4;
    while (nbuckets < 2 * n) {
        nbuckets *= 2;
        bits++;
    }
    ix->shift = 64 - bits;
    /* How often each bucket is a candidate: the rarity of a gram. */
    uint32_t *count = xcalloc(nbuckets + 1, sizeof *count);
    for (size_t i = 0; i < lc->len; i++) {
        const needle *nd = &lc->needles[i];
        if (!in_index(nd, q, all))
            continue;
        const unsigned char *t = (const unsigned char *)nd->text;
        for (size_t o = 0; o + q <= nd->len; o++)
            count[bucket_of(ix, load_gram(t + o, q))]++;
    }
    gram_entry *chosen = xmalloc(n * sizeof *chosen);
    size_t k = 0;
    for (size_t i = 0; i < lc->len; i++) {
        const needle *nd = &lc->needles[i];
        if (!in_index(nd, q, all))
            continue;
        const unsigned char *t = (const unsigned char *)nd->text;
        for (size_t r = 0; r < step; r++) {
            size_t best = r;
            uint32_t best_count = count[bucket_of(ix, load_gram(t + r, q))];
            for (size_t o = r + step; o + q <= nd->len; o += step) {
                uint32_t c = count[bucket_of(ix, load_gram(t + o, q))];
                if (c < best_count) {
                    best = o;
                    best_count = c;
                }
            }
            chosen[k++] = (gram_entry){load_gram(t + best, q), (uint32_t)i, (uint32_t)best};
        }
    }
    /* Buckets laid out one after another: counts, then their starts. */
    memset(count, 0, (nbuckets + 1) * sizeof *count);
    for (size_t i = 0; i < n; i++)
        count[bucket_of(ix, chosen[i].gram) + 1]++;
    for (size_t b = 0; b < nbuckets; b++)
        count[b + 1] += count[b];
    ix->start = count;
    ix->entries = xmalloc(n * sizeof *ix->entries);
    ix->filter = xcalloc(nbuckets / 64 + 1, sizeof *ix->filter);
    uint32_t *fill = xmalloc(nbuckets * sizeof *fill);
    memcpy(fill, count, nbuckets * sizeof *fill);
    for (size_t i = 0; i < n; i++) {
        size_t b = bucket_of(ix, chosen[i].gram);
        ix->entries[fill[b]++] = chosen[i];
        ix->filter[b / 64] |= (uint64_t)1 << (b % 64);
    }
    free(fill);
    free(chosen);
}

typedef void (*hit_fn)(void *ctx, uint32_t needle, size_t pos);

/* Calls hit for every occurrence of a value of the index in text (values
 * marked legitimate are skipped). */
static void index_scan(const gram_index *ix, const leak_check *lc, const char *text,
                       size_t len, hit_fn hit, void *ctx)
{
    if (!ix->entries)
        return;
    const unsigned char *t = (const unsigned char *)text;
    const size_t q = ix->q, step = ix->step;
    for (size_t i = 0; i + q <= len; i += step) {
        uint64_t gram = load_gram(t + i, q);
        size_t b = bucket_of(ix, gram);
        if (!(ix->filter[b / 64] >> (b % 64) & 1))
            continue;
        for (uint32_t k = ix->start[b]; k < ix->start[b + 1]; k++) {
            const gram_entry *e = &ix->entries[k];
            if (e->gram != gram || e->offset > i)
                continue;
            const needle *n = &lc->needles[e->needle];
            size_t p = i - e->offset;
            if (!n->legit && n->len <= len - p && memcmp(t + p, n->text, n->len) == 0)
                hit(ctx, e->needle, p);
        }
    }
}

static void scan(const leak_check *lc, const char *text, size_t len, hit_fn hit, void *ctx)
{
    index_scan(&lc->shorts, lc, text, len, hit, ctx);
    index_scan(&lc->longs, lc, text, len, hit, ctx);
}

/* ---- collecting the values ---- */

static void add_needle(leak_check *lc, const char *text, size_t len)
{
    uint32_t rank = lc->collected++;
    char *copy = xstrndup(text, len);
    uintptr_t known = (uintptr_t)map_get(&lc->seen, copy);
    if (known) {
        lc->needles[known - 1].rank = rank;
        free(copy);
        return;
    }
    if (lc->len == lc->cap) {
        lc->cap = lc->cap ? lc->cap * 2 : 64;
        lc->needles = xrealloc(lc->needles, lc->cap * sizeof *lc->needles);
    }
    lc->needles[lc->len++] = (needle){copy, len, false, rank};
    map_set(&lc->seen, copy, (void *)(uintptr_t)lc->len);
}

/* A hidden value as it may appear in files: as written, line by line (a
 * multi-line cell), HTML-escaped, and JSON-escaped (the search index). */
static void add_hidden(leak_check *lc, const char *text)
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
            add_needle(lc, q, len);
            strbuf esc;
            sb_init(&esc);
            sb_append_html(&esc, q, len);
            if (esc.len != len)
                add_needle(lc, esc.data, esc.len);
            /* As a JSON string holds it: the search index (search/index.js). */
            sb_clear(&esc);
            for (size_t i = 0; i < len; i++) {
                if (q[i] == '"' || q[i] == '\\')
                    sb_appendc(&esc, '\\');
                sb_appendc(&esc, q[i]);
            }
            if (esc.len != len)
                add_needle(lc, esc.data, esc.len);
            sb_free(&esc);
        }
        if (!nl)
            break;
        p = nl + 1;
    }
}

/* Collecting runs twice: first the hidden values (lc set), then, only when
 * there are any, what the edition shows (visible set), one value a line. */
typedef struct collect {
    leak_check *lc;
    strbuf *visible;
} collect;

static void to_hidden(collect *c, const char *t)
{
    if (c->lc)
        add_hidden(c->lc, t);
}

static void to_visible(collect *c, const char *t)
{
    if (!c->visible)
        return;
    sb_append(c->visible, t);
    sb_appendc(c->visible, '\n');
}

static void cell_texts(const register_cell *cell, bool hidden, collect *c)
{
    void (*to)(collect *, const char *) = hidden ? to_hidden : to_visible;
    const char *t = register_cell_text(cell);
    if (t) {
        to(c, t);
        return;
    }
    const vec *items = register_cell_items(cell);
    for (size_t i = 0; items && i < items->len; i++)
        to(c, items->items[i]);
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
            if (visible ? !c->visible : (!c->lc || !worth_checking(field->type)))
                continue;
            for (size_t k = 0; k < reg->rows.len; k++) {
                const register_row *row = reg->rows.items[k];
                const register_cell *cell = register_row_cell_at(row, field);
                if (cell && register_cell_ok(cell))
                    cell_texts(cell, !visible, c);
            }
        }
    }
}

/* The text of a Markdown tree, `only` blocks hidden when aud may not see them. */
static void collect_tree(cmark_node *root, bool hidden, audience aud, collect *c)
{
    void (*to)(collect *, const char *) = hidden ? to_hidden : to_visible;
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        if (ev != CMARK_EVENT_ENTER)
            continue;
        switch (cmark_node_get_type(n)) {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
            to(c, cmark_node_get_literal(n));
            break;
        case CMARK_NODE_CODE_BLOCK: {
            const directive *d = cmark_node_get_user_data(n);
            if (d && d->kind == DIRECTIVE_ONLY)
                collect_tree(d->content, hidden || d->audience > aud, aud, c);
            else if (!d)
                to(c, cmark_node_get_literal(n));
            break;
        }
        default:
            break;
        }
    }
    cmark_iter_free(it);
}

/* A document's whole text, from its tree parsed again. */
static void collect_document(const document *d, bool hidden, audience aud, collect *c)
{
    md_tree *tree = md_tree_open(d);
    collect_tree(tree->root, hidden, aud, c);
    md_tree_close(tree);
}

static void collect_documents(const vec *docs, audience aud, collect *c)
{
    for (size_t i = 0; i < docs->len; i++) {
        const document *d = docs->items[i];
        if (d->audience > aud) {
            if (c->lc) {
                to_hidden(c, d->title);
                collect_document(d, true, aud, c);
            }
            continue;
        }
        if (c->visible) {
            to_visible(c, d->title);
            collect_document(d, false, aud, c);
            continue;
        }
        /* A document the edition shows hides only its `only` blocks above
         * aud, and every directive of it is in d->directives: its hidden
         * values are found without walking the whole tree. */
        for (size_t k = 0; k < d->directives.len; k++) {
            const directive *dir = d->directives.items[k];
            if (dir->kind == DIRECTIVE_ONLY && dir->audience > aud)
                collect_tree(dir->content, true, aud, c);
        }
    }
}

static void collect_site(const site *s, audience aud, collect *c)
{
    collect_registers(s, aud, c);
    collect_documents(&s->chapters, aud, c);
    collect_documents(&s->annexes, aud, c);
    to_visible(c, s->config.org_name);
    to_visible(c, s->config.doc_title);
}

static void mark_legit(void *ctx, uint32_t needle, size_t pos)
{
    (void)pos;
    ((leak_check *)ctx)->needles[needle].legit = true;
}

leak_check *leak_check_new(const site *s, audience aud, diag_sink *diags)
{
    leak_check *lc = xcalloc(1, sizeof *lc);
    lc->diags = diags;
    map_init(&lc->scanned, free);
    map_init(&lc->seen, NULL);
    collect_site(s, aud, &(collect){.lc = lc});
    map_free(&lc->seen);
    if (!lc->len)
        return lc; /* nothing hidden: nothing to look for */
    /* What the edition shows itself cannot leak. */
    strbuf visible;
    sb_init(&visible);
    collect_site(s, aud, &(collect){.visible = &visible});
    index_build(&lc->shorts, lc, SHORT_Q, SHORT_STEP, true);
    index_build(&lc->longs, lc, LONG_Q, LONG_STEP, true);
    scan(lc, visible.data, visible.len, mark_legit, lc);
    sb_free(&visible);
    for (size_t i = 0; i < lc->len; i++)
        if (!lc->needles[i].legit)
            lc->active++;
    index_build(&lc->shorts, lc, SHORT_Q, SHORT_STEP, false);
    index_build(&lc->longs, lc, LONG_Q, LONG_STEP, false);
    return lc;
}

void leak_check_free(leak_check *lc)
{
    if (!lc)
        return;
    for (size_t i = 0; i < lc->len; i++)
        free(lc->needles[i].text);
    free(lc->needles);
    map_free(&lc->scanned);
    index_free(&lc->shorts);
    index_free(&lc->longs);
    free(lc);
}

size_t leak_check_size(const leak_check *lc)
{
    return lc->active;
}

/* ---- scanning files ---- */

/* What one text showed: each leaked value once, at its first position. */
typedef struct hit {
    uint32_t needle;
    size_t pos;
} hit;

typedef struct hit_list {
    hit *items;
    size_t len, cap;
} hit_list;

static void add_hit(void *ctx, uint32_t needle, size_t pos)
{
    hit_list *h = ctx;
    for (size_t i = 0; i < h->len; i++)
        if (h->items[i].needle == needle) {
            if (pos < h->items[i].pos)
                h->items[i].pos = pos;
            return;
        }
    if (h->len == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 8;
        h->items = xrealloc(h->items, h->cap * sizeof *h->items);
    }
    h->items[h->len++] = (hit){needle, pos};
}

/* In the order the values appear; of two at one place, the one collected
 * later first (as reports have always been ordered). */
typedef struct ranked_hit {
    hit h;
    uint32_t rank;
} ranked_hit;

static int hit_order(const void *a, const void *b)
{
    const ranked_hit *x = a, *y = b;
    if (x->h.pos != y->h.pos)
        return x->h.pos < y->h.pos ? -1 : 1;
    return x->rank > y->rank ? -1 : x->rank < y->rank;
}

/* The values leaked in text, in report order; 0 when none (*out untouched). */
static size_t scan_hits(const leak_check *lc, const char *text, size_t len, uint32_t **out)
{
    if (!lc->active)
        return 0;
    hit_list h = {0};
    scan(lc, text, len, add_hit, &h);
    if (!h.len)
        return 0;
    ranked_hit *ranked = xmalloc(h.len * sizeof *ranked);
    for (size_t i = 0; i < h.len; i++)
        ranked[i] = (ranked_hit){h.items[i], lc->needles[h.items[i].needle].rank};
    qsort(ranked, h.len, sizeof *ranked, hit_order);
    uint32_t *needles = xmalloc(h.len * sizeof *needles);
    for (size_t i = 0; i < h.len; i++)
        needles[i] = ranked[i].h.needle;
    free(ranked);
    free(h.items);
    *out = needles;
    return h.len;
}

/* A file's result: its size when scanned, and the values it leaked. */
typedef struct scanned_file {
    size_t len;
    size_t nhits;
    uint32_t hits[];
} scanned_file;

void *leak_check_look(void *check, const char *data, size_t len)
{
    const leak_check *lc = check;
    if (!lc->active)
        return NULL; /* leak_check_dir will not look either */
    uint32_t *hits = NULL;
    size_t n = scan_hits(lc, data, len, &hits);
    scanned_file *f = xmalloc(sizeof *f + n * sizeof *f->hits);
    f->len = len;
    f->nhits = n;
    if (n)
        memcpy(f->hits, hits, n * sizeof *hits);
    free(hits);
    return f;
}

void leak_check_written(void *check, const char *relpath, void *note)
{
    if (note)
        map_set(&((leak_check *)check)->scanned, relpath, note);
}

static int report(const leak_check *lc, const uint32_t *hits, size_t n, const char *shown,
                  const char *edition)
{
    for (size_t i = 0; i < n; i++)
        diag_error(lc->diags, srcpos_file(shown), "leak",
                   "shows '%s', which the %s edition must not show", lc->needles[hits[i]].text,
                   edition);
    return (int)n;
}

static int check_data(const leak_check *lc, const char *data, size_t len, const char *shown,
                      const char *edition)
{
    uint32_t *hits = NULL;
    size_t n = scan_hits(lc, data, len, &hits);
    int leaks = report(lc, hits, n, shown, edition);
    free(hits);
    return leaks;
}

/* rel: the folder's path below the edition's folder ("" at its top). */
static bool check_tree(const leak_check *lc, const char *dir,
                       const char *rel, const char *shown, const char *edition, int *leaks)
{
    vec names;
    vec_init(&names, free);
    if (!fs_list_dir(dir, &names)) {
        diag_error(lc->diags, srcpos_file(shown), "leak", "cannot read: %s", strerror(errno));
        vec_free(&names);
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < names.len; i++) {
        const char *name = names.items[i];
        char *path = fs_join(dir, name);
        char *shown_path = fs_join(shown, name);
        char *rel_path = *rel ? fs_join(rel, name) : xstrdup(name);
        struct stat st;
        bool known = stat(path, &st) == 0;
        if (known && S_ISDIR(st.st_mode)) {
            ok = check_tree(lc, path, rel_path, shown_path, edition, leaks) && ok;
        } else {
            /* The record is of the page as the renderer wrote it; a size
             * that differs means something else wrote the path since. */
            const scanned_file *f = known ? map_get(&lc->scanned, rel_path) : NULL;
            if (f && (off_t)f->len == st.st_size) {
                *leaks += report(lc, f->hits, f->nhits, shown_path, edition);
            } else {
                size_t len;
                char *data = fs_read_file(path, (size_t)1 << 30, &len);
                if (data)
                    *leaks += check_data(lc, data, len, shown_path, edition);
                free(data);
            }
        }
        free(rel_path);
        free(shown_path);
        free(path);
    }
    vec_free(&names);
    return ok;
}

bool leak_check_dir(const leak_check *lc, const char *dir,
                    const char *shown_dir, const char *edition)
{
    if (!lc->active)
        return true; /* nothing hidden: no file can leak */
    int leaks = 0;
    bool ok = check_tree(lc, dir, "", shown_dir, edition, &leaks);
    return ok && leaks == 0;
}

bool leak_check_file_text(const leak_check *lc, const char *text, size_t len,
                          const char *shown_path, const char *edition)
{
    return check_data(lc, text, len, shown_path, edition) == 0;
}

const char *leak_check_text(const leak_check *lc, const char *text, size_t len)
{
    uint32_t *hits = NULL;
    size_t n = scan_hits(lc, text, len, &hits);
    const char *first = n ? lc->needles[hits[0]].text : NULL;
    free(hits);
    return first;
}

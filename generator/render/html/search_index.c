#include "render/html/search_index.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/utf8.h"
#include "core/xalloc.h"

void search_doc_free(void *p)
{
    search_doc *d = p;
    if (!d)
        return;
    free(d->href);
    free(d->number);
    free(d->title);
    free(d->text);
    free(d);
}

/* ---- characters: the same rules as the theme's assets/search.js ---- */

/* Full-width ASCII forms as ASCII, upper case as lower. */
static uint32_t fold(uint32_t c)
{
    if (c >= 0xFF01 && c <= 0xFF5E)
        c -= 0xFEE0;
    if (c >= 'A' && c <= 'Z')
        c += 'a' - 'A';
    return c;
}

typedef enum cclass { C_SEP, C_WORD, C_CJK } cclass;

static cclass class_of(uint32_t c)
{
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return C_WORD;
    if ((c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
        (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FFFF) ||
        (c >= 0x3040 && c <= 0x30FF) || (c >= 0xAC00 && c <= 0xD7AF))
        return C_CJK;
    return C_SEP;
}

/* A term as one number: a bigram (two code points of 21 bits each under
 * BIGRAM), an ASCII word of up to 8 bytes (its bytes), or a longer word
 * (LONG_WORD and a hash of it; its text is kept to tell words apart). */
#define BIGRAM ((uint64_t)1 << 63)
#define LONG_WORD ((uint64_t)1 << 62)

typedef void (*term_fn)(void *ctx, uint64_t key, const char *word, size_t len);

static void word_term(const char *w, size_t n, term_fn term, void *ctx)
{
    if (n <= 8) {
        uint64_t key = 0;
        memcpy(&key, w, n);
        term(ctx, key, NULL, 0);
        return;
    }
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)w[i]) * 1099511628211ULL;
    term(ctx, LONG_WORD | (h & (LONG_WORD - 1)), w, n);
}

/* Calls term for every term of text, in order (repeats too). */
static void terms_of(const char *text, size_t len, term_fn term, void *ctx)
{
    const unsigned char *p = (const unsigned char *)text, *end = p + len;
    char word[256];
    size_t wn = 0;
    uint32_t prev = 0; /* the CJK character before, or 0 */
    while (p < end) {
        uint32_t c = *p < 0x80 ? *p++ : utf8_next(&p, end);
        c = fold(c);
        cclass k = class_of(c);
        if (k != C_WORD && wn) {
            word_term(word, wn, term, ctx);
            wn = 0;
        }
        if (k == C_WORD && wn < sizeof word)
            word[wn++] = (char)c;
        if (k == C_CJK && prev)
            term(ctx, BIGRAM | (uint64_t)prev << 21 | c, NULL, 0);
        prev = k == C_CJK ? c : 0;
    }
    if (wn)
        word_term(word, wn, term, ctx);
}

/* A term's text, for the index file. */
static void term_text(strbuf *sb, uint64_t key, const char *word)
{
    if (word) {
        sb_append(sb, word);
    } else if (key & BIGRAM) {
        utf8_append(sb, (uint32_t)(key >> 21 & 0x1FFFFF));
        utf8_append(sb, (uint32_t)(key & 0x1FFFFF));
    } else {
        char w[9] = {0};
        memcpy(w, &key, 8);
        sb_append(sb, w);
    }
}

/* ---- from the rendered body ---- */

static const section *section_by_id(const document *d, const char *id, size_t n)
{
    for (size_t i = 1; i < d->sections.len; i++) {
        const section *s = d->sections.items[i];
        if (strlen(s->id) == n && memcmp(s->id, id, n) == 0)
            return s;
    }
    return NULL;
}

/* &amp; &lt; &gt; &quot; &#39; and numeric ones: what body.c writes. */
static size_t entity(const char *p, const char *end, strbuf *out)
{
    static const struct {
        const char *name;
        char c;
    } named[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
    for (size_t i = 0; i < sizeof named / sizeof *named; i++) {
        size_t n = strlen(named[i].name);
        if ((size_t)(end - p) >= n && memcmp(p, named[i].name, n) == 0) {
            sb_appendc(out, named[i].c);
            return n;
        }
    }
    sb_appendc(out, '&');
    return 1;
}

static search_doc *new_doc(vec *out, const char *href, const char *number, const char *title)
{
    search_doc *d = xcalloc(1, sizeof *d);
    d->href = xstrdup(href);
    d->number = xstrdup(number);
    d->title = xstrdup(title);
    vec_push(out, d);
    return d;
}

/* Ends a doc's text: white space runs made one space, trimmed. */
static void finish(search_doc *d, strbuf *text)
{
    strbuf sb;
    sb_init(&sb);
    bool space = false;
    for (size_t i = 0; i < text->len; i++) {
        char c = text->data[i];
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            space = sb.len > 0;
            continue;
        }
        if (space)
            sb_appendc(&sb, ' ');
        space = false;
        sb_appendc(&sb, c);
    }
    d->text = sb_take(&sb);
    sb_clear(text);
}

/* Whether html at p opens the tag name (followed by a space or '>'). */
static bool opens(const char *p, const char *end, const char *name)
{
    size_t n = strlen(name);
    return (size_t)(end - p) > n + 1 && p[0] == '<' && memcmp(p + 1, name, n) == 0 &&
           (p[n + 1] == ' ' || p[n + 1] == '>');
}

void search_docs_from_html(vec *out, const document *d, const char *page_href,
                           const char *number_prefix, const char *top_number,
                           const char *top_title, const char *html, size_t len)
{
    const char *p = html, *end = html + len;
    strbuf text;
    sb_init(&text);
    search_doc *cur = new_doc(out, page_href, top_number, top_title);
    while (p < end) {
        if (*p == '&') {
            p += entity(p, end, &text);
            continue;
        }
        if (*p != '<') {
            const char *lt = memchr(p, '<', (size_t)(end - p));
            const char *amp = memchr(p, '&', (size_t)((lt ? lt : end) - p));
            const char *stop = amp ? amp : lt ? lt : end;
            sb_appendn(&text, p, (size_t)(stop - p));
            p = stop;
            continue;
        }
        /* A heading with an id starts the next doc; its own text is the title. */
        if (end - p > 4 && p[1] == 'h' && p[2] >= '1' && p[2] <= '6' &&
            strncmp(p + 3, " id=\"", 5) == 0) {
            const char *id = p + 8;
            const char *q = memchr(id, '"', (size_t)(end - id));
            const section *s = q && d ? section_by_id(d, id, (size_t)(q - id)) : NULL;
            char close[6] = {'<', '/', 'h', p[2], '>', 0};
            const char *after = q ? strstr(q, close) : NULL;
            if (s && after) {
                finish(cur, &text);
                char *href = xasprintf("%s#%.*s", page_href, (int)(q - id), id);
                char *number = *s->full_label ? xasprintf("%s%s", number_prefix, s->full_label)
                                              : xstrdup(top_number);
                cur = new_doc(out, href, number, s->title);
                free(number);
                free(href);
                p = after + 5;
                continue;
            }
        }
        /* A register's table (no document): each anchored row is an entry. */
        if (!d && strncmp(p, "<tr id=\"", 8) == 0) {
            const char *id = p + 8;
            const char *q = memchr(id, '"', (size_t)(end - id));
            if (q) {
                finish(cur, &text);
                char *href = xasprintf("%s#%.*s", page_href, (int)(q - id), id);
                char *title = xstrndup(id, (size_t)(q - id));
                cur = new_doc(out, href, top_title, title);
                free(title);
                free(href);
                const char *gt = memchr(q, '>', (size_t)(end - q));
                p = gt ? gt + 1 : end;
                continue;
            }
        }
        /* Footnote marks and back-links are not text. */
        const char *skip_to = NULL;
        if (opens(p, end, "sup"))
            skip_to = "</sup>";
        else if (strncmp(p, "<a href=\"#fnref", 15) == 0)
            skip_to = "</a>";
        if (skip_to) {
            const char *q = strstr(p, skip_to);
            p = q ? q + strlen(skip_to) : end;
            continue;
        }
        const char *gt = memchr(p, '>', (size_t)(end - p));
        /* Block ends and line breaks separate words. */
        sb_appendc(&text, ' ');
        p = gt ? gt + 1 : end;
    }
    finish(cur, &text);
    sb_free(&text);
}

/* ---- the index ---- */

typedef struct term {
    uint64_t key;
    char *word; /* a long word's text (owned), else NULL */
    uint32_t *ids;
    uint32_t len, cap;
} term;

/* The terms in the order first seen, and an open-addressed table of them. */
typedef struct indexer {
    term *terms;
    size_t n, cap;
    uint32_t *slots; /* index + 1; 0 is empty */
    size_t nslots;
    uint32_t doc;
} indexer;

static size_t slot_of(const indexer *ix, uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 20) & (ix->nslots - 1);
}

static void grow(indexer *ix)
{
    free(ix->slots);
    ix->nslots = ix->nslots ? ix->nslots * 2 : 4096;
    ix->slots = xcalloc(ix->nslots, sizeof *ix->slots);
    for (size_t i = 0; i < ix->n; i++) {
        size_t s = slot_of(ix, ix->terms[i].key);
        while (ix->slots[s])
            s = (s + 1) & (ix->nslots - 1);
        ix->slots[s] = (uint32_t)i + 1;
    }
}

static void add_term(void *ctx, uint64_t key, const char *word, size_t len)
{
    indexer *ix = ctx;
    if (2 * (ix->n + 1) > ix->nslots)
        grow(ix);
    size_t s = slot_of(ix, key);
    term *t = NULL;
    for (; ix->slots[s]; s = (s + 1) & (ix->nslots - 1)) {
        term *c = &ix->terms[ix->slots[s] - 1];
        if (c->key == key && (!word || (strlen(c->word) == len && memcmp(c->word, word, len) == 0))) {
            t = c;
            break;
        }
    }
    if (!t) {
        if (ix->n == ix->cap) {
            ix->cap = ix->cap ? ix->cap * 2 : 1024;
            ix->terms = xrealloc(ix->terms, ix->cap * sizeof *ix->terms);
        }
        t = &ix->terms[ix->n++];
        *t = (term){.key = key, .word = word ? xstrndup(word, len) : NULL};
        ix->slots[s] = (uint32_t)ix->n;
    }
    if (t->len && t->ids[t->len - 1] == ix->doc)
        return;
    if (t->len == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 4;
        t->ids = xrealloc(t->ids, t->cap * sizeof *t->ids);
    }
    t->ids[t->len++] = ix->doc;
}

/* A JSON string: quotes, backslashes and control characters escaped, and
 * U+2028 and U+2029, which older scripts do not allow in a string. */
static void json_string(strbuf *sb, const char *s)
{
    sb_appendc(sb, '"');
    const unsigned char *p = (const unsigned char *)s, *run = p;
    for (; *p; p++) {
        bool ls = p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9);
        if (*p != '"' && *p != '\\' && *p >= 0x20 && !ls)
            continue;
        sb_appendn(sb, (const char *)run, (size_t)(p - run));
        if (*p == '"' || *p == '\\') {
            sb_appendc(sb, '\\');
            sb_appendc(sb, (char)*p);
        } else if (ls) {
            sb_printf(sb, "\\u%04x", p[2] == 0xA8 ? 0x2028 : 0x2029);
            p += 2;
        } else {
            sb_printf(sb, "\\u%04x", *p);
        }
        run = p + 1;
    }
    sb_appendn(sb, (const char *)run, (size_t)(p - run));
    sb_appendc(sb, '"');
}

static void base36(strbuf *sb, uint32_t n)
{
    char buf[16];
    int i = sizeof buf;
    do {
        buf[--i] = "0123456789abcdefghijklmnopqrstuvwxyz"[n % 36];
        n /= 36;
    } while (n);
    sb_appendn(sb, buf + i, sizeof buf - (size_t)i);
}

char *search_index_js(const vec *docs, size_t *len)
{
    indexer ix = {0};
    strbuf sb;
    sb_init(&sb);
    sb_append(&sb, "window.POLICYGEN_SEARCH={\"v\":1,\"docs\":[");
    for (size_t i = 0; i < docs->len; i++) {
        const search_doc *d = docs->items[i];
        ix.doc = (uint32_t)i;
        terms_of(d->title, strlen(d->title), add_term, &ix);
        terms_of(d->text, strlen(d->text), add_term, &ix);
        sb_append(&sb, i ? ",\n[" : "\n[");
        json_string(&sb, d->href);
        sb_appendc(&sb, ',');
        json_string(&sb, d->number);
        sb_appendc(&sb, ',');
        json_string(&sb, d->title);
        sb_appendc(&sb, ',');
        json_string(&sb, d->text);
        sb_appendc(&sb, ']');
    }
    sb_append(&sb, "],\n\"terms\":{");
    strbuf t;
    sb_init(&t);
    for (size_t k = 0; k < ix.n; k++) {
        term *tm = &ix.terms[k];
        if (k)
            sb_appendc(&sb, ',');
        sb_clear(&t);
        term_text(&t, tm->key, tm->word);
        json_string(&sb, t.data);
        sb_append(&sb, ":\"");
        uint32_t last = 0;
        for (uint32_t j = 0; j < tm->len; j++) {
            if (j)
                sb_appendc(&sb, ',');
            base36(&sb, tm->ids[j] - last);
            last = tm->ids[j];
        }
        sb_appendc(&sb, '"');
        free(tm->ids);
        free(tm->word);
    }
    sb_free(&t);
    sb_append(&sb, "}};\n");
    free(ix.terms);
    free(ix.slots);
    if (len)
        *len = sb.len;
    return sb_take(&sb);
}

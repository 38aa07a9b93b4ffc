#include "render/html/search_index.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/map.h"
#include "core/strbuf.h"
#include "core/utf8.h"
#include "core/xalloc.h"

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

/* The terms of a text, read one character at a time: the characters of a
 * word gathered, a CJK character paired with the one before. */
typedef struct part_maker part_maker;
static void add_term(part_maker *m, uint64_t key, const char *word, size_t len);

typedef struct term_reader {
    char word[256];
    size_t wn;
    uint32_t prev; /* the CJK character before, or 0 */
} term_reader;

static void word_term(part_maker *m, const char *w, size_t n)
{
    if (n <= 8) {
        uint64_t key = 0;
        memcpy(&key, w, n);
        add_term(m, key, NULL, 0);
        return;
    }
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)w[i]) * 1099511628211ULL;
    add_term(m, LONG_WORD | (h & (LONG_WORD - 1)), w, n);
}

static inline void term_feed(term_reader *r, part_maker *m, uint32_t c)
{
    c = fold(c);
    cclass k = class_of(c);
    if (k != C_WORD && r->wn) {
        word_term(m, r->word, r->wn);
        r->wn = 0;
    }
    if (k == C_WORD && r->wn < sizeof r->word)
        r->word[r->wn++] = (char)c;
    if (k == C_CJK && r->prev)
        add_term(m, BIGRAM | (uint64_t)r->prev << 21 | c, NULL, 0);
    r->prev = k == C_CJK ? c : 0;
}

static void term_end(term_reader *r, part_maker *m)
{
    if (r->wn)
        word_term(m, r->word, r->wn);
    r->wn = 0;
    r->prev = 0;
}

/* One character of UTF-8 at *p (as utf8_next reads it), *p moved past it. */
static inline uint32_t next_char(const unsigned char **p, const unsigned char *end)
{
    uint32_t c = **p;
    if (c < 0x80) {
        (*p)++;
        return c;
    }
    return utf8_next(p, end);
}

/* Adds every term of text, in order (repeats too). */
static void terms_of(part_maker *m, const char *text, size_t len)
{
    term_reader r = {.wn = 0};
    const unsigned char *p = (const unsigned char *)text, *end = p + len;
    while (p < end)
        term_feed(&r, m, next_char(&p, end));
    term_end(&r, m);
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

/* ---- a table of terms ---- */

/* The terms in the order first seen, and an open-addressed table of them. */
typedef struct term_key {
    uint64_t key;
    char *word; /* a long word's text (owned), else NULL */
} term_key;

typedef struct term_table {
    term_key *keys;
    size_t n, cap;
    uint32_t *slots; /* index + 1; 0 is empty */
    size_t nslots;
} term_table;

/* A term's first slot in a table of nslots (a power of two): its key
 * spread by a multiplication (bigram keys differ in their low bits). */
static size_t first_slot(uint64_t key, size_t nslots)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 20) & (nslots - 1);
}

static size_t slot_of(const term_table *t, uint64_t key)
{
    return first_slot(key, t->nslots);
}

static void table_grow(term_table *t)
{
    free(t->slots);
    t->nslots = t->nslots ? t->nslots * 2 : 1024;
    t->slots = xcalloc_written(t->nslots, sizeof *t->slots);
    for (size_t i = 0; i < t->n; i++) {
        size_t s = slot_of(t, t->keys[i].key);
        while (t->slots[s])
            s = (s + 1) & (t->nslots - 1);
        t->slots[s] = (uint32_t)i + 1;
    }
}

/* The term's number in t, a new one when *added. word: a long word's text
 * (len bytes), copied when new; the word of a term found is kept. */
static size_t table_find(term_table *t, uint64_t key, const char *word, size_t len, bool *added)
{
    if (2 * (t->n + 1) > t->nslots)
        table_grow(t);
    size_t s = slot_of(t, key);
    for (; t->slots[s]; s = (s + 1) & (t->nslots - 1)) {
        const term_key *c = &t->keys[t->slots[s] - 1];
        if (c->key == key && (!word || (strlen(c->word) == len && memcmp(c->word, word, len) == 0))) {
            *added = false;
            return t->slots[s] - 1;
        }
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 256;
        t->keys = xrealloc(t->keys, t->cap * sizeof *t->keys);
    }
    t->keys[t->n] = (term_key){.key = key, .word = word ? xstrndup(word, len) : NULL};
    t->slots[s] = (uint32_t)++t->n;
    *added = true;
    return t->n - 1;
}

/* Frees the table; its words too unless they were taken. */
static void table_free(term_table *t, bool words)
{
    for (size_t i = 0; words && i < t->n; i++)
        free(t->keys[i].word);
    free(t->keys);
    free(t->slots);
}

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

/* Whether html at p opens the tag name (followed by a space or '>'). */
static bool opens(const char *p, const char *end, const char *name)
{
    size_t n = strlen(name);
    return (size_t)(end - p) > n + 1 && p[0] == '<' && memcmp(p + 1, name, n) == 0 &&
           (p[n + 1] == ' ' || p[n + 1] == '>');
}

/* A JSON string: quotes, backslashes and control characters escaped, and
 * U+2028 and U+2029, which older scripts do not allow in a string. */
static void json_string(strbuf *sb, const char *s)
{
    sb_appendc(sb, '"');
    const unsigned char *p = (const unsigned char *)s, *run = p;
    for (; *p; p++) {
        if (*p != '"' && *p != '\\' && *p >= 0x20 && *p != 0xE2)
            continue;
        bool ls = p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9);
        if (*p == 0xE2 && !ls)
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

/* Written in place: the index writes millions of them. */
static void base36(strbuf *sb, uint32_t n)
{
    char buf[8];
    int i = sizeof buf;
    do {
        buf[--i] = "0123456789abcdefghijklmnopqrstuvwxyz"[n % 36];
        n /= 36;
    } while (n);
    sb_grow(sb, sizeof buf + 1);
    memcpy(sb->data + sb->len, buf + i, sizeof buf - (size_t)i);
    sb->len += sizeof buf - (size_t)i;
    sb->data[sb->len] = '\0';
}

/* ---- a part ---- */

/* Numbers as unsigned LEB128: seven bits a byte, low first; most of the
 * index's (gaps between docs, counts) take one byte. */
static size_t leb_encode(uint8_t out[5], uint32_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

static uint32_t leb_decode(const uint8_t **p)
{
    uint32_t v = 0;
    for (int shift = 0;; shift += 7) {
        uint8_t b = *(*p)++;
        v |= (uint32_t)(b & 0x7F) << shift;
        if (!(b & 0x80))
            return v;
    }
}

struct search_part {
    int refs;            /* atomic */
    uint64_t serial;     /* which part it is, from 1, when made for a share; else 0 */
    char *json;          /* the docs' entries, joined by ",\n" */
    size_t json_len;
    uint32_t ndocs;
    /* Its terms in the order first seen, one after the other: the key (8
     * bytes, as in memory), the number of its docs times two, plus one for
     * a long word, which follows (its length, its bytes), then the docs as
     * gaps (from 0), all numbers LEB128. About 12 bytes a term: a part is
     * kept for the editions after. */
    uint8_t *terms;
    size_t terms_len;
};

void search_part_release(search_part *p)
{
    if (!p || __atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) > 0)
        return;
    free(p->terms);
    free(p->json);
    free(p);
}

static void release_fn(void *p)
{
    search_part_release(p);
}

/* A part being made. Its table holds each term's key, number (in the order
 * first seen) and the last doc it was seen in, so a term seen again in the
 * same doc costs one probe; each (term, doc) pair is kept once, in doc
 * order, and sorted by term when the part is encoded: nothing is allocated
 * per term. */
typedef struct maker_slot {
    uint64_t key;
    uint32_t term; /* its number + 1; 0 is empty */
    uint32_t last; /* the last doc it was seen in + 1 */
} maker_slot;

struct part_maker {
    maker_slot *slots;
    size_t nslots;
    term_key *keys; /* the terms in the order first seen */
    size_t n, cap;
    uint32_t (*pairs)[2]; /* term, doc */
    size_t npairs, pairs_cap;
    uint32_t doc;    /* the doc being read */
    strbuf json;
    strbuf text;     /* the doc's text, as in the page */
    strbuf norm;     /* and with its white space made one space */
};

static void maker_grow(part_maker *m)
{
    maker_slot *old = m->slots;
    size_t nold = m->nslots;
    m->nslots = nold ? nold * 2 : 4096;
    m->slots = xcalloc_written(m->nslots, sizeof *m->slots);
    for (size_t i = 0; i < nold; i++) {
        if (!old[i].term)
            continue;
        size_t s = first_slot(old[i].key, m->nslots);
        while (m->slots[s].term)
            s = (s + 1) & (m->nslots - 1);
        m->slots[s] = old[i];
    }
    free(old);
}

static void add_term(part_maker *m, uint64_t key, const char *word, size_t len)
{
    if (2 * (m->n + 1) > m->nslots)
        maker_grow(m);
    size_t mask = m->nslots - 1;
    size_t s = first_slot(key, m->nslots);
    maker_slot *sl;
    for (;; s = (s + 1) & mask) {
        sl = &m->slots[s];
        if (!sl->term) {
            if (m->n == m->cap) {
                m->cap = m->cap ? m->cap * 2 : 1024;
                m->keys = xrealloc(m->keys, m->cap * sizeof *m->keys);
            }
            m->keys[m->n] = (term_key){.key = key, .word = word ? xstrndup(word, len) : NULL};
            *sl = (maker_slot){.key = key, .term = (uint32_t)++m->n};
            break;
        }
        if (sl->key == key) {
            const char *w = m->keys[sl->term - 1].word;
            if (!word || (strlen(w) == len && memcmp(w, word, len) == 0))
                break;
        }
    }
    if (sl->last == m->doc + 1)
        return;
    sl->last = m->doc + 1;
    if (m->npairs == m->pairs_cap) {
        m->pairs_cap = m->pairs_cap ? m->pairs_cap * 2 : 4096;
        m->pairs = xrealloc(m->pairs, m->pairs_cap * sizeof *m->pairs);
    }
    m->pairs[m->npairs][0] = sl->term - 1;
    m->pairs[m->npairs][1] = m->doc;
    m->npairs++;
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

/* Ends a doc: its text's white space runs made one space and trimmed, its
 * terms (the title's and the text's) counted, its entry written. */
static void end_doc(part_maker *m, const char *href, const char *number, const char *title)
{
    terms_of(m, title, strlen(title));
    /* The text's terms, and the text with its white space runs made one
     * space and trimmed, in one pass: white space only separates terms,
     * so one space or many read the same. */
    strbuf *norm = &m->norm;
    sb_clear(norm);
    sb_grow(norm, m->text.len);
    char *out = norm->data;
    term_reader r = {.wn = 0};
    const unsigned char *p = (const unsigned char *)m->text.data, *end = p + m->text.len;
    bool space = false;
    while (p < end) {
        if (is_space(*p)) {
            space = out > norm->data;
            term_feed(&r, m, *p++);
            continue;
        }
        if (space)
            *out++ = ' ';
        space = false;
        const unsigned char *from = p;
        uint32_t c = next_char(&p, end);
        while (from < p)
            *out++ = (char)*from++;
        term_feed(&r, m, c);
    }
    term_end(&r, m);
    norm->len = (size_t)(out - norm->data);
    norm->data[norm->len] = '\0';
    sb_clear(&m->text);
    strbuf *j = &m->json;
    sb_append(j, m->doc ? ",\n[" : "[");
    json_string(j, href);
    sb_appendc(j, ',');
    json_string(j, number);
    sb_appendc(j, ',');
    json_string(j, title);
    sb_appendc(j, ',');
    json_string(j, norm->data);
    sb_appendc(j, ']');
    m->doc++;
}

/* The maker's terms into the part, encoded. */
static void take_terms(search_part *p, part_maker *m)
{
    /* Each term's docs, in doc order: the pairs counted and placed by term. */
    uint32_t *start = xcalloc(m->n + 1, sizeof *start);
    for (size_t i = 0; i < m->npairs; i++)
        start[m->pairs[i][0] + 1]++;
    for (size_t t = 0; t < m->n; t++)
        start[t + 1] += start[t];
    uint32_t *docs = xmalloc((m->npairs + 1) * sizeof *docs);
    uint32_t *at = xmalloc((m->n + 1) * sizeof *at);
    memcpy(at, start, m->n * sizeof *at);
    for (size_t i = 0; i < m->npairs; i++)
        docs[at[m->pairs[i][0]]++] = m->pairs[i][1];
    free(at);
    strbuf sb;
    sb_init(&sb);
    sb_grow(&sb, m->n * 10 + m->npairs + 16);
    for (size_t i = 0; i < m->n; i++) {
        const term_key *k = &m->keys[i];
        uint32_t len = start[i + 1] - start[i];
        size_t n = k->word ? strlen(k->word) : 0;
        /* Written in place: the most a term can take, made room for. */
        sb_grow(&sb, sizeof k->key + 10 + n + (size_t)len * 5);
        uint8_t *out = (uint8_t *)sb.data + sb.len;
        memcpy(out, &k->key, sizeof k->key);
        out += sizeof k->key;
        out += leb_encode(out, len * 2 + (k->word != NULL));
        if (k->word) {
            out += leb_encode(out, (uint32_t)n);
            memcpy(out, k->word, n);
            out += n;
            free(k->word);
        }
        uint32_t last = 0;
        for (uint32_t j = start[i]; j < start[i + 1]; j++) {
            out += leb_encode(out, docs[j] - last);
            last = docs[j];
        }
        sb.len = (size_t)((char *)out - sb.data);
    }
    free(docs);
    free(start);
    p->terms_len = sb.len;
    p->terms = (uint8_t *)xrealloc(sb_take(&sb), p->terms_len + 1); /* no slack */
    free(m->pairs);
    free(m->keys);
    free(m->slots);
}

static search_part *make_part(const document *d, const char *page_href, const char *number_prefix,
                              const char *top_number, const char *top_title, const char *html,
                              size_t len)
{
    part_maker m = {0};
    sb_init(&m.json);
    sb_init(&m.text);
    sb_init(&m.norm);
    const char *p = html, *end = html + len;
    /* The doc being read: its href and number (owned) and title. */
    char *href = xstrdup(page_href), *number = xstrdup(top_number), *title_owned = NULL;
    const char *title = top_title;
    while (p < end) {
        if (*p == '&') {
            p += entity(p, end, &m.text);
            continue;
        }
        if (*p != '<') {
            const char *lt = memchr(p, '<', (size_t)(end - p));
            const char *amp = memchr(p, '&', (size_t)((lt ? lt : end) - p));
            const char *stop = amp ? amp : lt ? lt : end;
            sb_appendn(&m.text, p, (size_t)(stop - p));
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
                end_doc(&m, href, number, title);
                free(href);
                free(number);
                href = xasprintf("%s#%.*s", page_href, (int)(q - id), id);
                number = *s->full_label ? xasprintf("%s%s", number_prefix, s->full_label)
                                        : xstrdup(top_number);
                title = s->title;
                p = after + 5;
                continue;
            }
        }
        /* A register's table (no document): each anchored row is an entry. */
        if (!d && strncmp(p, "<tr id=\"", 8) == 0) {
            const char *id = p + 8;
            const char *q = memchr(id, '"', (size_t)(end - id));
            if (q) {
                end_doc(&m, href, number, title);
                free(href);
                free(number);
                free(title_owned);
                href = xasprintf("%s#%.*s", page_href, (int)(q - id), id);
                number = xstrdup(top_title);
                title = title_owned = xstrndup(id, (size_t)(q - id));
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
        sb_appendc(&m.text, ' ');
        p = gt ? gt + 1 : end;
    }
    end_doc(&m, href, number, title);
    free(href);
    free(number);
    free(title_owned);
    sb_free(&m.text);
    sb_free(&m.norm);
    search_part *part = xcalloc(1, sizeof *part);
    part->refs = 1;
    part->ndocs = m.doc;
    part->json_len = m.json.len;
    /* kept while later editions may want it: no slack */
    part->json = xrealloc(sb_take(&m.json), part->json_len + 1);
    take_terms(part, &m);
    return part;
}

/* ---- shared between editions ---- */

/* The parts made for one page (its key), each with the audiences its body
 * is the same for: at most one an edition. */
typedef struct shared_page {
    search_part *parts[3];
    audience_range same[3];
} shared_page;

static void shared_page_free(void *p)
{
    shared_page *sp = p;
    for (int i = 0; sp && i < 3; i++)
        search_part_release(sp->parts[i]);
    free(sp);
}

struct search_share {
    pthread_mutex_t lock;
    map pages; /* a page's key (page_key) -> shared_page* */
    bool last;
    uint64_t serials; /* the parts made for the share so far */
    /* The last index written from parts of this share: their serials in
     * order and its file (as its edition named it). */
    uint64_t *written;
    size_t nwritten;
    char *written_file;
};

search_share *search_share_new(void)
{
    search_share *s = xcalloc(1, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    map_init(&s->pages, shared_page_free);
    return s;
}

void search_share_free(search_share *s)
{
    if (!s)
        return;
    map_free(&s->pages);
    free(s->written);
    free(s->written_file);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

void search_share_last(search_share *s)
{
    pthread_mutex_lock(&s->lock);
    s->last = true;
    pthread_mutex_unlock(&s->lock);
}

bool search_share_more(search_share *s)
{
    pthread_mutex_lock(&s->lock);
    bool more = !s->last;
    pthread_mutex_unlock(&s->lock);
    return more;
}

/* Everything a part is made from but its page's body, joined by 0x01: the
 * page's href names its document (a register's table has none), and as its
 * names are plain (site_plain_name) it holds no 0x01, so two pages' keys
 * never meet. */
static char *page_key(const document *d, const char *page_href, const char *number_prefix,
                      const char *top_number, const char *top_title)
{
    const char *parts[] = {d ? "doc" : "rows", page_href, number_prefix, top_number, top_title};
    strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
        if (i)
            sb_appendc(&sb, '\x01');
        sb_append(&sb, parts[i]);
    }
    return sb_take(&sb);
}

search_part *search_part_of_html(search_share *share, audience aud, audience_range same,
                                 const document *d, const char *page_href,
                                 const char *number_prefix, const char *top_number,
                                 const char *top_title, const char *html, size_t len)
{
    if (!share)
        return make_part(d, page_href, number_prefix, top_number, top_title, html, len);
    char *raw = page_key(d, page_href, number_prefix, top_number, top_title);
    search_part *p = NULL;
    pthread_mutex_lock(&share->lock);
    shared_page *sp = map_get(&share->pages, raw);
    bool last = share->last;
    for (int i = 0; sp && !p && i < 3; i++) {
        if (!sp->parts[i] || aud < sp->same[i].lo || aud > sp->same[i].hi)
            continue;
        p = sp->parts[i];
        if (last)
            sp->parts[i] = NULL; /* the share's reference is the caller's now */
        else
            __atomic_add_fetch(&p->refs, 1, __ATOMIC_ACQ_REL);
    }
    uint64_t serial = p || last ? 0 : ++share->serials;
    pthread_mutex_unlock(&share->lock);
    if (p || last) {
        free(raw);
        return p ? p : make_part(d, page_href, number_prefix, top_number, top_title, html, len);
    }
    p = make_part(d, page_href, number_prefix, top_number, top_title, html, len);
    p->serial = serial;
    pthread_mutex_lock(&share->lock);
    sp = map_get(&share->pages, raw);
    if (!sp) {
        sp = xcalloc(1, sizeof *sp);
        map_set(&share->pages, raw, sp);
    }
    for (int i = 0; i < 3; i++)
        if (!sp->parts[i]) {
            __atomic_add_fetch(&p->refs, 1, __ATOMIC_ACQ_REL);
            sp->parts[i] = p;
            sp->same[i] = same;
            break;
        }
    pthread_mutex_unlock(&share->lock);
    free(raw);
    return p;
}

/* ---- the index ---- */

/* A term's docs in the whole index: the gaps between them as unsigned
 * LEB128 (most take a byte), written out in base 36 at the end. */
typedef struct postings {
    uint8_t *bytes;
    uint32_t len, cap;
    uint32_t last; /* the last doc added */
} postings;

/* The index writes out what it has once it holds this much. */
#define FLUSH_BYTES ((size_t)1 << 20)

struct search_index {
    search_write_fn write;
    void *ctx;
    search_share *share;
    char *file;
    uint64_t *serials; /* of the parts merged, with a share */
    size_t nserials, serials_cap;
    /* While its parts are, so far, those of the share's last index: they
     * are held, not merged, and need not be if all of them are. */
    bool same;
    vec held;
    strbuf out;     /* what is not written yet */
    uint32_t ndocs;
    term_table table;
    postings *posts; /* per term of table */
    size_t posts_cap;
};

static void flush(search_index *ix, size_t at_least)
{
    if (ix->out.len < at_least)
        return;
    ix->write(ix->ctx, ix->out.data, ix->out.len);
    sb_clear(&ix->out);
}

search_index *search_index_new(search_share *share, const char *file, search_write_fn write,
                               void *ctx)
{
    search_index *ix = xcalloc(1, sizeof *ix);
    ix->write = write;
    ix->ctx = ctx;
    ix->share = share;
    ix->file = xstrdup(file);
    vec_init(&ix->held, release_fn);
    if (share) {
        pthread_mutex_lock(&share->lock);
        ix->same = share->written_file != NULL;
        pthread_mutex_unlock(&share->lock);
    }
    sb_init(&ix->out);
    sb_append(&ix->out, "window.POLICYGEN_SEARCH={\"v\":1,\"docs\":[");
    return ix;
}

static void put_gap(postings *ps, uint32_t gap)
{
    if (ps->cap - ps->len < 5) {
        ps->cap = ps->cap ? ps->cap * 2 : 8;
        ps->bytes = xrealloc(ps->bytes, ps->cap);
    }
    ps->len += (uint32_t)leb_encode(ps->bytes + ps->len, gap);
}

static void merge(search_index *ix, const search_part *p);

/* The parts held while the index was the same as the last: merged now. */
static void merge_held(search_index *ix)
{
    ix->same = false;
    for (size_t i = 0; i < ix->held.len; i++)
        merge(ix, ix->held.items[i]);
    vec_free(&ix->held);
}

void search_index_add(search_index *ix, search_part *p)
{
    if (ix->same) {
        search_share *s = ix->share;
        pthread_mutex_lock(&s->lock);
        size_t at = ix->held.len;
        bool same = p->serial && at < s->nwritten && s->written[at] == p->serial;
        pthread_mutex_unlock(&s->lock);
        if (same) {
            __atomic_add_fetch(&p->refs, 1, __ATOMIC_ACQ_REL);
            vec_push(&ix->held, p);
            return;
        }
        merge_held(ix);
    }
    merge(ix, p);
}

static void merge(search_index *ix, const search_part *p)
{
    if (ix->share) { /* this index's parts, should it become the share's last */
        if (ix->nserials == ix->serials_cap) {
            ix->serials_cap = ix->serials_cap ? ix->serials_cap * 2 : 256;
            ix->serials = xrealloc(ix->serials, ix->serials_cap * sizeof *ix->serials);
        }
        ix->serials[ix->nserials++] = p->serial; /* 0 (not shared) matches no part */
    }
    if (p->ndocs) {
        sb_append(&ix->out, ix->ndocs ? ",\n" : "\n");
        sb_appendn(&ix->out, p->json, p->json_len);
        flush(ix, FLUSH_BYTES);
    }
    for (const uint8_t *q = p->terms, *end = q + p->terms_len; q < end;) {
        uint64_t key;
        memcpy(&key, q, sizeof key);
        q += sizeof key;
        uint32_t count = leb_decode(&q);
        const char *word = NULL;
        uint32_t word_len = 0;
        if (count & 1) {
            word_len = leb_decode(&q);
            word = (const char *)q;
            q += word_len;
        }
        bool added;
        size_t k = table_find(&ix->table, key, word, word_len, &added);
        if (added) {
            if (k == ix->posts_cap) {
                ix->posts_cap = ix->posts_cap ? ix->posts_cap * 2 : 1024;
                ix->posts = xrealloc(ix->posts, ix->posts_cap * sizeof *ix->posts);
            }
            ix->posts[k] = (postings){0};
        }
        postings *ps = &ix->posts[k];
        uint32_t doc = 0;
        for (uint32_t j = count / 2; j > 0; j--) {
            doc += leb_decode(&q);
            put_gap(ps, ix->ndocs + doc - ps->last);
            ps->last = ix->ndocs + doc;
        }
    }
    ix->ndocs += p->ndocs;
}

char *search_index_finish(search_index *ix)
{
    search_share *s = ix->share;
    if (ix->same) {
        pthread_mutex_lock(&s->lock);
        bool whole = ix->held.len == s->nwritten;
        char *file = whole ? xstrdup(s->written_file) : NULL;
        pthread_mutex_unlock(&s->lock);
        if (whole) {
            vec_free(&ix->held);
            table_free(&ix->table, true);
            sb_free(&ix->out);
            free(ix->file);
            free(ix);
            return file;
        }
        merge_held(ix);
    }
    strbuf *sb = &ix->out;
    sb_append(sb, "],\n\"terms\":{");
    strbuf t;
    sb_init(&t);
    for (size_t k = 0; k < ix->table.n; k++) {
        const term_key *tk = &ix->table.keys[k];
        postings *ps = &ix->posts[k];
        if (k)
            sb_appendc(sb, ',');
        sb_clear(&t);
        term_text(&t, tk->key, tk->word);
        json_string(sb, t.data);
        sb_append(sb, ":\"");
        for (const uint8_t *q = ps->bytes, *end = q + ps->len; q < end;) {
            if (q != ps->bytes)
                sb_appendc(sb, ',');
            base36(sb, leb_decode(&q));
        }
        sb_appendc(sb, '"');
        free(ps->bytes);
        flush(ix, FLUSH_BYTES);
    }
    sb_free(&t);
    sb_append(sb, "}};\n");
    free(ix->posts);
    table_free(&ix->table, true);
    flush(ix, 0);
    sb_free(sb);
    if (s) {
        pthread_mutex_lock(&s->lock);
        free(s->written);
        free(s->written_file);
        s->written = ix->serials;
        s->nwritten = ix->nserials;
        s->written_file = ix->file;
        pthread_mutex_unlock(&s->lock);
    } else {
        free(ix->serials);
        free(ix->file);
    }
    vec_free(&ix->held);
    free(ix);
    return NULL;
}

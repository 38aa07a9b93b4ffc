#include "cache/pdfs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fs.h"
#include "core/map.h"
#include "core/xalloc.h"

struct cache_pdfs {
    cache *c;
    char settings[CACHE_KEY_SIZE]; /* the settings key (the program, the environment): the fonts' cuts' */
    char whole[CACHE_KEY_SIZE];   /* for PDFs that read the chapters */
    char outline[CACHE_KEY_SIZE]; /* for those that read only their outline */
    pdf_reuse reuse;
};

/* The job's key: the whole content's, or the outline's with the text of
 * the one chapter it reads. False when that chapter cannot be read (then
 * the PDF is typeset and not kept). */
static bool job_key(const cache_pdfs *p, pdf_reads reads, const char *job,
                    char key[CACHE_KEY_SIZE])
{
    cache_hasher *h = cache_hasher_new();
    cache_hash_str(h, "pdf", reads.all ? p->whole : p->outline);
    bool ok = reads.all || !reads.chapter || cache_hash_file(h, "reads", reads.chapter->path);
    cache_hash_str(h, "job", job);
    cache_hasher_finish(h, key);
    return ok;
}

/* An entry: "pages LO HI TEXT-LENGTH\n", the text, the PDF. */
static bool fetch(void *ctx, pdf_reads reads, const char *job, const char *path, strbuf *text,
                  int *pages, audience_range *seen)
{
    cache_pdfs *p = ctx;
    char key[CACHE_KEY_SIZE];
    if (!job_key(p, reads, job, key))
        return false;
    size_t len;
    char *data = cache_get(p->c, key, &len);
    if (!data)
        return false;
    int n, lo, hi, used = 0;
    size_t text_len;
    bool ok = sscanf(data, "pages %d %d %d %zu\n%n", &n, &lo, &hi, &text_len, &used) == 4 &&
              used > 0 && text_len <= len - (size_t)used && lo >= AUDIENCE_PUBLIC &&
              hi <= AUDIENCE_INTERNAL && lo <= hi;
    ok = ok && fs_write_file(path, data + used + text_len, len - (size_t)used - text_len);
    if (ok) {
        sb_appendn(text, data + used, text_len);
        *pages = n;
        *seen = (audience_range){(audience)lo, (audience)hi};
    }
    free(data);
    return ok;
}

static void store(void *ctx, pdf_reads reads, const char *job, const char *path,
                  const strbuf *text, int pages, audience_range seen)
{
    cache_pdfs *p = ctx;
    char key[CACHE_KEY_SIZE];
    if (!job_key(p, reads, job, key))
        return;
    size_t len;
    char *pdf = fs_read_file(path, (size_t)1 << 30, &len);
    if (!pdf)
        return;
    strbuf e;
    sb_init(&e);
    sb_printf(&e, "pages %d %d %d %zu\n", pages, (int)seen.lo, (int)seen.hi, text->len);
    sb_appendn(&e, text->data ? text->data : "", text->len);
    sb_appendn(&e, pdf, len);
    cache_put(p->c, key, e.data, e.len);
    sb_free(&e);
    free(pdf);
}

static void keep(void *ctx, pdf_reads reads, const char *job)
{
    cache_pdfs *p = ctx;
    char key[CACHE_KEY_SIZE];
    if (job_key(p, reads, job, key))
        cache_keep(p->c, key);
}

/* A font's cut (render/pdf/fonts.h): named by what it is made from. */
static void font_key(const cache_pdfs *p, const char *what, char key[CACHE_KEY_SIZE])
{
    cache_hasher *h = cache_hasher_new();
    cache_hash_str(h, "settings", p->settings);
    cache_hash_str(h, "font cut", what);
    cache_hasher_finish(h, key);
}

static char *font_get(void *ctx, const char *what, size_t *len)
{
    cache_pdfs *p = ctx;
    char key[CACHE_KEY_SIZE];
    font_key(p, what, key);
    return cache_get(p->c, key, len);
}

static void font_put(void *ctx, const char *what, const void *data, size_t len)
{
    cache_pdfs *p = ctx;
    char key[CACHE_KEY_SIZE];
    font_key(p, what, key);
    cache_put(p->c, key, data, len);
}

static void hash_int(cache_hasher *h, const char *label, long v)
{
    char n[32];
    snprintf(n, sizeof n, "%ld", v);
    cache_hash_str(h, label, n);
}

/* What of a document another document's PDF may show. */
static void hash_outline(cache_hasher *h, const document *d)
{
    cache_hash_str(h, "doc", d->path);
    cache_hash_str(h, "id", d->id);
    cache_hash_str(h, "title", d->title);
    hash_int(h, "number", d->number);
    hash_int(h, "audience", d->audience);
    hash_int(h, "footnotes", d->footnote_base);
    hash_int(h, "of", d->footnote_count);
    for (size_t i = 0; i < d->sections.len; i++) {
        const section *sec = d->sections.items[i];
        hash_int(h, "section", sec->level);
        cache_hash_str(h, "id", sec->id);
        cache_hash_str(h, "label", sec->label);
        cache_hash_str(h, "full", sec->full_label);
        cache_hash_str(h, "title", sec->title);
    }
}

cache_pdfs *cache_pdfs_new(cache *c, const char *settings_key, const site *s,
                           const char *content_dir, const char *theme_dir)
{
    cache_hasher *whole = cache_hasher_new(), *outline = cache_hasher_new();
    cache_hasher *both[2] = {whole, outline};
    char *style = fs_join(theme_dir, "pdf.yaml");
    bool ok = true;
    for (int i = 0; i < 2; i++) {
        cache_hash_str(both[i], "settings", settings_key);
        ok = cache_hash_file(both[i], "style", style) && ok;
    }
    free(style);
    ok = cache_hash_tree(whole, "content", content_dir, NULL) && ok;
    map chapters;
    map_init(&chapters, NULL);
    for (size_t i = 0; i < s->chapters.len; i++)
        map_set(&chapters, ((const document *)s->chapters.items[i])->path, NULL);
    ok = cache_hash_tree(outline, "content", content_dir, &chapters) && ok;
    map_free(&chapters);
    const vec *docs[2] = {&s->chapters, &s->annexes};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < docs[k]->len; i++)
            hash_outline(outline, docs[k]->items[i]);
    cache_pdfs *p = xcalloc(1, sizeof *p);
    cache_hasher_finish(whole, p->whole);
    cache_hasher_finish(outline, p->outline);
    if (!ok) {
        free(p);
        return NULL;
    }
    p->c = c;
    snprintf(p->settings, sizeof p->settings, "%s", settings_key);
    p->reuse = (pdf_reuse){fetch, store, keep, p, {font_get, font_put, p}};
    return p;
}

const pdf_reuse *cache_pdfs_reuse(const cache_pdfs *p)
{
    return p ? &p->reuse : NULL;
}

void cache_pdfs_free(cache_pdfs *p)
{
    free(p);
}

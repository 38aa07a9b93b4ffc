#include "check/documents.h"

#include <cmark-gfm.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "core/parallel.h"
#include "core/xalloc.h"
#include "markdown/directive.h"
#include "markdown/markdown.h"
#include "xref/xref.h"

/* Every key and every fixed value of the tables: pushed once per conversion
 * and copied from the stack, rather than looked up as C strings each time. */
/* clang-format off */
typedef enum word {
    W_ID, W_KIND, W_PATH, W_TITLE, W_NUMBER, W_SECTIONS, W_BLOCKS, W_LINKS, W_REGISTER,
    W_REFERENCES, W_LEVEL, W_LABEL, W_LINE, W_TEXT, W_SECTION, W_HAS_CHILDREN, W_NEXT,
    W_NAME, W_ARG, W_URL, W_HREF,
    W_CHAPTER, W_ANNEX, W_PARAGRAPH, W_ITEM, W_FOOTNOTE, W_DIRECTIVE, W_LIST, W_HEADING,
    W_CODE, W_QUOTE, W_TABLE, W_OTHER, W_NONE, W_ROW, W_ANNEXES, W_REVISIONS, W_ONLY,
    W_COUNT
} word;

static const char *const words[W_COUNT] = {
    "id", "kind", "path", "title", "number", "sections", "blocks", "links", "register",
    "references", "level", "label", "line", "text", "section", "has_children", "next",
    "name", "arg", "url", "href",
    "chapter", "annex", "paragraph", "item", "footnote", "directive", "list", "heading",
    "code", "quote", "table", "other", "none", "row", "annexes", "revisions", "only",
};
/* clang-format on */

/* A paragraph, list item, footnote paragraph or directive, in reading order. */
typedef struct text_block {
    word kind, next, name; /* name: directives only */
    bool has_children;
    int line;
    const char *section; /* borrowed from the site */
    const char *arg;     /* a directive's argument, or NULL */
    const char *text;    /* in the text store; NULL for a directive, whose text is "" */
    size_t text_len;
} text_block;

typedef struct text_link {
    word kind;       /* W_URL when the link is not a cross-reference */
    const char *url; /* borrowed from the site, like href */
    const char *href;
    int line;
    const char *text; /* in the text store */
    size_t text_len;
} text_link;

/* The plain text of every block and link, packed in large chunks: freeing
 * 90,000 strings one by one cost a third as much as extracting them. */
typedef struct text_chunk {
    struct text_chunk *next;
    size_t used, size;
    char data[];
} text_chunk;

#define TEXT_CHUNK_BYTES ((size_t)1 << 20)
/* LUAI_MAXSHORTLEN of Lua 5.4: strings up to this long are interned. */
#define LUA_SHORT_STRING_MAX 40

typedef struct document_text {
    text_block *blocks;
    size_t nblocks;
    text_link *links;
    size_t nlinks;
} document_text;

struct check_documents {
    const site *s;
    const struct xref_table *xref;
    document_text *chapters; /* one per chapter */
    document_text *annexes;  /* one per annex */
    int threads;             /* that extracted the text */
    text_chunk **texts;      /* per thread, the newest chunk first */
};

/* Moves a malloc'd text into a thread's store; returns the copy and its
 * length. */
static const char *keep_text(text_chunk **store, char *text, size_t *len)
{
    size_t n = strlen(text);
    text_chunk *c = *store;
    if (!c || c->size - c->used < n + 1) {
        size_t size = n + 1 > TEXT_CHUNK_BYTES ? n + 1 : TEXT_CHUNK_BYTES;
        c = xmalloc(sizeof *c + size);
        c->next = *store;
        c->used = 0;
        c->size = size;
        *store = c;
    }
    char *copy = memcpy(c->data + c->used, text, n + 1);
    c->used += n + 1;
    free(text);
    *len = n;
    return copy;
}

/* ---- the text, from the Markdown trees ---- */

static word block_kind(cmark_node *n)
{
    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_PARAGRAPH: return W_PARAGRAPH;
    case CMARK_NODE_LIST: return W_LIST;
    case CMARK_NODE_HEADING: return W_HEADING;
    case CMARK_NODE_CODE_BLOCK: return cmark_node_get_user_data(n) ? W_DIRECTIVE : W_CODE;
    case CMARK_NODE_BLOCK_QUOTE: return W_QUOTE;
    default: return strcmp(cmark_node_get_type_string(n), "table") == 0 ? W_TABLE : W_OTHER;
    }
}

static bool has_child_list(cmark_node *item)
{
    for (cmark_node *c = cmark_node_first_child(item); c; c = cmark_node_next(c))
        if (cmark_node_get_type(c) == CMARK_NODE_LIST)
            return true;
    return false;
}

static text_block *new_block(document_text *t, size_t *cap)
{
    if (t->nblocks == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        t->blocks = xrealloc(t->blocks, *cap * sizeof *t->blocks);
    }
    text_block *b = &t->blocks[t->nblocks++];
    memset(b, 0, sizeof *b);
    return b;
}

static text_link *new_link(document_text *t, size_t *cap)
{
    if (t->nlinks == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        t->links = xrealloc(t->links, *cap * sizeof *t->links);
    }
    text_link *l = &t->links[t->nlinks++];
    memset(l, 0, sizeof *l);
    return l;
}

/* Paragraphs and list items, each with what follows it (enough for text
 * checks such as a placeholder left empty), and the links, in one walk. */
static void extract(text_chunk **store, const document *d, document_text *t)
{
    static const word directive_names[] = {W_REGISTER, W_ANNEXES, W_REVISIONS, W_ONLY};
    static const word link_kinds[] = {W_ANNEX, W_SECTION, W_REGISTER, W_ROW};
    size_t block_cap = 0, link_cap = 0;
    const section *current = d->sections.len ? d->sections.items[0] : NULL;
    bool in_footnote = false;
    cmark_iter *it = cmark_iter_new(d->root);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        cmark_node_type type = cmark_node_get_type(n);
        if (type == CMARK_NODE_FOOTNOTE_DEFINITION)
            in_footnote = ev == CMARK_EVENT_ENTER;
        if (ev != CMARK_EVENT_ENTER)
            continue;
        int line = cmark_node_get_start_line(n) + d->body_line - 1;
        if (type == CMARK_NODE_LINK) {
            const xref_link *x = cmark_node_get_user_data(n);
            text_link *l = new_link(t, &link_cap);
            l->kind = x ? link_kinds[x->kind] : W_URL;
            l->url = cmark_node_get_url(n);
            l->href = x ? x->href : NULL;
            l->line = line;
            l->text = keep_text(store, md_plain_text(n), &l->text_len);
            continue;
        }
        if (type == CMARK_NODE_HEADING && cmark_node_get_user_data(n))
            current = cmark_node_get_user_data(n);
        const char *section = current ? current->id : d->id;
        if (type == CMARK_NODE_CODE_BLOCK && cmark_node_get_user_data(n)) {
            const directive *dir = cmark_node_get_user_data(n);
            text_block *b = new_block(t, &block_cap);
            cmark_node *next = cmark_node_next(n);
            *b = (text_block){.kind = W_DIRECTIVE,
                              .next = next ? block_kind(next) : W_NONE,
                              .name = directive_names[dir->kind],
                              .line = line,
                              .section = section,
                              .arg = dir->arg};
            continue;
        }
        if (type != CMARK_NODE_PARAGRAPH)
            continue;
        cmark_node *parent = cmark_node_parent(n);
        bool item = parent && cmark_node_get_type(parent) == CMARK_NODE_ITEM;
        text_block *b = new_block(t, &block_cap);
        b->kind = in_footnote ? W_FOOTNOTE : item ? W_ITEM : W_PARAGRAPH;
        b->line = line;
        b->section = section;
        b->text = keep_text(store, md_plain_text(n), &b->text_len);
        if (item) {
            b->has_children = has_child_list(parent);
            b->next = cmark_node_next(parent) ? W_ITEM : W_NONE;
        } else {
            cmark_node *next = cmark_node_next(n);
            b->next = next ? block_kind(next) : W_NONE;
        }
    }
    cmark_iter_free(it);
}

/* The documents are independent: they are walked on every processor, each
 * by one thread (reading a node's text the first time also writes to it). */
static void extract_job(void *ctx, int worker, size_t i)
{
    check_documents *docs = ctx;
    size_t chapters = docs->s->chapters.len;
    if (i < chapters)
        extract(&docs->texts[worker], docs->s->chapters.items[i], &docs->chapters[i]);
    else
        extract(&docs->texts[worker], docs->s->annexes.items[i - chapters],
                &docs->annexes[i - chapters]);
}

static void free_texts(document_text *texts, size_t count)
{
    for (size_t i = 0; texts && i < count; i++) {
        free(texts[i].blocks);
        free(texts[i].links);
    }
    free(texts);
}

check_documents *check_documents_new(const site *s, const struct xref_table *xref, int threads)
{
    check_documents *docs = xcalloc(1, sizeof *docs);
    docs->s = s;
    docs->xref = xref;
    docs->chapters = xcalloc(s->chapters.len + 1, sizeof *docs->chapters);
    docs->annexes = xcalloc(s->annexes.len + 1, sizeof *docs->annexes);
    docs->threads = threads > 0 ? threads : parallel_cpu_count();
    docs->texts = xcalloc((size_t)docs->threads, sizeof *docs->texts);
    parallel_for(s->chapters.len + s->annexes.len, docs->threads, extract_job, docs);
    return docs;
}

void check_documents_free(check_documents *docs)
{
    if (!docs)
        return;
    free_texts(docs->chapters, docs->s->chapters.len);
    free_texts(docs->annexes, docs->s->annexes.len);
    for (int t = 0; t < docs->threads; t++) {
        for (text_chunk *c = docs->texts[t], *next; c; c = next) {
            next = c->next;
            free(c);
        }
    }
    free(docs->texts);
    free(docs);
}

/* ---- into Lua ---- */

/* The tables of blocks, sections and links are made by Lua table
 * constructors: one call of a small function per table is about twice as
 * fast as lua_rawset field by field, and they are most of a reading rule's
 * time. Each constructor sets its fields in the order the C code did, so
 * the tables are laid out as before. */
static const char CONSTRUCTORS[] =
    "return function(kind, text, line, section, has_children, next)\n"
    "  return {kind = kind, text = text, line = line, section = section,\n"
    "          has_children = has_children, next = next}\n"
    "end, function(kind, text, name, line, section, has_children, next)\n"
    "  return {kind = kind, text = text, name = name, line = line, section = section,\n"
    "          has_children = has_children, next = next}\n"
    "end, function(kind, text, name, arg, line, section, has_children, next)\n"
    "  return {kind = kind, text = text, name = name, arg = arg, line = line,\n"
    "          section = section, has_children = has_children, next = next}\n"
    "end, function(id, level, label, number, title, line)\n"
    "  return {id = id, level = level, label = label, number = number, title = title,\n"
    "          line = line}\n"
    "end, function(kind, url, text, line)\n"
    "  return {kind = kind, url = url, text = text, line = line}\n"
    "end, function(kind, url, href, text, line)\n"
    "  return {kind = kind, url = url, href = href, text = text, line = line}\n"
    "end\n";

enum { C_BLOCK, C_DIRECTIVE, C_DIRECTIVE_ARG, C_SECTION, C_LINK, C_XREF, C_COUNT };

/* The words sit on the stack from index `words`, the constructors from
 * index `makers`. */
typedef struct pusher {
    lua_State *L;
    int words;
    int makers;
} pusher;

static void push_word(const pusher *p, word w)
{
    lua_pushvalue(p->L, p->words + w);
}

/* NULL is the empty string, as in the site's value trees. */
static void push_text(lua_State *L, const char *s, size_t len)
{
    lua_pushlstring(L, s ? s : "", s ? len : 0);
}

/* Not lua_pushstring, whose cache of recent strings compares every string
 * it is given with the one last pushed from the same address. */
static void push_cstring(lua_State *L, const char *s)
{
    push_text(L, s, s ? strlen(s) : 0);
}

static void set_word(const pusher *p, int table, word key, word value)
{
    push_word(p, key);
    push_word(p, value);
    lua_rawset(p->L, table);
}

static void set_cstring(const pusher *p, int table, word key, const char *s)
{
    push_word(p, key);
    push_cstring(p->L, s);
    lua_rawset(p->L, table);
}

static void set_integer(const pusher *p, int table, word key, lua_Integer n)
{
    push_word(p, key);
    lua_pushinteger(p->L, n);
    lua_rawset(p->L, table);
}

static void push_sections(const pusher *p, const document *d)
{
    lua_State *L = p->L;
    lua_createtable(L, (int)d->sections.len, 0);
    for (size_t i = 0; i < d->sections.len; i++) {
        const section *sec = d->sections.items[i];
        lua_pushvalue(L, p->makers + C_SECTION);
        push_cstring(L, sec->id);
        lua_pushinteger(L, sec->level);
        push_cstring(L, sec->label);
        push_cstring(L, sec->full_label);
        push_cstring(L, sec->title);
        lua_pushinteger(L, sec->pos.line);
        lua_call(L, 6, 1);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

static void push_blocks(const pusher *p, const document_text *text)
{
    lua_State *L = p->L;
    lua_createtable(L, (int)text->nblocks, 0);
    /* Lua keeps one object per short string (up to 40 bytes), so the blocks
     * in a row of a section can share their section's, looked up once. A
     * longer id is a string of its own in each block, as it always was: the
     * memory a rule has left stays the same. */
    int section_slot = lua_gettop(L) + 1;
    const char *section = NULL;
    size_t section_len = 0;
    lua_pushnil(L);
    for (size_t i = 0; i < text->nblocks; i++) {
        const text_block *b = &text->blocks[i];
        if (b->section != section || section_len > LUA_SHORT_STRING_MAX) {
            section = b->section ? b->section : "";
            section_len = strlen(section);
            lua_pushlstring(L, section, section_len);
            lua_replace(L, section_slot);
        }
        int args = 6;
        if (b->kind != W_DIRECTIVE) {
            lua_pushvalue(L, p->makers + C_BLOCK);
            push_word(p, b->kind);
            push_text(L, b->text, b->text_len);
        } else {
            lua_pushvalue(L, p->makers + (b->arg ? C_DIRECTIVE_ARG : C_DIRECTIVE));
            push_word(p, b->kind);
            push_text(L, b->text, b->text_len);
            push_word(p, b->name);
            args++;
            if (b->arg) {
                push_cstring(L, b->arg);
                args++;
            }
        }
        lua_pushinteger(L, b->line);
        lua_pushvalue(L, section_slot);
        lua_pushboolean(L, b->has_children);
        push_word(p, b->next);
        lua_call(L, args, 1);
        lua_rawseti(L, section_slot - 1, (lua_Integer)i + 1);
    }
    lua_pop(L, 1);
}

static void push_links(const pusher *p, const document_text *text)
{
    lua_State *L = p->L;
    lua_createtable(L, (int)text->nlinks, 0);
    for (size_t i = 0; i < text->nlinks; i++) {
        const text_link *l = &text->links[i];
        lua_pushvalue(L, p->makers + (l->href ? C_XREF : C_LINK));
        push_word(p, l->kind);
        push_cstring(L, l->url);
        if (l->href)
            push_cstring(L, l->href);
        push_text(L, l->text, l->text_len);
        lua_pushinteger(L, l->line);
        lua_call(L, l->href ? 5 : 4, 1);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

/* How many links of the plan (not of other annexes) lead to annex a. */
static int plan_references(const check_documents *docs, const document *a)
{
    const vec *back = docs->xref ? xref_backlinks(docs->xref, a) : NULL;
    int from_plan = 0;
    for (size_t k = 0; back && k < back->len; k++)
        if (((const xref_backlink *)back->items[k])->from->kind == DOCUMENT_CHAPTER)
            from_plan++;
    return from_plan;
}

static void push_document(const pusher *p, const check_documents *docs, const document *d,
                          const document_text *text)
{
    lua_State *L = p->L;
    bool annex = d->kind != DOCUMENT_CHAPTER;
    lua_createtable(L, 0, 8 + (annex ? 1 + (d->register_name != NULL) : 0));
    int t = lua_gettop(L);
    set_cstring(p, t, W_ID, d->id);
    set_word(p, t, W_KIND, annex ? W_ANNEX : W_CHAPTER);
    set_cstring(p, t, W_PATH, d->path);
    set_cstring(p, t, W_TITLE, d->title);
    set_integer(p, t, W_NUMBER, d->number);
    lua_pushvalue(L, p->words + W_SECTIONS);
    push_sections(p, d);
    lua_rawset(L, t);
    lua_pushvalue(L, p->words + W_BLOCKS);
    push_blocks(p, text);
    lua_rawset(L, t);
    lua_pushvalue(L, p->words + W_LINKS);
    push_links(p, text);
    lua_rawset(L, t);
    if (annex) {
        if (d->register_name)
            set_cstring(p, t, W_REGISTER, d->register_name);
        set_integer(p, t, W_REFERENCES, plan_references(docs, d));
    }
}

typedef struct push_request {
    const check_documents *docs;
    const vec *documents;
    const document_text *texts;
} push_request;

static int build_documents(lua_State *L)
{
    const push_request *rq = lua_touserdata(L, 1);
    luaL_checkstack(L, W_COUNT + C_COUNT + 16, "site data");
    lua_createtable(L, (int)rq->documents->len, 0);
    int array = lua_gettop(L);
    for (int w = 0; w < W_COUNT; w++)
        lua_pushstring(L, words[w]);
    if (luaL_loadbufferx(L, CONSTRUCTORS, sizeof CONSTRUCTORS - 1, "=policygen", "t") != LUA_OK)
        return lua_error(L);
    lua_call(L, 0, C_COUNT);
    pusher p = {L, array + 1, array + 1 + W_COUNT};
    for (size_t i = 0; i < rq->documents->len; i++) {
        push_document(&p, rq->docs, rq->documents->items[i], &rq->texts[i]);
        lua_rawseti(L, array, (lua_Integer)i + 1);
    }
    lua_settop(L, array);
    return 1;
}

/* The constructors run Lua code, so they run on a thread of their own with no
 * hook: the rule's instruction count and line are left as its own code left
 * them. An error (out of memory) is raised again in the rule's thread. */
static void push_documents(lua_State *L, const check_documents *docs, const vec *documents,
                           const document_text *texts)
{
    push_request rq = {docs, documents, texts};
    lua_State *T = lua_newthread(L);
    lua_sethook(T, NULL, 0, 0);
    lua_pushcfunction(T, build_documents);
    lua_pushlightuserdata(T, &rq);
    int status = lua_pcall(T, 1, 1, 0);
    lua_xmove(T, L, 1);
    lua_remove(L, -2); /* the thread */
    if (status != LUA_OK)
        lua_error(L);
}

static void push_chapters(lua_State *L, void *ctx)
{
    check_documents *docs = ctx;
    push_documents(L, docs, &docs->s->chapters, docs->chapters);
}

static void push_annexes(lua_State *L, void *ctx)
{
    check_documents *docs = ctx;
    push_documents(L, docs, &docs->s->annexes, docs->annexes);
}

rules_lazy check_documents_chapters(check_documents *docs)
{
    return (rules_lazy){"documents", push_chapters, docs};
}

rules_lazy check_documents_annexes(check_documents *docs)
{
    return (rules_lazy){"annexes", push_annexes, docs};
}

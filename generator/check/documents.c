/* memmem is a GNU extension. */
#define _GNU_SOURCE
#include "check/documents.h"

#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "core/strbuf.h"
#include "core/xalloc.h"
#include "markdown/directive.h"
#include "markdown/scan.h"
#include "rules/sandbox.h"
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
    W_SIGNATURES,
    W_DIGEST,
    W_COUNT
} word;

static const char *const words[W_COUNT] = {
    "id", "kind", "path", "title", "number", "sections", "blocks", "links", "register",
    "references", "level", "label", "line", "text", "section", "has_children", "next",
    "name", "arg", "url", "href",
    "chapter", "annex", "paragraph", "item", "footnote", "directive", "list", "heading",
    "code", "quote", "table", "other", "none", "row", "annexes", "revisions", "only",
    "signatures",
    "digest",
};
/* clang-format on */

/* The words of the load's block kinds (markdown/scan.h), in md_kind order. */
static const word KIND_WORDS[] = {W_PARAGRAPH, W_ITEM, W_FOOTNOTE, W_DIRECTIVE, W_LIST, W_HEADING,
                                  W_CODE,      W_QUOTE, W_TABLE,   W_OTHER,     W_NONE};
_Static_assert(sizeof KIND_WORDS / sizeof *KIND_WORDS == MD_NONE + 1, "a word for every md_kind");

/* LUAI_MAXSHORTLEN of Lua 5.4: strings up to this long are interned. */
#define LUA_SHORT_STRING_MAX 40

struct check_documents {
    const site *s;
    const struct xref_table *xref;
};

/* The text was read when the site was loaded (markdown/scan.h); what xref
 * wrote for empty links goes into it as it is pushed. */
check_documents *check_documents_new(const site *s, const struct xref_table *xref, int threads)
{
    (void)threads;
    check_documents *docs = xcalloc(1, sizeof *docs);
    docs->s = s;
    docs->xref = xref;
    return docs;
}

void check_documents_free(check_documents *docs)
{
    free(docs);
}

/* ---- into Lua ---- */

/* The tables of sections and links are made by Lua table constructors: one
 * call of a small function per table is about twice as fast as lua_rawset
 * field by field. Each constructor sets its fields in the order the C code
 * did, so the tables are laid out as before. (Blocks are made one by one, on
 * a rule's read: block_index.) */
static const char CONSTRUCTORS[] =
    "return function(id, level, label, number, title, line)\n"
    "  return {id = id, level = level, label = label, number = number, title = title,\n"
    "          line = line}\n"
    "end, function(kind, url, text, line)\n"
    "  return {kind = kind, url = url, text = text, line = line}\n"
    "end, function(kind, url, href, text, line)\n"
    "  return {kind = kind, url = url, href = href, text = text, line = line}\n"
    "end\n";

enum { C_SECTION, C_LINK, C_XREF, C_COUNT };

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

static const word DIRECTIVE_NAMES[] = {W_REGISTER, W_ANNEXES, W_REVISIONS, W_ONLY, W_SIGNATURES};

/* A block's text, with what xref wrote for its empty links put in (fills
 * from *fill on, sorted by block; *fill moves past this block's). */
static void push_block_text(lua_State *L, const document *d, size_t index, size_t *fill,
                            strbuf *spliced)
{
    const struct md_text *t = d->text;
    const md_block *b = &t->blocks[index];
    const char *text = t->chars + b->text;
    if (*fill >= t->nfills || t->fills[*fill].block != index) {
        lua_pushlstring(L, text, b->len);
        return;
    }
    sb_clear(spliced);
    uint32_t from = 0;
    for (; *fill < t->nfills && t->fills[*fill].block == index; ++*fill) {
        const md_fill *f = &t->fills[*fill];
        const doc_link *l = d->links.items[f->link];
        sb_appendn(spliced, text + from, f->at - from);
        if (l->fill)
            sb_append(spliced, l->fill);
        from = f->at;
    }
    sb_appendn(spliced, text + from, b->len - from);
    lua_pushlstring(L, spliced->data, spliced->len);
}

/* The index of the first fill of block i or after (fills are sorted by block). */
static size_t first_fill(const struct md_text *t, size_t i)
{
    size_t lo = 0, hi = t->nfills;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->fills[mid].block < i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Block i of d as its table: kind, text, line, section, has_children, next
 * (a directive: its name and arg too). Made in C, field by field: no Lua
 * code runs, so the rule's instruction count and line stay its own. */
static void push_block(lua_State *L, const document *d, size_t i)
{
    const struct md_text *t = d->text;
    const md_block *b = &t->blocks[i];
    const directive *dir = b->kind == MD_DIRECTIVE ? b->directive : NULL;
    luaL_checkstack(L, 4, "site data");
    lua_createtable(L, 0, dir ? 8 : 6);
    lua_pushstring(L, words[KIND_WORDS[b->kind]]);
    lua_setfield(L, -2, "kind");
    if (dir) {
        lua_pushliteral(L, "");
        lua_setfield(L, -2, "text");
        lua_pushstring(L, words[DIRECTIVE_NAMES[dir->kind]]);
        lua_setfield(L, -2, "name");
        if (dir->arg) {
            push_cstring(L, dir->arg);
            lua_setfield(L, -2, "arg");
        }
    } else {
        size_t fill = first_fill(t, i);
        strbuf spliced;
        sb_init(&spliced);
        push_block_text(L, d, i, &fill, &spliced);
        sb_free(&spliced);
        lua_setfield(L, -2, "text");
    }
    lua_pushinteger(L, b->line);
    lua_setfield(L, -2, "line");
    push_cstring(L, b->section ? b->section->id : d->id);
    lua_setfield(L, -2, "section");
    lua_pushboolean(L, b->has_children);
    lua_setfield(L, -2, "has_children");
    lua_pushstring(L, words[KIND_WORDS[b->next]]);
    lua_setfield(L, -2, "next");
}

static void push_links(const pusher *p, const document *d)
{
    static const word XREF_WORDS[] = {W_ANNEX, W_SECTION, W_REGISTER, W_ROW};
    lua_State *L = p->L;
    lua_createtable(L, (int)d->links.len, 0);
    for (size_t i = 0; i < d->links.len; i++) {
        const doc_link *l = d->links.items[i];
        const xref_link *x = l->xref;
        lua_pushvalue(L, p->makers + (x ? C_XREF : C_LINK));
        push_word(p, x ? XREF_WORDS[x->kind] : W_URL);
        push_cstring(L, l->url);
        if (x)
            push_cstring(L, x->href);
        if (l->empty && l->fill)
            push_cstring(L, l->fill);
        else
            push_text(L, l->text, l->text_len);
        lua_pushinteger(L, l->line);
        lua_call(L, x ? 5 : 4, 1);
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

/* ---- the documents' tables ----
 *
 * A document's table holds its scalar fields (id, kind, path, title, number;
 * an annex's register and references); its sections, blocks and links are
 * made when a rule first reads them (the documents' metatable), and kept in
 * the table. Most rules that read the documents read only some: a thousand
 * chapters' blocks are 40 MB of tables. */

/* Registry keys: their addresses are unique. */
static const char kit_key = 0;      /* the words, then the constructors */
static const char doc_meta_key = 0; /* the documents' metatable */
static const char doc_of_key = 0;   /* weak-keyed: document or blocks table -> its document */
static const char blocks_meta_key = 0; /* the blocks tables' metatable */

/* Pushes the words and the constructors (W_COUNT + C_COUNT values), made on
 * the state's first use; returns the pusher that reads them. Runs the
 * constructors' chunk, so only on a builder's thread. */
static pusher push_kit(lua_State *L)
{
    luaL_checkstack(L, W_COUNT + C_COUNT + 16, "site data");
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &kit_key) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_createtable(L, W_COUNT + C_COUNT, 0);
        for (int w = 0; w < W_COUNT; w++) {
            lua_pushstring(L, words[w]);
            lua_rawseti(L, -2, w + 1);
        }
        if (luaL_loadbufferx(L, CONSTRUCTORS, sizeof CONSTRUCTORS - 1, "=policygen", "t") !=
            LUA_OK)
            lua_error(L);
        lua_call(L, 0, C_COUNT);
        for (int c = C_COUNT - 1; c >= 0; c--)
            lua_rawseti(L, -2 - c, W_COUNT + c + 1);
        lua_pushvalue(L, -1);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &kit_key);
    }
    int kit = lua_gettop(L);
    for (int i = 1; i <= W_COUNT + C_COUNT; i++)
        lua_rawgeti(L, kit, i);
    lua_remove(L, kit);
    int first = lua_gettop(L) - (W_COUNT + C_COUNT) + 1;
    return (pusher){L, first, first + W_COUNT};
}

/* The document of a document table at idx, or NULL. */
static const document *document_of(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &doc_of_key);
    lua_pushvalue(L, idx);
    lua_rawget(L, -2);
    const document *d = lua_touserdata(L, -1);
    lua_pop(L, 2);
    return d;
}

static void push_document(const pusher *p, const check_documents *docs, const document *d)
{
    lua_State *L = p->L;
    bool annex = d->kind == DOCUMENT_ANNEX;
    lua_createtable(L, 0, 8 + (annex ? 1 + (d->register_name != NULL) : 0));
    int t = lua_gettop(L);
    set_cstring(p, t, W_ID, d->id);
    set_word(p, t, W_KIND,
             d->kind == DOCUMENT_CHAPTER ? W_CHAPTER
             : d->kind == DOCUMENT_ANNEX ? W_ANNEX
                                         : W_DIGEST);
    set_cstring(p, t, W_PATH, d->path);
    set_cstring(p, t, W_TITLE, d->title);
    set_integer(p, t, W_NUMBER, d->number);
    if (annex) {
        if (d->register_name)
            set_cstring(p, t, W_REGISTER, d->register_name);
        set_integer(p, t, W_REFERENCES, plan_references(docs, d));
    }
    lua_rawgetp(L, LUA_REGISTRYINDEX, &doc_of_key);
    lua_pushvalue(L, t);
    lua_pushlightuserdata(L, (void *)d);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &doc_meta_key);
    lua_setmetatable(L, t);
}

/* What a builder makes: the documents of a list as an array, one document
 * alone, or one part (sections, blocks, links) of one document. */
typedef struct push_request {
    const check_documents *docs;
    const vec *documents;
    const document *one;
    word part; /* W_SECTIONS or W_LINKS of one; W_COUNT: documents */
} push_request;

static int build(lua_State *L)
{
    const push_request *rq = lua_touserdata(L, 1);
    lua_settop(L, 0);
    lua_pushnil(L); /* the result's slot */
    pusher p = push_kit(L);
    if (rq->part == W_SECTIONS)
        push_sections(&p, rq->one);
    else if (rq->part == W_LINKS)
        push_links(&p, rq->one);
    else if (rq->one)
        push_document(&p, rq->docs, rq->one);
    else {
        lua_createtable(L, (int)rq->documents->len, 0);
        for (size_t i = 0; i < rq->documents->len; i++) {
            push_document(&p, rq->docs, rq->documents->items[i]);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
    }
    lua_replace(L, 1);
    lua_settop(L, 1);
    return 1;
}

/* The constructors run Lua code, so they run on a thread of their own with no
 * hook: the rule's instruction count and line are left as its own code left
 * them. An error (out of memory) is raised again in the rule's thread. */
static void push_request_run(lua_State *L, const push_request *request)
{
    push_request rq = *request;
    lua_State *T = lua_newthread(L);
    lua_sethook(T, NULL, 0, 0);
    lua_pushcfunction(T, build);
    lua_pushlightuserdata(T, &rq);
    int status = lua_pcall(T, 1, 1, 0);
    lua_xmove(T, L, 1);
    lua_remove(L, -2); /* the thread */
    if (status != LUA_OK)
        lua_error(L);
}

/* Whether text (len bytes) holds needle. */
static bool holds(const char *text, size_t len, const char *needle, size_t nlen)
{
    return nlen == 0 || (len >= nlen && memmem(text, len, needle, nlen) != NULL);
}

/* Whether block i's text (as doc.blocks gives it) holds one of the n
 * strings on the stack from index first. Blocks are asked in order: *fill
 * and spliced are push_block_text's. The stack is left as it was. */
static bool block_holds(lua_State *L, const document *d, size_t i, size_t *fill, strbuf *spliced,
                        int first, int n)
{
    const struct md_text *t = d->text;
    const md_block *b = &t->blocks[i];
    int top = lua_gettop(L);
    const char *text = ""; /* a directive's */
    size_t len = 0;
    if (b->kind != MD_DIRECTIVE && *fill < t->nfills && t->fills[*fill].block == i) {
        push_block_text(L, d, i, fill, spliced);
        text = lua_tolstring(L, -1, &len);
    } else if (b->kind != MD_DIRECTIVE) {
        text = t->chars + b->text;
        len = b->len;
    }
    bool match = false;
    for (int k = 0; k < n && !match; k++) {
        size_t nlen;
        const char *needle = lua_tolstring(L, first + k, &nlen);
        match = holds(text, len, needle, nlen);
    }
    lua_settop(L, top);
    return match;
}

/* doc:contains(text): whether text (plain, not a pattern) is in the
 * document's title, a section's title or a block's text (as doc.blocks
 * gives it), without making its tables. */
static int doc_contains(lua_State *L)
{
    const document *d = document_of(L, 1);
    if (!d)
        return luaL_argerror(L, 1, "a document of site.documents, site.annexes or site.digest");
    size_t nlen;
    const char *needle = luaL_checklstring(L, 2, &nlen);
    lua_settop(L, 2);
    bool found = d->title && holds(d->title, strlen(d->title), needle, nlen);
    for (size_t i = 0; !found && i < d->sections.len; i++) {
        const char *title = ((const section *)d->sections.items[i])->title;
        found = title && holds(title, strlen(title), needle, nlen);
    }
    strbuf spliced;
    sb_init(&spliced);
    size_t fill = 0;
    for (size_t i = 0; !found && d->text && i < d->text->nblocks; i++)
        found = block_holds(L, d, i, &fill, &spliced, 2, 1);
    sb_free(&spliced);
    lua_pushboolean(L, found);
    return 1;
}

/* ---- a document's blocks: each made on its first read ----
 *
 * doc.blocks is a table of #blocks entries whose metatable makes block i
 * when it is first read (then kept in the table, so it stays the same
 * table); ipairs, # and pairs see every block. A rule that reads a few
 * blocks, those doc:find gives, makes only those. */

static int blocks_count(lua_State *L, int idx, const document **d)
{
    *d = document_of(L, idx);
    return *d && (*d)->text ? (int)(*d)->text->nblocks : 0;
}

static int blocks_index(lua_State *L)
{
    const document *d;
    lua_Integer n = blocks_count(L, 1, &d);
    int is_int;
    lua_Integer i = lua_tointegerx(L, 2, &is_int);
    if (!is_int || i < 1 || i > n)
        return 0;
    push_block(L, d, (size_t)i - 1);
    lua_pushvalue(L, -1);
    lua_rawseti(L, 1, i);
    return 1;
}

static int blocks_len(lua_State *L)
{
    const document *d;
    lua_pushinteger(L, blocks_count(L, 1, &d));
    return 1;
}

static int blocks_next(lua_State *L)
{
    const document *d;
    lua_Integer n = blocks_count(L, 1, &d);
    lua_Integer i = luaL_optinteger(L, 2, 0) + 1;
    if (i > n)
        return 0;
    lua_pushinteger(L, i);
    lua_geti(L, 1, i);
    return 2;
}

static int blocks_pairs(lua_State *L)
{
    lua_pushcfunction(L, blocks_next);
    lua_pushvalue(L, 1);
    lua_pushinteger(L, 0);
    return 3;
}

static void push_lazy_blocks(lua_State *L, const document *d)
{
    lua_createtable(L, d->text ? (int)d->text->nblocks : 0, 0);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &doc_of_key);
    lua_pushvalue(L, -2);
    lua_pushlightuserdata(L, (void *)d);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &blocks_meta_key);
    lua_setmetatable(L, -2);
}

/* doc:find(text, ...): the indices of the blocks whose text (as doc.blocks
 * gives it) holds one of the texts (plain, not patterns), in order, without
 * making the others. */
static int doc_find(lua_State *L)
{
    const document *d = document_of(L, 1);
    if (!d)
        return luaL_argerror(L, 1, "a document of site.documents, site.annexes or site.digest");
    int nneedles = lua_gettop(L) - 1;
    luaL_argcheck(L, nneedles > 0, 2, "a text to find");
    for (int k = 0; k < nneedles; k++)
        luaL_checkstring(L, 2 + k);
    lua_newtable(L);
    int result = lua_gettop(L);
    strbuf spliced;
    sb_init(&spliced);
    size_t fill = 0;
    lua_Integer found = 0;
    for (size_t i = 0; d->text && i < d->text->nblocks; i++) {
        if (block_holds(L, d, i, &fill, &spliced, 2, nneedles)) {
            lua_pushinteger(L, (lua_Integer)i + 1);
            lua_rawseti(L, result, ++found);
        }
    }
    sb_free(&spliced);
    return 1;
}

/* The documents' __index: a part on its first read (then kept in the table),
 * or the methods contains and find. */
static int doc_index(lua_State *L)
{
    size_t len;
    const char *key = lua_type(L, 2) == LUA_TSTRING ? lua_tolstring(L, 2, &len) : NULL;
    if (!key)
        return 0;
    if (strcmp(key, "contains") == 0 || strcmp(key, "find") == 0) {
        lua_pushcfunction(L, key[0] == 'c' ? doc_contains : doc_find);
        return 1;
    }
    word part = strcmp(key, "sections") == 0 ? W_SECTIONS
                : strcmp(key, "blocks") == 0 ? W_BLOCKS
                : strcmp(key, "links") == 0  ? W_LINKS
                                             : W_COUNT;
    const document *d = part != W_COUNT ? document_of(L, 1) : NULL;
    if (!d)
        return 0;
    if (part == W_BLOCKS) {
        push_lazy_blocks(L, d);
    } else {
        sandbox_note_line(L); /* should the host's code crash or hang */
        push_request_run(L, &(push_request){NULL, NULL, d, part});
    }
    lua_pushvalue(L, 2);
    lua_pushvalue(L, -2);
    lua_rawset(L, 1);
    return 1;
}

/* The registry's entries for documents, made once a state. */
static void install(lua_State *L)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &doc_meta_key) == LUA_TTABLE) {
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, doc_index);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "document");
    lua_setfield(L, -2, "__metatable");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &doc_meta_key);
    static const luaL_Reg blocks_meta[] = {
        {"__index", blocks_index},
        {"__len", blocks_len},
        {"__pairs", blocks_pairs},
        {NULL, NULL},
    };
    luaL_newlib(L, blocks_meta);
    lua_pushliteral(L, "blocks");
    lua_setfield(L, -2, "__metatable");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &blocks_meta_key);
    lua_createtable(L, 0, 0);
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &doc_of_key);
}

static void push_chapters(lua_State *L, void *ctx)
{
    check_documents *docs = ctx;
    install(L);
    push_request_run(L, &(push_request){docs, &docs->s->chapters, NULL, W_COUNT});
}

static void push_annexes(lua_State *L, void *ctx)
{
    check_documents *docs = ctx;
    install(L);
    push_request_run(L, &(push_request){docs, &docs->s->annexes, NULL, W_COUNT});
}

/* site.digest: digest.md as one document (kind "digest"), or nil. */
static void push_digest(lua_State *L, void *ctx)
{
    check_documents *docs = ctx;
    install(L);
    if (!docs->s->digest)
        lua_pushnil(L);
    else
        push_request_run(L, &(push_request){docs, NULL, docs->s->digest, W_COUNT});
}

static bool text_has_line(const document *d, int line)
{
    if (line == 1)
        return true;
    for (size_t i = 0; i < d->sections.len; i++)
        if (((const section *)d->sections.items[i])->pos.line == line)
            return true;
    for (size_t i = 0; d->text && i < d->text->nblocks; i++)
        if (d->text->blocks[i].line == line)
            return true;
    for (size_t i = 0; i < d->links.len; i++)
        if (((const doc_link *)d->links.items[i])->line == line)
            return true;
    return false;
}

bool check_documents_has_place(const check_documents *docs, const char *path, int line)
{
    const vec *lists[] = {&docs->s->chapters, &docs->s->annexes};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < lists[k]->len; i++) {
            const document *d = lists[k]->items[i];
            if (strcmp(d->path, path) == 0 && text_has_line(d, line))
                return true;
        }
    const document *digest = docs->s->digest;
    return digest && strcmp(digest->path, path) == 0 && text_has_line(digest, line);
}

rules_lazy check_documents_chapters(check_documents *docs)
{
    return (rules_lazy){"documents", push_chapters, docs};
}

rules_lazy check_documents_annexes(check_documents *docs)
{
    return (rules_lazy){"annexes", push_annexes, docs};
}

rules_lazy check_documents_digest(check_documents *docs)
{
    return (rules_lazy){"digest", push_digest, docs};
}

/* RTLD_NEXT */
#define _GNU_SOURCE
#include "markdown/markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <dlfcn.h>
#include <cmark-gfm.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/xalloc.h"

#define EXTENSIONS 4
static const char *const EXTENSION_NAMES[EXTENSIONS] = {"table", "strikethrough", "autolink",
                                                        "tagfilter"};
static pthread_once_t extensions_once = PTHREAD_ONCE_INIT;
static cmark_llist *extension_list;

/* cmark-gfm 0.29 keeps its table of special inline characters in a global:
 * finishing a parse (the inline pass) adds the extensions' characters, such
 * as strikethrough's '~', by calling cmark_manage_extensions_special_characters,
 * and removes them the same way when done, so two passes at once could let
 * one parse without '~'. This file defines a function of that name, which
 * cmark-gfm calls instead of its own (through its procedure linkage table,
 * like any exported function): the characters are made special once, for
 * good, by cmark-gfm's own function, and the passes neither add nor remove
 * them, so they run side by side. Should cmark-gfm call its own function
 * after all (checked once, below), the passes take turns under a lock. */
typedef void manage_fn(cmark_parser *parser, int add);
static manage_fn *own_manage; /* cmark-gfm's */
static bool passes_side_by_side;
static pthread_mutex_t inline_pass_lock = PTHREAD_MUTEX_INITIALIZER;

void cmark_manage_extensions_special_characters(cmark_parser *parser, int add)
{
    if (!passes_side_by_side)
        own_manage(parser, add);
}

static cmark_parser *new_parser(cmark_mem *mem)
{
    /* No CMARK_OPT_UNSAFE: raw HTML never reaches the output. */
    cmark_parser *parser = cmark_parser_new_with_mem(CMARK_OPT_FOOTNOTES, mem);
    for (cmark_llist *e = extension_list; e; e = e->next)
        cmark_parser_attach_syntax_extension(parser, e->data);
    return parser;
}

static cmark_node *parse(const char *text, size_t len, cmark_mem *mem)
{
    cmark_parser *parser = new_parser(mem);
    cmark_parser_feed(parser, text, len);
    if (!passes_side_by_side)
        pthread_mutex_lock(&inline_pass_lock);
    cmark_node *root = cmark_parser_finish(parser);
    if (!passes_side_by_side)
        pthread_mutex_unlock(&inline_pass_lock);
    cmark_parser_free(parser);
    return root;
}

/* Whether "~~a~~" parses with a strikethrough. */
static bool strikes(void)
{
    cmark_node *root = parse("~~a~~\n", 6, cmark_get_default_mem_allocator());
    cmark_node *p = cmark_node_first_child(root);
    cmark_node *s = p ? cmark_node_first_child(p) : NULL;
    bool struck = s && strcmp(cmark_node_get_type_string(s), "strikethrough") == 0;
    cmark_node_free(root);
    return struck;
}

static void register_extensions(void)
{
    cmark_gfm_core_extensions_ensure_registered();
    cmark_mem *mem = cmark_get_default_mem_allocator();
    for (size_t i = 0; i < EXTENSIONS; i++)
        extension_list = cmark_llist_append(mem, extension_list,
                                            cmark_find_syntax_extension(EXTENSION_NAMES[i]));
    own_manage = (manage_fn *)dlsym(RTLD_NEXT, "cmark_manage_extensions_special_characters");
    if (!own_manage) {
        fprintf(stderr, "policygen: cmark-gfm has no cmark_manage_extensions_special_characters\n");
        abort();
    }
    /* With the characters not special, a parse that calls the function here
     * strikes nothing; one that calls cmark-gfm's own strikes. */
    passes_side_by_side = true;
    cmark_parser *parser = new_parser(mem);
    own_manage(parser, 0);
    bool here = !strikes();
    own_manage(parser, 1);
    cmark_parser_free(parser);
    passes_side_by_side = here && strikes();
}

cmark_llist *md_extensions(void)
{
    pthread_once(&extensions_once, register_extensions);
    return extension_list;
}

cmark_node *md_parse(const char *text, size_t len)
{
    return md_parse_with(text, len, cmark_get_default_mem_allocator());
}

cmark_node *md_parse_with(const char *text, size_t len, cmark_mem *mem)
{
    pthread_once(&extensions_once, register_extensions);
    return parse(text, len, mem);
}

/* ---- numerals ---- */

static const char *const FORMAL_DIGITS[] = {"", "壹", "貳", "參", "肆", "伍",
                                            "陸", "柒", "捌", "玖"};
static const char *const COMMON_DIGITS[] = {"", "一", "二", "三", "四", "五",
                                            "六", "七", "八", "九"};

/* Official documents write 10 as 壹拾 and 17 as 壹拾柒, while the common
 * numerals write 十 and 十七. */
static void numeral(int n, char *buf, size_t size, const char *const *digits, const char *ten,
                    const char *hundred, bool formal)
{
    strbuf sb;
    sb_init(&sb);
    if (n <= 0 || n >= 1000) {
        sb_printf(&sb, "%d", n);
    } else {
        int h = n / 100, t = (n / 10) % 10, u = n % 10;
        if (h)
            sb_printf(&sb, "%s%s", digits[h], hundred);
        if (t) {
            if (t > 1 || formal || h)
                sb_append(&sb, digits[t]);
            sb_append(&sb, ten);
        } else if (h && u) {
            sb_append(&sb, "零");
        }
        if (u)
            sb_append(&sb, digits[u]);
    }
    snprintf(buf, size, "%s", sb.data);
    sb_free(&sb);
}

void md_formal_numeral(int n, char *buf, size_t size)
{
    numeral(n, buf, size, FORMAL_DIGITS, "拾", "佰", true);
}

void md_common_numeral(int n, char *buf, size_t size)
{
    numeral(n, buf, size, COMMON_DIGITS, "十", "百", false);
}

/* ---- text and ids ---- */

static void plain_text(cmark_node *node, strbuf *out)
{
    for (cmark_node *c = cmark_node_first_child(node); c; c = cmark_node_next(c)) {
        switch (cmark_node_get_type(c)) {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
            sb_append(out, cmark_node_get_literal(c));
            break;
        case CMARK_NODE_SOFTBREAK:
        case CMARK_NODE_LINEBREAK:
            sb_appendc(out, ' ');
            break;
        case CMARK_NODE_FOOTNOTE_REFERENCE:
            break;
        default:
            plain_text(c, out);
        }
    }
}

char *md_plain_text(cmark_node *node)
{
    strbuf sb;
    sb_init(&sb);
    plain_text(node, &sb);
    return sb_take(&sb);
}

void md_settle(cmark_node *root)
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
        case CMARK_NODE_HTML_INLINE:
        case CMARK_NODE_HTML_BLOCK:
        case CMARK_NODE_FOOTNOTE_REFERENCE:
            cmark_node_get_literal(n);
            break;
        case CMARK_NODE_CODE_BLOCK:
            cmark_node_get_literal(n);
            cmark_node_get_fence_info(n);
            break;
        case CMARK_NODE_LINK:
        case CMARK_NODE_IMAGE:
            cmark_node_get_url(n);
            cmark_node_get_title(n);
            break;
        default:
            break;
        }
    }
    cmark_iter_free(it);
}

/* Removes a trailing "{#id}" from a heading and returns the id (or NULL). */
static char *take_explicit_id(cmark_node *heading)
{
    cmark_node *last = cmark_node_last_child(heading);
    if (!last || cmark_node_get_type(last) != CMARK_NODE_TEXT)
        return NULL;
    const char *text = cmark_node_get_literal(last);
    size_t len = strlen(text);
    while (len && text[len - 1] == ' ')
        len--;
    if (len < 4 || text[len - 1] != '}')
        return NULL;
    const char *open = NULL;
    for (size_t i = len; i-- > 0;) {
        if (text[i] == '{') {
            open = text + i;
            break;
        }
    }
    if (!open || open[1] != '#')
        return NULL;
    const char *id_start = open + 2;
    size_t id_len = (size_t)(text + len - 1 - id_start);
    if (!id_len)
        return NULL;
    for (size_t i = 0; i < id_len; i++) {
        char c = id_start[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return NULL;
    }
    char *id = xstrndup(id_start, id_len);
    size_t keep = (size_t)(open - text);
    while (keep && text[keep - 1] == ' ')
        keep--;
    char *rest = xstrndup(text, keep);
    cmark_node_set_literal(last, rest);
    free(rest);
    return id;
}

/* A stable id from the heading text: ASCII lower-cased, spaces and ASCII
 * punctuation become '-', other characters (Chinese) are kept. */
static char *derive_id(const char *title)
{
    strbuf sb;
    sb_init(&sb);
    for (const unsigned char *p = (const unsigned char *)title; *p; p++) {
        unsigned char c = *p;
        if (c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '_') {
            sb_appendc(&sb, (char)c);
        } else if (c >= 'A' && c <= 'Z') {
            sb_appendc(&sb, (char)(c - 'A' + 'a'));
        } else if (sb.len && sb.data[sb.len - 1] != '-') {
            sb_appendc(&sb, '-');
        }
    }
    while (sb.len && sb.data[sb.len - 1] == '-')
        sb.data[--sb.len] = '\0';
    if (!sb.len)
        sb_append(&sb, "section");
    return sb_take(&sb);
}

/* ---- numbering ---- */

static char *heading_label(numbering scheme, document_kind kind, int level, const int *counters)
{
    char num[64];
    int n = counters[level];
    if (scheme == NUMBERING_NONE || kind != DOCUMENT_CHAPTER)
        return xstrdup("");
    if (scheme == NUMBERING_DECIMAL) {
        strbuf sb;
        sb_init(&sb);
        for (int l = 1; l <= level; l++)
            sb_printf(&sb, l > 1 ? ".%d" : "%d", counters[l]);
        return sb_take(&sb);
    }
    switch (level) {
    case 1: md_formal_numeral(n, num, sizeof num); return xasprintf("%s、", num);
    case 2: md_common_numeral(n, num, sizeof num); return xasprintf("%s、", num);
    case 3: md_common_numeral(n, num, sizeof num); return xasprintf("(%s)", num);
    case 4: return xasprintf("%d.", n);
    case 5: return xasprintf("(%d)", n);
    default: return xasprintf("%c.", n >= 1 && n <= 26 ? 'A' + n - 1 : '?');
    }
}

static section *new_section(document *d, int level, char *id, char *label, char *title,
                            srcpos pos)
{
    section *s = xcalloc(1, sizeof *s);
    s->doc = d;
    s->index = (int)d->sections.len;
    s->level = level;
    s->id = id;
    s->label = label;
    s->title = title;
    s->pos = pos;
    return s;
}

/* Calls fn for every heading of the tree in document order. Headings are
 * blocks, so only containers of blocks are entered, not the many inline
 * nodes (cmark_iter would visit every one). */
static void each_heading(cmark_node *parent, void (*fn)(void *ctx, cmark_node *heading),
                         void *ctx)
{
    for (cmark_node *n = cmark_node_first_child(parent); n; n = cmark_node_next(n)) {
        switch (cmark_node_get_type(n)) {
        case CMARK_NODE_HEADING: fn(ctx, n); break;
        case CMARK_NODE_BLOCK_QUOTE:
        case CMARK_NODE_LIST:
        case CMARK_NODE_ITEM:
        case CMARK_NODE_FOOTNOTE_DEFINITION: each_heading(n, fn, ctx); break;
        default: break;
        }
    }
}

typedef struct numbering_state {
    document *d;
    numbering scheme;
    int counters[7];
    section *chain[7];
    map ids; /* id -> section*, for uniqueness */
    diag_sink *diags;
} numbering_state;

static void number_heading(void *ctx, cmark_node *node)
{
    numbering_state *st = ctx;
    document *d = st->d;
    int *counters = st->counters;
    section **chain = st->chain;
    srcpos pos = {d->path, cmark_node_get_start_line(node) + d->body_line - 1,
                  cmark_node_get_start_column(node)};
    int level = cmark_node_get_heading_level(node);
    if (level == 1) {
        diag_warning(st->diags, pos, "heading-level",
                     "'#' headings repeat the chapter title; use '##' for the first level "
                     "(numbered as level 2)");
        level = 2;
    }
    if (level > 2 && !chain[level - 1])
        diag_warning(st->diags, pos, "heading-level", "heading skips from level %d to %d",
                     chain[level - 2] ? level - 2 : 1, level);
    counters[level]++;
    for (int l = level + 1; l < 7; l++) {
        counters[l] = 0;
        chain[l] = NULL;
    }
    char *explicit_id = take_explicit_id(node);
    char *title = md_plain_text(node);
    char *id = explicit_id ? explicit_id : derive_id(title);
    section *prev = map_get(&st->ids, id);
    if (prev && explicit_id) {
        diag_error(st->diags, pos, "duplicate-id", "heading id '%s' is already defined at %s:%d",
                   id, prev->pos.path, prev->pos.line);
    } else if (prev) {
        for (int k = 2;; k++) { /* derived ids get a counter instead */
            char *alt = xasprintf("%s-%d", id, k);
            if (!map_has(&st->ids, alt)) {
                free(id);
                id = alt;
                break;
            }
            free(alt);
        }
    }
    section *s = new_section(d, level, id, heading_label(st->scheme, d->kind, level, counters),
                             title, pos);
    strbuf full;
    sb_init(&full);
    for (int l = 1; l < level; l++)
        if (chain[l] && st->scheme != NUMBERING_DECIMAL)
            sb_append(&full, chain[l]->label);
    sb_append(&full, s->label);
    s->full_label = sb_take(&full);
    chain[level] = s;
    if (!map_has(&st->ids, id))
        map_set(&st->ids, id, s);
    vec_push(&d->sections, s);
    cmark_node_set_user_data(node, s);
}

static void number_document(document *d, cmark_node *root, numbering scheme, diag_sink *diags)
{
    numbering_state st = {.d = d, .scheme = scheme, .diags = diags};
    st.counters[1] = d->number;
    map_init(&st.ids, NULL);
    section *top = new_section(d, 1, xstrdup(d->id), heading_label(scheme, d->kind, 1, st.counters),
                               xstrdup(d->title), (srcpos){d->path, 1, 1});
    top->full_label = xstrdup(top->label);
    vec_push(&d->sections, top);
    st.chain[1] = top;
    /* The chapter's own id names the page, not an anchor in it: a heading
     * may use the same id. */
    each_heading(root, number_heading, &st);
    map_free(&st.ids);
}

/* A tree parsed again: the same headings in the same order, each given its
 * section (and its "{#id}" taken off again, without the diagnostics). */
typedef struct attach_state {
    const document *d;
    size_t next;          /* the section of the next heading */
    cmark_node **headings; /* by section index */
} attach_state;

static void attach_heading(void *ctx, cmark_node *node)
{
    attach_state *st = ctx;
    free(take_explicit_id(node));
    if (st->next >= st->d->sections.len)
        return; /* cannot happen: the same text gives the same headings */
    section *s = st->d->sections.items[st->next++];
    cmark_node_set_user_data(node, s);
    st->headings[s->index] = node;
}

void md_attach_headings(const document *d, cmark_node *root, cmark_node **headings)
{
    attach_state st = {d, 1, headings};
    each_heading(root, attach_heading, &st);
}

static int count_footnotes(cmark_node *root)
{
    int n = 0;
    for (cmark_node *c = cmark_node_first_child(root); c; c = cmark_node_next(c))
        if (cmark_node_get_type(c) == CMARK_NODE_FOOTNOTE_DEFINITION)
            n++;
    return n;
}

void md_number_document(document *d, cmark_node *root, numbering scheme, diag_sink *diags)
{
    number_document(d, root, scheme, diags);
    d->footnote_count = count_footnotes(root);
}

void md_number_footnotes(site *s)
{
    /* The plan numbers its footnotes across chapters, as the seed does;
     * annexes and the digest number their own from 1. */
    int footnotes = 0;
    for (size_t i = 0; i < s->chapters.len; i++) {
        document *d = s->chapters.items[i];
        d->footnote_base = footnotes;
        footnotes += d->footnote_count;
    }
}


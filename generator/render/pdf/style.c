#include "render/pdf/style.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/fs.h"
#include "core/xalloc.h"
#include "diag/diag.h"
#include "yaml/yaml.h"

#define MM (72.0 / 25.4)

void pdf_style_defaults(pdf_style *st)
{
    memset(st, 0, sizeof *st);
    st->page_width = 210 * MM;
    st->page_height = 297 * MM;
    st->margin_top = 25 * MM;
    st->margin_bottom = 22 * MM;
    st->margin_left = 25 * MM;
    st->margin_right = 20 * MM;
    st->header_offset = 14 * MM;
    st->footer_offset = 11 * MM;
    st->body_font = xstrdup("Noto Serif CJK TC");
    st->heading_font = xstrdup("Noto Sans CJK TC");
    st->mono_font = xstrdup("Noto Sans Mono CJK TC");
    st->size = 12;
    st->line_height = 1.6;
    st->paragraph_space = 4;
    st->first_line_indent = 0;
    st->justify = true;
    st->max_gap = 0.25;
    st->compress_punctuation = true;
    st->widows = 2;
    st->orphans = 2;
    static const pdf_heading_style headings[PDF_HEADING_LEVELS] = {
        {17, true, true, false, 18, 8},
        {14, true, true, false, 12, 4},
        {12.5, true, true, false, 8, 2},
        {12, true, false, false, 6, 2},
        {12, true, false, false, 4, 1},
        {12, true, false, false, 4, 1},
    };
    memcpy(st->heading, headings, sizeof headings);
    static const double indent[PDF_HEADING_LEVELS + 1] = {0, 0, 2, 4, 5.5, 7, 8.5};
    memcpy(st->indent, indent, sizeof indent);
    st->chapter_new_page = false;
    st->list_marker_gap = 0.25;
    st->list_space = 1;
    st->table_size = 10.5;
    st->table_line_height = 1.4;
    st->table_padding = 3.5;
    st->table_rule = 0.6;
    st->table_header_fill = (pdf_rgb){0.9, 0.9, 0.9};
    st->table_full_width = true;
    st->footnote_size = 9;
    st->footnote_line_height = 1.4;
    st->footnote_rule = 0.5;
    st->footnote_gap = 8;
    st->header_size = 9;
    st->header_rule = 0.4;
    st->toc_depth = 2;
    st->toc_title = xstrdup("目　錄");
    st->cover_org_size = 22;
    st->cover_title_size = 30;
    st->cover_box_width = 45 * MM;
    st->cover_box_height = 36 * MM;
    st->form_row_height = 9 * MM;
    st->form_sign_width = 55 * MM;
    st->form_sign_height = 25 * MM;
    st->text_color = (pdf_rgb){0, 0, 0};
    st->link_color = (pdf_rgb){0, 0, 0};
    st->rule_color = (pdf_rgb){0, 0, 0};
}

void pdf_style_free(pdf_style *st)
{
    free(st->body_font);
    free(st->heading_font);
    free(st->mono_font);
    free(st->toc_title);
    memset(st, 0, sizeof *st);
}

/* ---- value readers: each warns at the node's place and returns false ---- */

static bool bad(const ynode *n, const char *what, diag_sink *diags)
{
    diag_warning(diags, ynode_pos(n), "pdf-style", "expected %s; the default is kept", what);
    return false;
}

static bool read_length(const ynode *n, double *out, diag_sink *diags)
{
    const char *s = ynode_str(n);
    if (!s || !*s)
        return bad(n, "a length such as 25mm, 12pt, 2cm or 1in", diags);
    char *end;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v) || v < 0)
        return bad(n, "a length such as 25mm, 12pt, 2cm or 1in", diags);
    while (*end == ' ')
        end++;
    double unit;
    if (!*end || strcmp(end, "pt") == 0)
        unit = 1;
    else if (strcmp(end, "mm") == 0)
        unit = MM;
    else if (strcmp(end, "cm") == 0)
        unit = 10 * MM;
    else if (strcmp(end, "in") == 0)
        unit = 72;
    else
        return bad(n, "a length such as 25mm, 12pt, 2cm or 1in", diags);
    *out = v * unit;
    return true;
}

static bool read_number(const ynode *n, double *out, double lo, double hi, diag_sink *diags)
{
    double v;
    if (!ynode_as_double(n, &v) || v < lo || v > hi) {
        char what[96];
        snprintf(what, sizeof what, "a number from %g to %g", lo, hi);
        return bad(n, what, diags);
    }
    *out = v;
    return true;
}

static bool read_int(const ynode *n, int *out, int lo, int hi, diag_sink *diags)
{
    long v;
    if (!ynode_as_long(n, &v) || v < lo || v > hi) {
        char what[96];
        snprintf(what, sizeof what, "a whole number from %d to %d", lo, hi);
        return bad(n, what, diags);
    }
    *out = (int)v;
    return true;
}

static bool read_bool(const ynode *n, bool *out, diag_sink *diags)
{
    return ynode_as_bool(n, out) || bad(n, "true or false", diags);
}

static bool read_string(const ynode *n, char **out, diag_sink *diags)
{
    const char *s = ynode_str(n);
    if (!s || !*s)
        return bad(n, "a name", diags);
    free(*out);
    *out = xstrdup(s);
    return true;
}

static int hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool read_color(const ynode *n, pdf_rgb *out, diag_sink *diags)
{
    const char *s = ynode_str(n);
    if (!s || strlen(s) != 7 || s[0] != '#')
        return bad(n, "a colour as #rrggbb", diags);
    int v[6];
    for (int i = 0; i < 6; i++)
        if ((v[i] = hex(s[i + 1])) < 0)
            return bad(n, "a colour as #rrggbb", diags);
    out->r = (v[0] * 16 + v[1]) / 255.0;
    out->g = (v[2] * 16 + v[3]) / 255.0;
    out->b = (v[4] * 16 + v[5]) / 255.0;
    return true;
}

static bool read_page_size(const ynode *n, pdf_style *st, diag_sink *diags)
{
    static const struct {
        const char *name;
        double w, h; /* mm */
    } sizes[] = {{"A3", 297, 420}, {"A4", 210, 297}, {"A5", 148, 210},
                 {"B4", 257, 364}, {"B5", 182, 257}, /* JIS B, as Taiwanese offices use */
                 {"Letter", 215.9, 279.4}, {"Legal", 215.9, 355.6}};
    if (n->kind == YNODE_SCALAR) {
        for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
            if (strcasecmp(n->text, sizes[i].name) == 0) {
                st->page_width = sizes[i].w * MM;
                st->page_height = sizes[i].h * MM;
                return true;
            }
        }
    } else if (n->kind == YNODE_SEQ && n->len == 2) {
        double w, h;
        if (read_length(n->items[0], &w, diags) && read_length(n->items[1], &h, diags) && w >= 72 &&
            h >= 72) {
            st->page_width = w < h ? w : h;
            st->page_height = w < h ? h : w;
            return true;
        }
        return false;
    }
    return bad(n, "A4, A3, A5, B4, B5, Letter, Legal or [width, height]", diags);
}

/* ---- the schema ---- */

typedef enum key_type {
    K_LENGTH,
    K_NUMBER, /* with lo/hi */
    K_INT,
    K_BOOL,
    K_STRING,
    K_COLOR,
} key_type;

typedef struct key_spec {
    const char *name;
    key_type type;
    size_t offset;
    double lo, hi;
} key_spec;

#define F(m) offsetof(pdf_style, m)

static bool read_key(const key_spec *k, const ynode *v, pdf_style *st, diag_sink *diags)
{
    char *p = (char *)st + k->offset;
    switch (k->type) {
    case K_LENGTH: return read_length(v, (double *)p, diags);
    case K_NUMBER: return read_number(v, (double *)p, k->lo, k->hi, diags);
    case K_INT: return read_int(v, (int *)p, (int)k->lo, (int)k->hi, diags);
    case K_BOOL: return read_bool(v, (bool *)p, diags);
    case K_STRING: return read_string(v, (char **)p, diags);
    case K_COLOR: return read_color(v, (pdf_rgb *)p, diags);
    }
    return false;
}

static void unknown_key(const ynode *key, const char *section, diag_sink *diags)
{
    diag_warning(diags, ynode_pos(key), "pdf-style", "unknown key '%s' in %s", key->text, section);
}

/* Reads a mapping of simple keys; the keys in `special` are skipped (the
 * caller reads them). */
static void read_section(const ynode *map, const char *section, const key_spec *keys, size_t nkeys,
                         const char *const *special, pdf_style *st, diag_sink *diags)
{
    if (map->kind != YNODE_MAP) {
        bad(map, "a mapping", diags);
        return;
    }
    for (size_t i = 0; i < map->len; i++) {
        const char *name = map->keys[i]->text;
        bool done = false;
        for (size_t k = 0; k < nkeys && !done; k++) {
            if (strcmp(keys[k].name, name) == 0) {
                read_key(&keys[k], map->items[i], st, diags);
                done = true;
            }
        }
        for (size_t k = 0; special && special[k] && !done; k++)
            done = strcmp(special[k], name) == 0;
        if (!done)
            unknown_key(map->keys[i], section, diags);
    }
}

static const key_spec PAGE_KEYS[] = {
    {"header", K_LENGTH, F(header_offset), 0, 0},
    {"footer", K_LENGTH, F(footer_offset), 0, 0},
};
static const key_spec MARGIN_KEYS[] = {
    {"top", K_LENGTH, F(margin_top), 0, 0},
    {"bottom", K_LENGTH, F(margin_bottom), 0, 0},
    {"left", K_LENGTH, F(margin_left), 0, 0},
    {"right", K_LENGTH, F(margin_right), 0, 0},
};
static const key_spec FONT_KEYS[] = {
    {"body", K_STRING, F(body_font), 0, 0},
    {"heading", K_STRING, F(heading_font), 0, 0},
    {"mono", K_STRING, F(mono_font), 0, 0},
};
static const key_spec TEXT_KEYS[] = {
    {"size", K_LENGTH, F(size), 0, 0},
    {"line_height", K_NUMBER, F(line_height), 1, 3},
    {"paragraph_space", K_LENGTH, F(paragraph_space), 0, 0},
    {"first_line_indent", K_NUMBER, F(first_line_indent), 0, 10},
    {"justify", K_BOOL, F(justify), 0, 0},
    {"max_gap", K_NUMBER, F(max_gap), 0, 2},
    {"compress_punctuation", K_BOOL, F(compress_punctuation), 0, 0},
    {"widows", K_INT, F(widows), 1, 5},
    {"orphans", K_INT, F(orphans), 1, 5},
};
static const key_spec CHAPTER_KEYS[] = {
    {"new_page", K_BOOL, F(chapter_new_page), 0, 0},
};
static const key_spec LIST_KEYS[] = {
    {"marker_gap", K_NUMBER, F(list_marker_gap), 0, 3},
    {"item_space", K_LENGTH, F(list_space), 0, 0},
};
static const key_spec TABLE_KEYS[] = {
    {"size", K_LENGTH, F(table_size), 0, 0},
    {"line_height", K_NUMBER, F(table_line_height), 1, 3},
    {"padding", K_LENGTH, F(table_padding), 0, 0},
    {"rule", K_LENGTH, F(table_rule), 0, 0},
    {"header_fill", K_COLOR, F(table_header_fill), 0, 0},
    {"full_width", K_BOOL, F(table_full_width), 0, 0},
};
static const key_spec FOOTNOTE_KEYS[] = {
    {"size", K_LENGTH, F(footnote_size), 0, 0},
    {"line_height", K_NUMBER, F(footnote_line_height), 1, 3},
    {"rule", K_LENGTH, F(footnote_rule), 0, 0},
    {"gap", K_LENGTH, F(footnote_gap), 0, 0},
};
static const key_spec HEADER_KEYS[] = {
    {"size", K_LENGTH, F(header_size), 0, 0},
    {"rule", K_LENGTH, F(header_rule), 0, 0},
};
static const key_spec TOC_KEYS[] = {
    {"depth", K_INT, F(toc_depth), 1, 6},
    {"title", K_STRING, F(toc_title), 0, 0},
};
static const key_spec COVER_KEYS[] = {
    {"organization_size", K_LENGTH, F(cover_org_size), 0, 0},
    {"title_size", K_LENGTH, F(cover_title_size), 0, 0},
    {"box_width", K_LENGTH, F(cover_box_width), 0, 0},
    {"box_height", K_LENGTH, F(cover_box_height), 0, 0},
};
static const key_spec FORM_KEYS[] = {
    {"row_height", K_LENGTH, F(form_row_height), 0, 0},
    {"signature_width", K_LENGTH, F(form_sign_width), 0, 0},
    {"signature_height", K_LENGTH, F(form_sign_height), 0, 0},
};
static const key_spec COLOR_KEYS[] = {
    {"text", K_COLOR, F(text_color), 0, 0},
    {"link", K_COLOR, F(link_color), 0, 0},
    {"rule", K_COLOR, F(rule_color), 0, 0},
};

#define SECTION(map, name, keys, special, st, diags)                                               \
    read_section(map, name, keys, sizeof keys / sizeof *keys, special, st, diags)

static void read_headings(const ynode *seq, pdf_style *st, diag_sink *diags)
{
    if (seq->kind != YNODE_SEQ || seq->len > PDF_HEADING_LEVELS) {
        bad(seq, "a list of up to 6 heading styles (levels 1 to 6)", diags);
        return;
    }
    for (size_t i = 0; i < seq->len; i++) {
        const ynode *m = seq->items[i];
        pdf_heading_style *h = &st->heading[i];
        if (m->kind != YNODE_MAP) {
            bad(m, "a mapping (size, font, bold, center, space_before, space_after)", diags);
            continue;
        }
        for (size_t k = 0; k < m->len; k++) {
            const char *name = m->keys[k]->text;
            const ynode *v = m->items[k];
            if (strcmp(name, "size") == 0) {
                read_length(v, &h->size, diags);
            } else if (strcmp(name, "font") == 0) {
                const char *s = ynode_str(v);
                if (s && (strcmp(s, "heading") == 0 || strcmp(s, "body") == 0))
                    h->sans = strcmp(s, "heading") == 0;
                else
                    bad(v, "heading or body", diags);
            } else if (strcmp(name, "bold") == 0) {
                read_bool(v, &h->bold, diags);
            } else if (strcmp(name, "center") == 0) {
                read_bool(v, &h->center, diags);
            } else if (strcmp(name, "space_before") == 0) {
                read_length(v, &h->space_before, diags);
            } else if (strcmp(name, "space_after") == 0) {
                read_length(v, &h->space_after, diags);
            } else {
                unknown_key(m->keys[k], "a heading style", diags);
            }
        }
    }
}

static void read_indent(const ynode *seq, pdf_style *st, diag_sink *diags)
{
    if (seq->kind != YNODE_SEQ || seq->len > PDF_HEADING_LEVELS + 1) {
        bad(seq, "a list of up to 7 indents in em (before any heading, then levels 1 to 6)", diags);
        return;
    }
    for (size_t i = 0; i < seq->len; i++)
        read_number(seq->items[i], &st->indent[i], 0, 40, diags);
}

static void read_page(const ynode *map, pdf_style *st, diag_sink *diags)
{
    static const char *const special[] = {"size", "margin", NULL};
    SECTION(map, "page", PAGE_KEYS, special, st, diags);
    if (map->kind != YNODE_MAP)
        return;
    const ynode *size = ynode_get(map, "size");
    if (size)
        read_page_size(size, st, diags);
    const ynode *margin = ynode_get(map, "margin");
    if (margin && margin->kind == YNODE_SCALAR) {
        double m;
        if (read_length(margin, &m, diags))
            st->margin_top = st->margin_bottom = st->margin_left = st->margin_right = m;
    } else if (margin) {
        SECTION(margin, "page.margin", MARGIN_KEYS, NULL, st, diags);
    }
}

bool pdf_style_load(pdf_style *st, const char *path, diag_sink *diags)
{
    if (!fs_is_file(path))
        return true;
    ydoc *doc = yaml_load_file(path, NULL, diags);
    if (!doc)
        return false;
    const ynode *root = doc->root;
    if (root && root->kind != YNODE_MAP) {
        bad(root, "a mapping of sections (page, fonts, text, headings, ...)", diags);
        root = NULL;
    }
    for (size_t i = 0; root && i < root->len; i++) {
        const char *name = root->keys[i]->text;
        const ynode *v = root->items[i];
        if (strcmp(name, "page") == 0)
            read_page(v, st, diags);
        else if (strcmp(name, "fonts") == 0)
            SECTION(v, "fonts", FONT_KEYS, NULL, st, diags);
        else if (strcmp(name, "text") == 0)
            SECTION(v, "text", TEXT_KEYS, NULL, st, diags);
        else if (strcmp(name, "headings") == 0)
            read_headings(v, st, diags);
        else if (strcmp(name, "indent") == 0)
            read_indent(v, st, diags);
        else if (strcmp(name, "chapters") == 0)
            SECTION(v, "chapters", CHAPTER_KEYS, NULL, st, diags);
        else if (strcmp(name, "lists") == 0)
            SECTION(v, "lists", LIST_KEYS, NULL, st, diags);
        else if (strcmp(name, "tables") == 0)
            SECTION(v, "tables", TABLE_KEYS, NULL, st, diags);
        else if (strcmp(name, "footnotes") == 0)
            SECTION(v, "footnotes", FOOTNOTE_KEYS, NULL, st, diags);
        else if (strcmp(name, "header") == 0)
            SECTION(v, "header", HEADER_KEYS, NULL, st, diags);
        else if (strcmp(name, "toc") == 0)
            SECTION(v, "toc", TOC_KEYS, NULL, st, diags);
        else if (strcmp(name, "cover") == 0)
            SECTION(v, "cover", COVER_KEYS, NULL, st, diags);
        else if (strcmp(name, "forms") == 0)
            SECTION(v, "forms", FORM_KEYS, NULL, st, diags);
        else if (strcmp(name, "colors") == 0)
            SECTION(v, "colors", COLOR_KEYS, NULL, st, diags);
        else
            unknown_key(root->keys[i], "the PDF style", diags);
    }
    /* The text block must keep some room, whatever the margins say. */
    if (st->margin_left + st->margin_right > st->page_width - 72 ||
        st->margin_top + st->margin_bottom > st->page_height - 144) {
        diag_warning(diags, srcpos_file(path), "pdf-style",
                     "the margins leave no room for text; the default margins are used");
        pdf_style d;
        pdf_style_defaults(&d);
        st->margin_top = d.margin_top;
        st->margin_bottom = d.margin_bottom;
        st->margin_left = d.margin_left;
        st->margin_right = d.margin_right;
        pdf_style_free(&d);
    }
    ydoc_free(doc);
    return true;
}

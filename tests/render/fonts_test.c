/* pdf_fonts_cut (render/pdf/fonts.h): the style's fonts cut to a content
 * folder's characters lay text out exactly as the original fonts do, and a
 * character the folder does not hold still prints, from the original.
 *
 * A content folder is written here (one chapter: Chinese text with ☑, which
 * no Noto CJK font has, so Pango takes it from another font); the default
 * style is cut for it, and the same texts are laid out with the cut family
 * list and with the original family: the same glyphs, advances, offsets and
 * line extents (the line extents and run offsets are where a cut without
 * the original's BASE table differed), each run from the font it should be
 * from. Needs the fonts of tools/deps.sh (fonts-noto-cjk, fonts-dejavu-core). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pango/pangocairo.h>

#include "content/site.h"
#include "core/fs.h"
#include "core/xalloc.h"
#include "render/pdf/fonts.h"
#include "render/pdf/style.h"

/* The folder's text: 鬱 is not in it (nor in the program's own strings). */
#define HELD "☑ 已完成資通安全教育訓練。☐ 尚未辦理。"
#define NOT_HELD "鬱"

static pdf_style cut_style, orig_style;
static PangoContext *pango;

static int setup(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/fonts_test.XXXXXX";
    char *dir = mkdtemp(tmpl);
    if (!dir)
        return -1;
    char *plan = fs_join(dir, "plan");
    char *md = fs_join(plan, "01-a.md");
    const char *text = "---\nid: a\ntitle: 測試\n---\n\n" HELD "\n";
    bool ok = fs_mkdir_p(plan) && fs_write_file(md, text, strlen(text));
    site s = {.dir = dir};
    pdf_style_defaults(&orig_style);
    pdf_style_defaults(&cut_style);
    if (ok)
        pdf_fonts_cut(&cut_style, &s, NULL, 2, NULL);
    /* The cut lives in memory files: the folder is not needed any more. */
    remove(md);
    remove(plan);
    remove(dir);
    free(md);
    free(plan);
    PangoFontMap *fm = pango_cairo_font_map_new();
    pango = pango_font_map_create_context(fm);
    g_object_unref(fm);
    return ok ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    g_object_unref(pango);
    pdf_style_free(&cut_style);
    pdf_style_free(&orig_style);
    return 0;
}

static PangoLayout *lay_out(const char *family, bool bold, const char *text)
{
    PangoLayout *l = pango_layout_new(pango);
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, family);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_size(fd, 12 * PANGO_SCALE);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_text(l, text, -1);
    return l;
}

/* The family of the font of each run of l's first line, "|" between. */
static char *run_families(PangoLayout *l)
{
    char buf[512] = "";
    for (GSList *r = pango_layout_get_line_readonly(l, 0)->runs; r; r = r->next) {
        PangoGlyphItem *gi = r->data;
        PangoFontDescription *fd = pango_font_describe(gi->item->analysis.font);
        if (buf[0])
            strncat(buf, "|", sizeof buf - strlen(buf) - 1);
        strncat(buf, pango_font_description_get_family(fd), sizeof buf - strlen(buf) - 1);
        pango_font_description_free(fd);
    }
    return xstrdup(buf);
}

/* Each glyph of l's first line: its id, advance and offsets, its run's
 * vertical offset added (a character not held splits the cut's runs). */
typedef struct placed {
    PangoGlyph glyph;
    int width, x, y;
} placed;

static int placed_glyphs(PangoLayoutLine *line, placed *out, int max)
{
    int n = 0;
    for (GSList *r = line->runs; r; r = r->next) {
        PangoGlyphItem *gi = r->data;
        for (int g = 0; g < gi->glyphs->num_glyphs && n < max; g++) {
            PangoGlyphInfo *p = &gi->glyphs->glyphs[g];
            out[n++] = (placed){p->glyph, p->geometry.width, p->geometry.x_offset,
                                p->geometry.y_offset + gi->y_offset};
        }
    }
    return n;
}

/* Laid out with the cut family list and with the original family, text has
 * the same glyphs in the same places, and the same line extents. */
static void assert_same_layout(const char *cut_family, const char *orig_family, bool bold,
                               const char *text)
{
    PangoLayout *a = lay_out(cut_family, bold, text), *b = lay_out(orig_family, bold, text);
    PangoLayoutLine *la = pango_layout_get_line_readonly(a, 0);
    PangoLayoutLine *lb = pango_layout_get_line_readonly(b, 0);
    PangoRectangle ia, ra, ib, rb;
    pango_layout_line_get_extents(la, &ia, &ra);
    pango_layout_line_get_extents(lb, &ib, &rb);
    assert_int_equal(ra.y, rb.y);
    assert_int_equal(ra.height, rb.height);
    assert_int_equal(ra.width, rb.width);
    assert_int_equal(ia.y, ib.y);
    assert_int_equal(ia.height, ib.height);
    placed pa[64], pb[64];
    int na = placed_glyphs(la, pa, 64), nb = placed_glyphs(lb, pb, 64);
    assert_int_equal(na, nb);
    assert_true(na > 0);
    for (int g = 0; g < na; g++) {
        assert_int_equal(pa[g].glyph, pb[g].glyph);
        assert_int_equal(pa[g].width, pb[g].width);
        assert_int_equal(pa[g].x, pb[g].x);
        assert_int_equal(pa[g].y, pb[g].y);
    }
    g_object_unref(a);
    g_object_unref(b);
}

static void test_families_point_at_the_cut(void **state)
{
    (void)state;
    /* body, heading and mono: each its cut first, the original after it */
    char *want[3] = {xasprintf("policygen cut 0,%s", orig_style.body_font),
                     xasprintf("policygen cut 1,%s", orig_style.heading_font),
                     xasprintf("policygen cut 2,%s", orig_style.mono_font)};
    assert_string_equal(cut_style.body_font, want[0]);
    assert_string_equal(cut_style.heading_font, want[1]);
    assert_string_equal(cut_style.mono_font, want[2]);
    for (int i = 0; i < 3; i++)
        free(want[i]);
}

static void test_held_text_comes_from_the_cut(void **state)
{
    (void)state;
    PangoLayout *l = lay_out(cut_style.body_font, false, "已完成資通安全教育訓練");
    char *f = run_families(l);
    assert_string_equal(f, "policygen cut 0");
    free(f);
    g_object_unref(l);
    l = lay_out(cut_style.heading_font, true, "尚未辦理");
    f = run_families(l);
    assert_string_equal(f, "policygen cut 1");
    free(f);
    g_object_unref(l);
}

static void test_a_character_not_held_comes_from_the_original(void **state)
{
    (void)state;
    PangoLayout *l = lay_out(cut_style.body_font, false, "已" NOT_HELD "完成");
    char *f = run_families(l);
    char *want = xasprintf("policygen cut 0|%s|policygen cut 0", orig_style.body_font);
    assert_string_equal(f, want);
    free(want);
    free(f);
    g_object_unref(l);
}

static void test_same_layout_as_the_original(void **state)
{
    (void)state;
    assert_same_layout(cut_style.body_font, orig_style.body_font, false, HELD);
    assert_same_layout(cut_style.body_font, orig_style.body_font, true, HELD);
    assert_same_layout(cut_style.heading_font, orig_style.heading_font, true, HELD);
    assert_same_layout(cut_style.mono_font, orig_style.mono_font, false, HELD);
    /* the mixed line: ☑ from DejaVu sits on the cut's ideographic baseline */
    assert_same_layout(cut_style.body_font, orig_style.body_font, false, "☑ 已完成");
    PangoLayout *l = lay_out(cut_style.body_font, false, "☑ 已完成");
    char *f = run_families(l);
    assert_non_null(strstr(f, "|policygen cut 0"));
    assert_null(strstr(f, "Noto"));
    free(f);
    g_object_unref(l);
    assert_same_layout(cut_style.body_font, orig_style.body_font, false, "已" NOT_HELD "完成");
}

/* ---- cuts kept by a cache (the build cache: pdf_font_cache) ---- */

#define KEPT_MAX 16

/* A cache in memory that counts what it is asked. */
typedef struct kept {
    char *what[KEPT_MAX];
    char *data[KEPT_MAX];
    size_t len[KEPT_MAX];
    int n, hits, misses, puts;
} kept;

static char *kept_get(void *ctx, const char *what, size_t *len)
{
    kept *k = ctx;
    for (int i = 0; i < k->n; i++)
        if (strcmp(k->what[i], what) == 0) {
            k->hits++;
            *len = k->len[i];
            char *copy = xmalloc(k->len[i]);
            memcpy(copy, k->data[i], k->len[i]);
            return copy;
        }
    k->misses++;
    return NULL;
}

static void kept_put(void *ctx, const char *what, const void *data, size_t len)
{
    kept *k = ctx;
    k->puts++;
    assert_true(k->n < KEPT_MAX);
    k->what[k->n] = xstrdup(what);
    k->data[k->n] = xmalloc(len);
    memcpy(k->data[k->n], data, len);
    k->len[k->n++] = len;
}

static void kept_free(kept *k)
{
    for (int i = 0; i < k->n; i++) {
        free(k->what[i]);
        free(k->data[i]);
    }
}

/* Cuts the default style for a folder holding text; the style is freed. */
static void cut_for(const char *text, kept *k)
{
    char tmpl[] = "/tmp/fonts_test.XXXXXX";
    char *dir = mkdtemp(tmpl);
    assert_non_null(dir);
    char *md = fs_join(dir, "a.md");
    assert_true(fs_write_file(md, text, strlen(text)));
    site s = {.dir = dir};
    pdf_style st;
    pdf_style_defaults(&st);
    pdf_font_cache cache = {kept_get, kept_put, k};
    pdf_fonts_cut(&st, &s, NULL, 2, &cache);
    assert_non_null(strstr(st.body_font, "policygen cut 0,"));
    pdf_style_free(&st);
    remove(md);
    remove(dir);
    free(md);
}

/* A cut is asked of the cache first; one it does not have is made and
 * given to it; the same fonts and characters find it again; another
 * character makes another cut; and a cut made again is byte for byte the
 * one kept (so a kept cut is what a cold build makes). */
static void test_cuts_are_kept(void **state)
{
    (void)state;
    kept k = {0}, fresh = {0};
    cut_for("資通安全", &k);
    assert_true(k.puts > 0);
    assert_int_equal(k.hits, 0);
    assert_int_equal(k.misses, k.puts);
    for (int i = 0; i < k.n; i++) {
        assert_non_null(strstr(k.what[i], "cut 1 file "));
        assert_non_null(strstr(k.what[i], " harfbuzz "));
    }
    int made = k.puts;
    cut_for("資通安全", &k);
    assert_int_equal(k.hits, made);
    assert_int_equal(k.puts, made);
    cut_for("資通安全" NOT_HELD, &k);
    assert_int_equal(k.puts, 2 * made);
    cut_for("資通安全", &fresh);
    assert_int_equal(fresh.n, made);
    for (int i = 0; i < made; i++) {
        assert_string_equal(fresh.what[i], k.what[i]);
        assert_int_equal(fresh.len[i], k.len[i]);
        assert_memory_equal(fresh.data[i], k.data[i], k.len[i]);
    }
    kept_free(&k);
    kept_free(&fresh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_families_point_at_the_cut),
        cmocka_unit_test(test_held_text_comes_from_the_cut),
        cmocka_unit_test(test_a_character_not_held_comes_from_the_original),
        cmocka_unit_test(test_same_layout_as_the_original),
        /* last: its cuts are added to fontconfig's configuration too */
        cmocka_unit_test(test_cuts_are_kept),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* memfd_create is Linux's (as is /proc/self/fd). */
#define _GNU_SOURCE
#include "render/pdf/fonts.h"

#include <fontconfig/fontconfig.h>
#include <glib.h>
#include <hb-subset.h>
#include <hb.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/strbuf.h"
#include "core/vec.h"
#include "core/xalloc.h"

/* Every character in the program's own C and YAML sources (the Makefile
 * writes it): the labels, page footers and marks it typesets itself. */
#include "builtin_chars.h"

/* Content files bigger than this are not read for their characters. */
#define MAX_TEXT_BYTES ((size_t)16 << 20)

static void add_text(hb_set_t *cps, const char *p, size_t len)
{
    const char *end = p + len;
    while (p < end) {
        gunichar ch = g_utf8_get_char_validated(p, end - p);
        if (ch == (gunichar)-1 || ch == (gunichar)-2) {
            p++;
            continue;
        }
        hb_set_add(cps, ch);
        p = g_utf8_next_char(p);
    }
}

static bool is_text_file(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (strcmp(dot, ".md") == 0 || strcmp(dot, ".yaml") == 0 ||
                   strcmp(dot, ".yml") == 0);
}

/* The characters of every Markdown and YAML file under dir. */
static void add_folder(hb_set_t *cps, const char *dir, int depth)
{
    vec names;
    vec_init(&names, free);
    if (depth > 16 || !fs_list_dir(dir, &names)) {
        vec_free(&names);
        return;
    }
    for (size_t i = 0; i < names.len; i++) {
        const char *name = names.items[i];
        if (name[0] == '.')
            continue;
        char *path = fs_join(dir, name);
        if (fs_is_dir(path)) {
            add_folder(cps, path, depth + 1);
        } else if (is_text_file(name)) {
            size_t len;
            char *text = fs_read_file(path, MAX_TEXT_BYTES, &len);
            if (text)
                add_text(cps, text, len);
            free(text);
        }
        free(path);
    }
    vec_free(&names);
}

/* One font file of the style, and its cut. */
typedef struct face_job {
    char *file;
    int index;
    int family; /* which of the style's family strings (role) it serves */
    hb_blob_t *cut; /* the subset, or NULL */
    char *what;     /* what names the cut to the cache, or NULL */
    bool kept;      /* the cut came from the cache */
} face_job;

typedef struct cut_work {
    face_job *jobs;
    int n, stride, first;
    const hb_set_t *cps;
} cut_work;

/* The cut's bytes, with the original's BASE table when the cut lacks it.
 * Pango sets the runs of a line on the first run's baseline (for Chinese
 * text the ideographic one) as each font's BASE table gives it; HarfBuzz 6
 * drops BASE when it subsets, and without it the baseline is estimated, so a
 * line mixing a fallback font (a ☑ from DejaVu) with the cut sat ~0.7 pt
 * lower than with the original. BASE names glyphs only by id, and the cut
 * keeps every id, so the original's table is valid as it is. */
static hb_blob_t *with_base(hb_face_t *sub, hb_face_t *orig)
{
    const hb_tag_t base_tag = HB_TAG('B', 'A', 'S', 'E');
    hb_blob_t *base = hb_face_reference_table(orig, base_tag);
    hb_blob_t *had = hb_face_reference_table(sub, base_tag);
    bool add = hb_blob_get_length(base) > 0 && hb_blob_get_length(had) == 0;
    hb_blob_destroy(had);
    if (!add) {
        hb_blob_destroy(base);
        return hb_face_reference_blob(sub);
    }
    /* The subset is a builder face, which cannot list its tables (before
     * HarfBuzz 7): read them from its bytes. */
    hb_blob_t *bytes = hb_face_reference_blob(sub);
    hb_face_t *cut = hb_face_create(bytes, 0);
    hb_blob_destroy(bytes);
    hb_face_t *b = hb_face_builder_create();
    hb_tag_t tags[64];
    unsigned start = 0, count;
    do {
        count = sizeof tags / sizeof *tags;
        hb_face_get_table_tags(cut, start, &count, tags);
        for (unsigned i = 0; i < count; i++) {
            hb_blob_t *t = hb_face_reference_table(cut, tags[i]);
            hb_face_builder_add_table(b, tags[i], t);
            hb_blob_destroy(t);
        }
        start += count;
    } while (count == sizeof tags / sizeof *tags);
    hb_face_destroy(cut);
    hb_face_builder_add_table(b, base_tag, base);
    hb_blob_destroy(base);
    hb_blob_t *out = hb_face_reference_blob(b);
    hb_face_destroy(b);
    return out;
}

/* The subset of one face: every glyph id kept (glyphs not needed are
 * empty), subroutines expanded. NULL when the face is not CFF-based (Cairo
 * embeds TrueType outlines its own, cheaper way) or HarfBuzz cannot. */
static hb_blob_t *cut_face(const char *file, int index, const hb_set_t *cps)
{
    hb_blob_t *blob = hb_blob_create_from_file_or_fail(file);
    if (!blob)
        return NULL;
    hb_face_t *face = hb_face_create(blob, (unsigned)index);
    hb_blob_destroy(blob);
    hb_blob_t *cff = hb_face_reference_table(face, HB_TAG('C', 'F', 'F', ' '));
    bool is_cff = hb_blob_get_length(cff) > 0;
    hb_blob_destroy(cff);
    hb_blob_t *out = NULL;
    hb_subset_input_t *in = is_cff ? hb_subset_input_create_or_fail() : NULL;
    if (in) {
        hb_set_union(hb_subset_input_unicode_set(in), cps);
        hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_RETAIN_GIDS | HB_SUBSET_FLAGS_DESUBROUTINIZE);
        hb_face_t *sub = hb_subset_or_fail(face, in);
        if (sub) {
            out = with_base(sub, face);
            if (hb_blob_get_length(out) == 0) {
                hb_blob_destroy(out);
                out = NULL;
            }
            hb_face_destroy(sub);
        }
        hb_subset_input_destroy(in);
    }
    hb_face_destroy(face);
    return out;
}

static void *cut_thread(void *arg)
{
    cut_work *w = arg;
    for (int i = w->first; i < w->n; i += w->stride)
        if (!w->jobs[i].kept)
            w->jobs[i].cut = cut_face(w->jobs[i].file, w->jobs[i].index, w->cps);
    return NULL;
}

/* The file fontconfig resolves family at weight to, as Pango asks for it
 * (its language Traditional Chinese); false when none. */
static bool resolve(const char *family, int weight, char **file, int *index)
{
    FcPattern *p = FcPatternCreate();
    /* a family may be a list, as Pango reads it: "A,B" */
    char *copy = xstrdup(family), *save = NULL;
    for (char *f = strtok_r(copy, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
        while (*f == ' ')
            f++;
        size_t n = strlen(f);
        while (n > 0 && f[n - 1] == ' ')
            f[--n] = '\0';
        if (*f)
            FcPatternAddString(p, FC_FAMILY, (const FcChar8 *)f);
    }
    free(copy);
    FcPatternAddInteger(p, FC_WEIGHT, weight);
    FcPatternAddInteger(p, FC_SLANT, FC_SLANT_ROMAN);
    FcPatternAddString(p, FC_LANG, (const FcChar8 *)"zh-tw");
    FcConfigSubstitute(NULL, p, FcMatchPattern);
    FcDefaultSubstitute(p);
    FcResult r;
    FcPattern *m = FcFontMatch(NULL, p, &r);
    FcPatternDestroy(p);
    FcChar8 *f = NULL;
    bool ok = m && FcPatternGetString(m, FC_FILE, 0, &f) == FcResultMatch &&
              FcPatternGetInteger(m, FC_INDEX, 0, index) == FcResultMatch;
    if (ok)
        *file = xstrdup((const char *)f);
    if (m)
        FcPatternDestroy(m);
    return ok;
}

/* The characters as ranges ("20-7e 4e00 ..."): part of what names a cut. */
static void describe_chars(strbuf *sb, const hb_set_t *cps)
{
    hb_codepoint_t first = HB_SET_VALUE_INVALID, last = HB_SET_VALUE_INVALID;
    while (hb_set_next_range(cps, &first, &last))
        sb_printf(sb, first == last ? " %x" : " %x-%x", first, last);
}

/* A font file's face as its bytes are known by (caller frees): path, face,
 * device, inode, size and times; NULL when it cannot be looked at. */
static char *font_file_identity(const char *file, int index)
{
    struct stat st;
    if (stat(file, &st) != 0)
        return NULL;
    return xasprintf("file %s index %d dev %llu ino %llu size %lld mtime %lld.%09ld "
                     "ctime %lld.%09ld",
                     file, index, (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
                     (long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                     (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
}

/* What names the cut of a face to the cache (caller frees), or NULL when
 * the font file cannot be looked at. */
static char *describe_cut(const face_job *j, const char *chars)
{
    char *id = font_file_identity(j->file, j->index);
    if (!id)
        return NULL;
    char *what = xasprintf("cut 1 %s harfbuzz %s chars%s", id, hb_version_string(), chars);
    free(id);
    return what;
}

/* A memory file holding blob; its path for fontconfig and FreeType
 * ("/proc/self/fd/N", the same in the forked workers), or NULL. It lives as
 * long as the process: nothing is left on disk. */
static char *memory_file(hb_blob_t *blob)
{
    int fd = memfd_create("policygen-font", MFD_CLOEXEC);
    if (fd < 0)
        return NULL;
    unsigned len;
    const char *data = hb_blob_get_data(blob, &len);
    if (!fs_write_all(fd, data, len)) {
        close(fd);
        return NULL;
    }
    return xasprintf("/proc/self/fd/%d", fd);
}

char *pdf_fonts_installed(void)
{
    FcFontSet *set = FcInit() ? FcConfigGetFonts(NULL, FcSetSystem) : NULL;
    vec lines;
    vec_init(&lines, free);
    for (int i = 0; set && i < set->nfont; i++) {
        FcChar8 *file = NULL;
        int index = 0;
        if (FcPatternGetString(set->fonts[i], FC_FILE, 0, &file) != FcResultMatch)
            continue;
        FcPatternGetInteger(set->fonts[i], FC_INDEX, 0, &index);
        char *id = font_file_identity((const char *)file, index);
        vec_push(&lines, id ? id : xasprintf("file %s index %d missing", (const char *)file, index));
    }
    vec_sort_strings(&lines);
    strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < lines.len; i++) {
        sb_append(&sb, lines.items[i]);
        sb_appendc(&sb, '\n');
    }
    vec_free(&lines);
    return sb_take(&sb);
}

void pdf_fonts_cut(pdf_style *st, const site *s, const char *theme_dir, int jobs,
                   const pdf_font_cache *cache)
{
    if (!FcInit())
        return;
    char **families[3] = {&st->body_font, &st->heading_font, &st->mono_font};
    const int weights[2] = {FC_WEIGHT_REGULAR, FC_WEIGHT_BOLD};
    /* A role with the family of an earlier one shares its cut. */
    int from[3];
    for (int r = 0; r < 3; r++) {
        from[r] = r;
        for (int q = r - 1; q >= 0; q--)
            if (strcmp(*families[q], *families[r]) == 0)
                from[r] = q;
    }
    face_job fj[6];
    int n = 0;
    for (int r = 0; r < 3; r++) {
        for (int w = 0; w < 2 && from[r] == r; w++) {
            char *file;
            int index;
            if (!resolve(*families[r], weights[w], &file, &index))
                continue;
            bool dup = false;
            for (int k = 0; k < n && !dup; k++)
                dup = fj[k].family == r && fj[k].index == index && strcmp(fj[k].file, file) == 0;
            if (dup) {
                free(file);
                continue;
            }
            fj[n++] = (face_job){.file = file, .index = index, .family = r};
        }
    }
    if (n == 0)
        return;

    hb_set_t *cps = hb_set_create();
    for (hb_codepoint_t c = 0x20; c < 0x7f; c++)
        hb_set_add(cps, c);
    add_text(cps, PDF_BUILTIN_CHARS, strlen(PDF_BUILTIN_CHARS));
    if (s && s->dir)
        add_folder(cps, s->dir, 0);
    if (theme_dir)
        add_folder(cps, theme_dir, 0);

    /* Cuts an earlier build kept, when the fonts and characters are the same. */
    if (cache) {
        strbuf chars;
        sb_init(&chars);
        describe_chars(&chars, cps);
        for (int k = 0; k < n; k++) {
            fj[k].what = describe_cut(&fj[k], chars.data ? chars.data : "");
            size_t len;
            char *data = fj[k].what ? cache->get(cache->ctx, fj[k].what, &len) : NULL;
            if (data && len > 0 && len <= UINT_MAX) {
                fj[k].cut = hb_blob_create(data, (unsigned)len, HB_MEMORY_MODE_WRITABLE, data, free);
                fj[k].kept = true;
            } else {
                free(data);
            }
        }
        sb_free(&chars);
    }

    /* HarfBuzz on threads, joined before anything forks. */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int nthreads = jobs > 0 ? jobs : cores > 0 ? (int)cores : 1;
    if (nthreads > n)
        nthreads = n;
    pthread_t th[6];
    cut_work work[6];
    int started = 0;
    for (int t = 0; t < nthreads; t++) {
        work[t] = (cut_work){.jobs = fj, .n = n, .stride = nthreads, .first = t, .cps = cps};
        if (t > 0 && pthread_create(&th[t], NULL, cut_thread, &work[t]) == 0)
            started |= 1 << t;
        else if (t > 0)
            cut_thread(&work[t]);
    }
    cut_thread(&work[0]);
    for (int t = 1; t < nthreads; t++)
        if (started & (1 << t))
            pthread_join(th[t], NULL);
    hb_set_destroy(cps);
    for (int k = 0; cache && k < n; k++) {
        if (fj[k].kept || !fj[k].cut || !fj[k].what)
            continue;
        unsigned len;
        const char *data = hb_blob_get_data(fj[k].cut, &len);
        cache->put(cache->ctx, fj[k].what, data, len);
    }

    /* fontconfig learns each cut under a family of the role's own (a scan
     * rule names it by its file), ahead of the original in the style. */
    strbuf conf;
    sb_init(&conf);
    sb_printf(&conf, "<?xml version=\"1.0\"?>\n<fontconfig>\n");
    char *paths[6] = {NULL};
    bool cut[3] = {false, false, false};
    for (int k = 0; k < n; k++) {
        paths[k] = fj[k].cut ? memory_file(fj[k].cut) : NULL;
        if (!paths[k])
            continue;
        sb_printf(&conf,
                  "<match target=\"scan\"><test name=\"file\"><string>%s</string></test>"
                  "<edit name=\"family\" mode=\"assign\" binding=\"same\">"
                  "<string>policygen cut %d</string></edit></match>\n",
                  paths[k], fj[k].family);
        cut[fj[k].family] = true;
    }
    sb_printf(&conf, "</fontconfig>\n");
    FcConfig *config = FcConfigGetCurrent();
    bool ok = FcConfigParseAndLoadFromMemory(config, (const FcChar8 *)conf.data, FcFalse);
    for (int k = 0; k < n && ok; k++)
        if (paths[k] && !FcConfigAppFontAddFile(config, (const FcChar8 *)paths[k]))
            cut[fj[k].family] = false;
    for (int r = 0; r < 3 && ok; r++) {
        if (!cut[from[r]])
            continue;
        char *list = xasprintf("policygen cut %d,%s", from[r], *families[r]);
        free(*families[r]);
        *families[r] = list;
    }
    sb_free(&conf);
    for (int k = 0; k < n; k++) {
        free(paths[k]);
        free(fj[k].file);
        free(fj[k].what);
        hb_blob_destroy(fj[k].cut);
    }
}

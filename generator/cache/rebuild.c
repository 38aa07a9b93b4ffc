#include "cache/rebuild.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fs.h"
#include "core/outdir.h"
#include "render/pdf/fonts.h"

extern char **environ;

/* The key of the program alone: what parsing a document depends on
 * besides its own inputs (the documents' keys start from it, so a new day
 * or another locale parses nothing again). False when it cannot be hashed. */
static bool program_key(char key[CACHE_KEY_SIZE])
{
    cache_hasher *h = cache_hasher_new();
    bool ok = cache_hash_program(h);
    cache_hasher_finish(h, key);
    return ok;
}

/* The key of what changes any output but the content: the program, the
 * date, the environment libraries may read (locale, time zone,
 * fontconfig) and, for a build with PDFs, the installed fonts (a PDF may
 * take a glyph from any of them; the PDFs' keys start from this one). */
static void settings_key(const cache_build_inputs *in, const char *program,
                         char key[CACHE_KEY_SIZE])
{
    cache_hasher *h = cache_hasher_new();
    cache_hash_str(h, "program", program);
    char day[16];
    date_format_iso(in->today, day, sizeof day);
    cache_hash_str(h, "today", day);
    for (char **e = environ; *e; e++)
        if (strncmp(*e, "SOURCE_DATE_EPOCH=", 18) == 0 || strncmp(*e, "LC_", 3) == 0 ||
            strncmp(*e, "LANG=", 5) == 0 || strncmp(*e, "TZ=", 3) == 0 ||
            strncmp(*e, "FONTCONFIG_", 11) == 0)
            cache_hash_str(h, "env", *e);
    if (!in->no_pdf) {
        char *fonts = pdf_fonts_installed();
        cache_hash_str(h, "fonts", fonts);
        free(fonts);
    }
    cache_hasher_finish(h, key);
}

/* The key of everything a build reads and of what changes its output: the
 * settings, the options, the umask, the content folder, the program's
 * themes and rules. False when something cannot be hashed. */
static bool build_key(const cache_build_inputs *in, const char *settings,
                      char key[CACHE_KEY_SIZE])
{
    cache_hasher *h = cache_hasher_new();
    cache_hash_str(h, "settings", settings);
    cache_hash_str(h, "content", in->content_dir);
    cache_hash_str(h, "output", in->output_dir);
    cache_hash_str(h, "data", in->data_dir);
    cache_hash_str(h, "edition", in->edition);
    mode_t mask = umask(0);
    umask(mask);
    char num[64];
    snprintf(num, sizeof num, "strict %d no-pdf %d jobs %d umask %o", in->strict, in->no_pdf,
             in->jobs, (unsigned)mask);
    cache_hash_str(h, "options", num);
    /* The program's own variables (POLICYGEN_DATADIR, the timing ones). */
    for (char **e = environ; *e; e++)
        if (strncmp(*e, "POLICYGEN_", 10) == 0)
            cache_hash_str(h, "env", *e);
    char *themes = fs_join(in->data_dir, "themes");
    char *plugins = fs_join(in->data_dir, "lua-plugins");
    bool ok = cache_hash_tree(h, "content", in->content_dir, NULL) &&
              cache_hash_tree(h, "themes", themes, NULL) &&
              cache_hash_tree(h, "plugins", plugins, NULL);
    free(themes);
    free(plugins);
    cache_hasher_finish(h, key);
    return ok;
}

int cache_build(const char *dir, const cache_build_inputs *in, cache_build_fn build, void *ctx,
                diag_sink *diags)
{
    cache *c = cache_open(dir, diags);
    char program[CACHE_KEY_SIZE], settings[CACHE_KEY_SIZE], key[CACHE_KEY_SIZE];
    bool hashed = c && program_key(program);
    if (hashed)
        settings_key(in, program, settings);
    if (!hashed || !build_key(in, settings, key)) {
        cache_close(c, false);
        return build(ctx, NULL, NULL, NULL, diags);
    }
    int r;
    if (!outdir_has_staging(in->output_dir) && cache_replay(c, in->output_dir, key, &r)) {
        cache_close(c, false);
        return r;
    }
    cache_capture_begin();
    r = build(ctx, c, settings, program, diags);
    size_t len;
    char *err = cache_capture_end(&len);
    char after[CACHE_KEY_SIZE];
    bool kept = build_key(in, settings, after) && strcmp(after, key) == 0;
    /* Only a build that succeeded is told again: a failure may come from the
     * machine (a full disk, a folder in the way, a killed worker), and the
     * same inputs must then get a new try. */
    if (kept && r == 0)
        cache_record(c, in->output_dir, key, r, true, err, len);
    else if (kept)
        cache_unrecord(c, in->output_dir);
    else
        cache_forget(c, in->output_dir);
    free(err);
    /* The entries are PDFs: a build that made none, or failed (the next
     * edit may well fix it), keeps them. */
    cache_close(c, kept && r == 0 && !in->no_pdf);
    return r;
}

#include "build/build.h"

#include <stdlib.h>

#include "content/site.h"
#include "core/fs.h"
#include "core/outdir.h"
#include "core/xalloc.h"
#include "diag/diag.h"
#include "render/html/site_html.h"
#include "xref/xref.h"

/* A content folder's own themes/NAME overrides the shipped theme. */
static char *find_theme(const build_options *opts, const char *name)
{
    char *own = xasprintf("%s/themes/%s", opts->content_dir, name);
    if (fs_is_dir(own))
        return own;
    free(own);
    char *shipped = xasprintf("%s/themes/%s", opts->data_dir, name);
    if (fs_is_dir(shipped))
        return shipped;
    diag_error(srcpos_file(shipped), "theme", "theme '%s' not found", name);
    free(shipped);
    return NULL;
}

build_result build_site(const build_options *opts)
{
    site *s = site_load(opts->content_dir);
    if (!s || diag_get_counts().errors) {
        site_free(s);
        return BUILD_CONTENT_ERROR;
    }
    xref_table *xref = xref_resolve_site(s);
    char *theme_dir = diag_get_counts().errors ? NULL : find_theme(opts, s->config.theme);
    if (!theme_dir) {
        xref_table_free(xref);
        site_free(s);
        return BUILD_CONTENT_ERROR;
    }
    outdir od;
    build_result result = BUILD_CONTENT_ERROR;
    if (outdir_begin(&od, opts->output_dir)) {
        html_options html = {.theme_dir = theme_dir, .xref = xref, .audience = AUDIENCE_INTERNAL, .threads = opts->jobs};
        bool ok = html_render_site(s, &od, &html) && !od.failed && !diag_get_counts().errors;
        if (ok && outdir_commit(&od))
            result = BUILD_OK;
        else if (!ok)
            outdir_abort(&od);
    }
    free(theme_dir);
    xref_table_free(xref);
    site_free(s);
    return result;
}

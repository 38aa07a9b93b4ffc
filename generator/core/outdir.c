#include "core/outdir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/srcfile.h"
#include "core/xalloc.h"
#include "diag/diag.h"

/* Why the output folder real may not replace what lies at other: being it or
 * containing it always; lying inside it only when inside is false. */
static char *overlap(const char *real, const char *other, const char *what, bool may_be_inside)
{
    char *o = fs_resolve(other);
    char *why = NULL;
    if (!o)
        return NULL;
    if (strcmp(real, o) == 0)
        why = xasprintf("the output folder is %s (%s), and a build replaces its whole output folder",
                        what, o);
    else if (fs_path_within(o, real))
        why = xasprintf("the output folder contains %s (%s), and a build replaces its whole output "
                        "folder", what, o);
    else if (!may_be_inside && fs_path_within(real, o))
        why = xasprintf("the output folder is inside %s (%s)", what, o);
    free(o);
    return why;
}

char *outdir_refusal(const char *target, const char *const *protect, size_t n)
{
    char *real = fs_resolve(target);
    if (!real)
        return xasprintf("cannot resolve the output folder: %s", strerror(errno));
    char *why = overlap(real, ".", "the current folder", true);
    const char *home = getenv("HOME");
    if (!why && home && *home)
        why = overlap(real, home, "the home folder", true);
    for (size_t i = 0; !why && i < n; i++)
        if (protect[i])
            why = overlap(real, protect[i], i == 0 ? "the content folder" : "the program's data",
                          false);
    if (!why && fs_is_dir(real)) {
        vec names;
        vec_init(&names, free);
        bool listed = fs_list_dir(real, &names);
        bool ours = false;
        for (size_t i = 0; i < names.len; i++)
            ours = ours || strcmp(names.items[i], OUTDIR_MARKER) == 0;
        if (listed && names.len > 0 && !ours)
            why = xstrdup("the folder exists and was not made by policygen (it has no " OUTDIR_MARKER
                          "); a build replaces its whole output folder: name a new or empty folder");
        vec_free(&names);
    } else if (!why && access(real, F_OK) == 0) {
        why = xstrdup("the output folder is a file, not a folder");
    }
    free(real);
    return why;
}

bool outdir_begin(outdir *od, const char *target)
{
    memset(od, 0, sizeof *od);
    size_t len = strlen(target);
    while (len > 1 && target[len - 1] == '/')
        len--;
    od->target = xstrndup(target, len);
    char *parent = fs_dirname(od->target);
    if (!fs_mkdir_p(parent)) {
        diag_error(srcpos_file(parent), "write", "cannot create folder: %s", strerror(errno));
        free(parent);
        return false;
    }
    free(parent);
    od->staging = xasprintf("%s.tmp-XXXXXX", od->target);
    if (!mkdtemp(od->staging)) {
        diag_error(srcpos_file(od->target), "write", "cannot create a staging folder: %s",
                   strerror(errno));
        free(od->staging);
        od->staging = NULL;
        return false;
    }
    /* mkdtemp makes it private (0700); the output is for a web server to
     * read, so it gets the mode any new folder gets. */
    mode_t mask = umask(0);
    umask(mask);
    chmod(od->staging, 0777 & ~mask);
    if (!outdir_write_string(od, OUTDIR_MARKER,
                             "This folder is policygen's output: every build replaces it whole.\n")) {
        outdir_abort(od);
        return false;
    }
    return true;
}

char *outdir_path(const outdir *od, const char *relpath)
{
    return fs_join(od->staging, relpath);
}

/* A file the previous output holds byte for byte is linked into the staging
 * folder instead of written anew: creating inodes is most of a rebuild's
 * system time, and an unchanged page keeps its time stamp, so copying the
 * output to the web server sends only what changed. The previous file is
 * never written to, so a failed build still leaves it as it was. */
static bool link_unchanged(const outdir *od, const char *relpath, const char *path,
                           const char *data, size_t len)
{
    char *old = fs_join(od->target, relpath);
    bool ok = fs_file_equals(old, data, len) && link(old, path) == 0;
    free(old);
    return ok;
}

static bool write_or_link(const outdir *od, const char *relpath, const char *path,
                          const char *data, size_t len)
{
    if (link_unchanged(od, relpath, path, data, len))
        return true;
    /* Should this path already be a link to the previous output, writing
     * through it would change that file: write a file of its own. */
    unlink(path);
    return fs_write_file(path, data, len);
}

/* Whether relpath stays in the staging folder: relative, no ".." part.
 * Names from content are checked where they are read; this is the last
 * line should one slip through. */
static bool relpath_inside(const char *relpath)
{
    if (relpath[0] == '/')
        return false;
    for (const char *p = relpath; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return false;
        p += n;
        while (*p == '/')
            p++;
    }
    return true;
}

bool outdir_write(outdir *od, const char *relpath, const char *data, size_t len)
{
    if (!relpath_inside(relpath)) {
        diag_error(srcpos_file(od->target), "write", "refused to write %s: it leads outside the "
                   "output folder", relpath);
        od->failed = true;
        return false;
    }
    char *path = outdir_path(od, relpath);
    /* Try the write first: the folder usually exists. */
    bool ok = write_or_link(od, relpath, path, data, len);
    if (!ok && errno == ENOENT) {
        char *dir = fs_dirname(path);
        ok = fs_mkdir_p(dir) && write_or_link(od, relpath, path, data, len);
        free(dir);
    }
    if (!ok) {
        diag_error(srcpos_file(path), "write", "cannot write: %s", strerror(errno));
        od->failed = true;
    }
    free(path);
    return ok;
}

bool outdir_write_string(outdir *od, const char *relpath, const char *text)
{
    return outdir_write(od, relpath, text, strlen(text));
}

/* Evidence and theme files are copied whole through memory. */
#define OUTDIR_MAX_COPY ((size_t)1 << 30)

bool outdir_copy(outdir *od, const char *relpath, const char *from)
{
    size_t len;
    char *data = fs_read_file(from, OUTDIR_MAX_COPY, &len);
    if (!data) {
        char *path = outdir_path(od, relpath);
        char limit[32];
        srcfile_limit_text(OUTDIR_MAX_COPY, limit, sizeof limit);
        if (errno == EFBIG)
            diag_error(srcpos_file(from), "write", "cannot copy to %s: file too large (limit %s)",
                       path, limit);
        else
            diag_error(srcpos_file(from), "write", "cannot copy to %s: %s", path, strerror(errno));
        od->failed = true;
        free(path);
        return false;
    }
    bool ok = outdir_write(od, relpath, data, len);
    free(data);
    return ok;
}

bool outdir_commit(outdir *od)
{
    char *old = NULL;
    bool ok = true;
    if (fs_is_dir(od->target)) {
        old = xasprintf("%s.old-%ld", od->target, (long)getpid());
        fs_remove_tree(old);
        if (rename(od->target, old) != 0) {
            diag_error(srcpos_file(od->target), "write", "cannot move the old output aside: %s",
                       strerror(errno));
            ok = false;
        }
    }
    if (ok && rename(od->staging, od->target) != 0) {
        diag_error(srcpos_file(od->target), "write", "cannot put the new output in place: %s",
                   strerror(errno));
        if (old)
            rename(old, od->target); /* put the previous output back */
        ok = false;
    }
    if (ok && old)
        fs_remove_tree(old);
    if (!ok)
        fs_remove_tree(od->staging);
    free(old);
    free(od->staging);
    free(od->target);
    memset(od, 0, sizeof *od);
    return ok;
}

void outdir_abort(outdir *od)
{
    if (od->staging)
        fs_remove_tree(od->staging);
    free(od->staging);
    free(od->target);
    memset(od, 0, sizeof *od);
}

/* renameat2 and RENAME_NOREPLACE, for folders that must be new. */
#define _GNU_SOURCE
#include "core/outdir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/interrupt.h"
#include "core/map.h"
#include "core/parallel.h"
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

/* The marker's lock: a POSIX record lock (fcntl), which the worker
 * processes a build forks do not inherit, so it goes with the build's own
 * process (flock's would stay with a worker that outlives it). */
static bool lock_marker(int fd)
{
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    return fcntl(fd, F_SETLK, &fl) == 0;
}

/* A staging folder left by a build that is gone: its marker is a regular
 * file that no process holds locked. Taking the lock (kept while removing)
 * also keeps two sweeping builds from removing the same folder twice. */
static bool sweep_one(const char *dir, diag_sink *diags)
{
    struct stat st;
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return false; /* a link or a file of that name is not ours */
    char *marker = fs_join(dir, OUTDIR_MARKER);
    int fd = open(marker, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    free(marker);
    if (fd < 0)
        return false;
    bool stale = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && lock_marker(fd);
    if (stale) {
        fs_remove_tree(dir);
        diag_warning(diags, srcpos_file(dir), "output",
                     "removed the staging folder an interrupted build left behind");
    }
    close(fd);
    return stale;
}

/* Siblings named TARGET.tmp-XXXXXX (mkdtemp's six letters and digits):
 * whether there is any, and, when sweep, those left by builds that are gone
 * removed (and told to diags; unused when not sweep). */
static bool sweep_stale(const char *target, bool sweep, diag_sink *diags)
{
    bool found = false;
    char *parent = fs_dirname(target);
    const char *base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
    char *prefix = xasprintf("%s.tmp-", base);
    size_t pl = strlen(prefix);
    vec names;
    vec_init(&names, free);
    fs_list_dir(parent, &names);
    for (size_t i = 0; i < names.len; i++) {
        const char *name = names.items[i];
        if (strncmp(name, prefix, pl) != 0 || strlen(name) != pl + 6)
            continue;
        bool six = true;
        for (size_t k = pl; k < pl + 6; k++)
            six = six && ((name[k] >= '0' && name[k] <= '9') || (name[k] >= 'a' && name[k] <= 'z') ||
                          (name[k] >= 'A' && name[k] <= 'Z'));
        if (!six)
            continue;
        found = true;
        char *dir = fs_join(parent, name);
        if (sweep)
            sweep_one(dir, diags);
        free(dir);
    }
    vec_free(&names);
    free(prefix);
    free(parent);
    return found;
}

bool outdir_has_staging(const char *target)
{
    return sweep_stale(target, false, NULL);
}

/* The marker, written under another name, locked, then renamed into place:
 * a sweeping build never sees it unlocked while this one runs. */
static bool write_marker(outdir *od)
{
    static const char text[] = "This folder is policygen's output: every build replaces it whole.\n";
    char *tmp = fs_join(od->staging, OUTDIR_MARKER ".new");
    char *path = fs_join(od->staging, OUTDIR_MARKER);
    unlink(tmp); /* one a spare may hold */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    bool ok = fd >= 0 && lock_marker(fd) &&
              write(fd, text, sizeof text - 1) == (ssize_t)(sizeof text - 1) && rename(tmp, path) == 0;
    if (!ok) {
        diag_error(od->diags, srcpos_file(path), "write", "cannot write: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    od->lock_fd = fd;
    free(tmp);
    free(path);
    return ok;
}

/* ---- the spare: the output before the previous one, written over ---- */

/* A build does not make its staging folder from nothing when it can take
 * the spare: the output before the previous one, which the last commit
 * kept (OUTDIR_SPARE) instead of removing it. Most of its files are links
 * to the previous output's (each build links what did not change), so a
 * page that did not change is already in place: the build keeps it instead
 * of linking it anew, and at the commit the previous output becomes the
 * next spare instead of being removed: two directory entries fewer for each
 * unchanged file (a link, an unlink; measured, a build of the 1,000-chapter
 * corpus whose pages did not change took a seventh less time). What the
 * spare held that the build did not tell as its own (outdir_write, _open
 * and _copy tell theirs, outdir_settle a file written otherwise) is swept
 * before anything reads the folder as the output (outdir_sweep).
 *
 * Since a file of the spare may be the previous output's own (a link), no
 * writer may write into an existing file of the staging folder: each
 * replaces it (unlink, then create; fs_write_file does). */

/* A file or folder the staging folder held when it was taken. */
typedef struct inherited_entry {
    dev_t dev;
    ino_t ino;
    struct timespec mtime;
    bool dir;
    int own; /* atomic: this build's (written, linked or kept by it): never swept */
    bool swept;
} inherited_entry;

struct outdir_inherited {
    map entries; /* relpath -> inherited_entry, parents before children */
};

char *outdir_spare_path(const char *target)
{
    char *parent = fs_dirname(target);
    const char *base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
    char *name = xasprintf(".%s" OUTDIR_SPARE, base);
    char *path = fs_join(parent, name);
    free(name);
    free(parent);
    return path;
}

static void record_tree(outdir_inherited *in, const char *root, const char *rel)
{
    char *dir = rel ? fs_join(root, rel) : xstrdup(root);
    vec names;
    vec_init(&names, free);
    if (fs_list_dir(dir, &names)) {
        for (size_t i = 0; i < names.len; i++) {
            const char *name = names.items[i];
            if (!rel && strncmp(name, OUTDIR_MARKER, strlen(OUTDIR_MARKER)) == 0)
                continue; /* the marker is written anew */
            char *child = rel ? fs_join(rel, name) : xstrdup(name);
            char *path = fs_join(root, child);
            struct stat st;
            if (lstat(path, &st) == 0) {
                inherited_entry *e = xcalloc(1, sizeof *e);
                *e = (inherited_entry){.dev = st.st_dev,
                                       .ino = st.st_ino,
                                       .mtime = st.st_mtim,
                                       .dir = S_ISDIR(st.st_mode)};
                map_set(&in->entries, child, e);
                if (e->dir)
                    record_tree(in, root, child);
            }
            free(path);
            free(child);
        }
    }
    vec_free(&names);
    free(dir);
}

/* The spare made the (empty) staging folder, when there is one: a folder,
 * not a link, that holds OUTDIR_MARKER (a build made it). The rename is
 * atomic, so two builds never take the same spare. */
static void take_spare(outdir *od)
{
    char *spare = outdir_spare_path(od->target);
    char *marker = fs_join(spare, OUTDIR_MARKER);
    struct stat st, mt;
    if (lstat(spare, &st) == 0 && S_ISDIR(st.st_mode) && lstat(marker, &mt) == 0 &&
        S_ISREG(mt.st_mode) && rename(spare, od->staging) == 0) {
        od->inherited = xcalloc(1, sizeof *od->inherited);
        map_init(&od->inherited->entries, free);
        record_tree(od->inherited, od->staging, NULL);
    }
    free(marker);
    free(spare);
}

static void inherited_free(outdir_inherited *in)
{
    if (!in)
        return;
    map_free(&in->entries);
    free(in);
}

/* The spare's entry for relpath, or NULL: relpath as the spare's walk
 * names it (no empty or "." parts: "a//./b" is "a/b"), so that a writer's
 * way of naming a file never hides it from its entry. */
static inherited_entry *inherited_at(const outdir *od, const char *relpath)
{
    if (!od->inherited)
        return NULL;
    char *name = xmalloc(strlen(relpath) + 1);
    size_t n = 0;
    for (const char *p = relpath; *p;) {
        size_t k = strcspn(p, "/");
        if (k > 0 && !(k == 1 && p[0] == '.')) {
            if (n)
                name[n++] = '/';
            memcpy(name + n, p, k);
            n += k;
        }
        p += k;
        while (*p == '/')
            p++;
    }
    name[n] = '\0';
    inherited_entry *e = map_get(&od->inherited->entries, name);
    free(name);
    return e;
}

/* The staging folder's relpath holds what this build means it to: the
 * sweep leaves it. Told by every writer: a link to the previous output's
 * file may be the very inode the spare held there, and look untouched. */
static void mark_own(const outdir *od, const char *relpath)
{
    inherited_entry *e = inherited_at(od, relpath);
    if (e)
        __atomic_store_n(&e->own, 1, __ATOMIC_RELAXED);
}

/* Whether the staging folder's relpath (path) is a file it inherited that
 * is the previous output's own (old), linked: then it stays as it is. */
static bool keep_inherited(const outdir *od, const char *relpath, const char *path,
                           const char *old)
{
    inherited_entry *e = inherited_at(od, relpath);
    struct stat now, prev;
    if (!e || e->dir || lstat(path, &now) != 0 || lstat(old, &prev) != 0 ||
        !S_ISREG(now.st_mode) || now.st_dev != prev.st_dev || now.st_ino != prev.st_ino ||
        now.st_ino != e->ino || now.st_dev != e->dev)
        return false;
    return true; /* and write_file tells it as the build's */
}

/* Whether the staging folder's relpath is still what the spare held there. */
static bool still_inherited(const outdir *od, const char *relpath, const struct stat *st)
{
    inherited_entry *e = inherited_at(od, relpath);
    return e && e->dev == st->st_dev && e->ino == st->st_ino;
}

/* What the spare left in the way of a file at relpath (a file where it
 * needs a folder, a folder where it goes) removed; whether anything was. */
static bool clear_way(const outdir *od, const char *relpath)
{
    bool cleared = false;
    char *rel = xstrdup(relpath);
    for (char *slash = rel;; slash++) {
        slash = strchr(slash, '/');
        if (slash)
            *slash = '\0';
        char *path = fs_join(od->staging, rel);
        struct stat st;
        if (lstat(path, &st) == 0 && still_inherited(od, rel, &st) &&
            (slash ? !S_ISDIR(st.st_mode) : S_ISDIR(st.st_mode)))
            cleared = (S_ISDIR(st.st_mode) ? fs_remove_tree(path) : unlink(path) == 0) || cleared;
        free(path);
        if (!slash)
            break;
        *slash = '/';
    }
    free(rel);
    return cleared;
}

void outdir_sweep(outdir *od, const char *subdir)
{
    outdir_inherited *in = od->inherited;
    for (size_t i = in ? in->entries.len : 0; i-- > 0;) { /* children first */
        const char *rel = in->entries.entries[i].key;
        inherited_entry *e = in->entries.entries[i].value;
        if (e->swept || (subdir && !fs_path_within(rel, subdir)) ||
            __atomic_load_n(&e->own, __ATOMIC_RELAXED))
            continue;
        e->swept = true;
        char *path = fs_join(od->staging, rel);
        struct stat st;
        /* Not the build's (no writer told it), and untouched besides: the
         * same inode, its bytes not written since. The second is a guard:
         * a file written now is a new one (every writer makes one), and
         * should it have the inode number of the one it replaced, its time
         * of modification still tells them apart (not its change time:
         * that moves when another link to the inode goes). */
        if (lstat(path, &st) == 0 && st.st_dev == e->dev && st.st_ino == e->ino) {
            if (e->dir)
                rmdir(path); /* when nothing was written in it (a cold build makes no empty folder) */
            else if (st.st_mtim.tv_sec == e->mtime.tv_sec && st.st_mtim.tv_nsec == e->mtime.tv_nsec)
                unlink(path);
        }
        free(path);
    }
}

static bool begin(outdir *od, const char *target, bool fresh, diag_sink *diags)
{
    memset(od, 0, sizeof *od);
    od->diags = diags;
    od->lock_fd = -1;
    od->fresh = fresh;
    size_t len = strlen(target);
    while (len > 1 && target[len - 1] == '/')
        len--;
    od->target = xstrndup(target, len);
    char *parent = fs_dirname(od->target);
    if (!fs_mkdir_p(parent)) {
        diag_error(od->diags, srcpos_file(parent), "write", "cannot create folder: %s",
                   strerror(errno));
        free(parent);
        return false;
    }
    free(parent);
    if (!fresh)
        sweep_stale(od->target, true, od->diags);
    od->staging = xasprintf("%s.tmp-XXXXXX", od->target);
    if (!mkdtemp(od->staging)) {
        diag_error(od->diags, srcpos_file(od->target), "write",
                   "cannot create a staging folder: %s", strerror(errno));
        free(od->staging);
        od->staging = NULL;
        return false;
    }
    if (!fresh)
        take_spare(od);
    interrupt_guard(od->staging);
    /* mkdtemp makes it private (0700); the output is for a web server to
     * read, so it gets the mode any new folder gets. */
    mode_t mask = umask(0);
    umask(mask);
    od->umask = mask;
    chmod(od->staging, outdir_new_folder_mode(od));
    if (!fresh && !write_marker(od)) {
        outdir_abort(od);
        return false;
    }
    return true;
}

bool outdir_begin(outdir *od, const char *target, diag_sink *diags)
{
    return begin(od, target, false, diags);
}

bool outdir_begin_new(outdir *od, const char *target, diag_sink *diags)
{
    return begin(od, target, true, diags);
}

unsigned outdir_new_file_mode(const outdir *od)
{
    return 0666 & ~od->umask;
}

unsigned outdir_new_folder_mode(const outdir *od)
{
    return 0777 & ~od->umask;
}

bool outdir_set_modes(outdir *od, const char *subdir, unsigned files, unsigned folders)
{
    if (od->n_modes == OUTDIR_MAX_MODES)
        return false;
    char *dir = outdir_path(od, subdir);
    bool ok = (mkdir(dir, 0700) == 0 || errno == EEXIST) && chmod(dir, folders) == 0;
    if (!ok) {
        diag_error(od->diags, srcpos_file(dir), "write", "cannot create folder: %s",
                   strerror(errno));
        od->failed = true;
    } else {
        od->modes[od->n_modes++] = (outdir_modes){xstrdup(subdir), files, folders};
    }
    free(dir);
    return ok;
}

unsigned outdir_file_mode(const outdir *od, const char *relpath)
{
    for (size_t i = 0; i < od->n_modes; i++) {
        size_t n = strlen(od->modes[i].subdir);
        if (strncmp(relpath, od->modes[i].subdir, n) == 0 && relpath[n] == '/')
            return od->modes[i].files;
    }
    return 0;
}

/* Every file and folder below path (not links) to its mode. */
static bool apply_modes(const char *path, unsigned files, unsigned folders)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return false;
    if (S_ISLNK(st.st_mode))
        return true;
    unsigned want = S_ISDIR(st.st_mode) ? folders : files;
    bool ok = (st.st_mode & 07777) == want || chmod(path, want) == 0;
    if (S_ISDIR(st.st_mode)) {
        vec names;
        vec_init(&names, free);
        ok = fs_list_dir(path, &names) && ok;
        for (size_t i = 0; i < names.len; i++) {
            char *child = fs_join(path, names.items[i]);
            ok = apply_modes(child, files, folders) && ok;
            free(child);
        }
        vec_free(&names);
    }
    return ok;
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
static bool relpath_inside(const char *relpath);

bool outdir_unchanged(const outdir *od, const char *relpath, const char *data, size_t len)
{
    if (od->fresh || !relpath_inside(relpath))
        return false;
    char *old = fs_join(od->target, relpath);
    /* Linked, the file keeps its mode: only one that has the right one
     * (setting it would change the previous output). */
    bool same = fs_file_equals(old, data, len, outdir_file_mode(od, relpath));
    free(old);
    return same;
}

static bool write_or_link(const outdir *od, const char *relpath, const char *path,
                          const char *data, size_t len, int unchanged)
{
    if (unchanged < 0)
        unchanged = outdir_unchanged(od, relpath, data, len);
    if (unchanged) {
        char *old = fs_join(od->target, relpath);
        bool linked = keep_inherited(od, relpath, path, old);
        if (!linked && od->inherited)
            unlink(path);
        linked = linked || link(old, path) == 0;
        free(old);
        if (linked)
            return true;
    }
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

/* unchanged: outdir_unchanged's answer, or -1 to ask it. */
static bool write_file(outdir *od, const char *relpath, const char *data, size_t len,
                       int unchanged)
{
    if (interrupt_requested()) { /* the staging folder is being removed */
        od->failed = true;
        return false;
    }
    if (!relpath_inside(relpath)) {
        diag_error(od->diags, srcpos_file(od->target), "write",
                   "refused to write %s: it leads outside the "
                   "output folder",
                   relpath);
        od->failed = true;
        return false;
    }
    char *path = outdir_path(od, relpath);
    /* Try the write first: the folder usually exists. */
    bool ok = write_or_link(od, relpath, path, data, len, unchanged);
    if (!ok && errno != ENOENT && clear_way(od, relpath))
        errno = ENOENT;
    if (!ok && errno == ENOENT) {
        char *dir = fs_dirname(path);
        ok = fs_mkdir_p(dir) && write_or_link(od, relpath, path, data, len, unchanged);
        free(dir);
    }
    if (!ok) {
        diag_error(od->diags, srcpos_file(path), "write", "cannot write: %s", strerror(errno));
        od->failed = true;
    } else {
        mark_own(od, relpath);
    }
    free(path);
    return ok;
}

bool outdir_write(outdir *od, const char *relpath, const char *data, size_t len)
{
    return write_file(od, relpath, data, len, -1);
}

bool outdir_write_compared(outdir *od, const char *relpath, const char *data, size_t len,
                           bool unchanged)
{
    return write_file(od, relpath, data, len, unchanged);
}

bool outdir_write_string(outdir *od, const char *relpath, const char *text)
{
    return outdir_write(od, relpath, text, strlen(text));
}

/* ---- a file written in pieces ---- */

struct outdir_file {
    outdir *od;
    char *relpath, *path;
    int fd;
    int old_fd;   /* the previous output's file while it holds what was written so far, else -1 */
    /* What was written so far while old_fd holds it: not written to fd yet
     * (the file is most often linked at close), copied from old_fd when a
     * difference comes, or at close when it is not linked. */
    size_t held;
    int error;    /* errno of the first failed write, or 0 */
};

/* The previous output's file is read in pieces of this much: a page or
 * two (fewer calls than a smaller buffer, on any thread's stack). */
#define READ_CHUNK 65536

/* The bytes held so far, from the previous output's file into the new one. */
static void write_held(outdir_file *f)
{
    char chunk[READ_CHUNK];
    off_t at = 0;
    while (!f->error && (size_t)at < f->held) {
        size_t want = f->held - (size_t)at < sizeof chunk ? f->held - (size_t)at : sizeof chunk;
        ssize_t n = pread(f->old_fd, chunk, want, at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) { /* it was there a moment ago */
            f->error = n < 0 ? errno : EIO;
            break;
        }
        if (!fs_write_all(f->fd, chunk, (size_t)n))
            f->error = errno;
        at += n;
    }
    f->held = 0;
}

/* Whether the next len bytes of fd are data's. */
static bool read_equals(int fd, const char *data, size_t len)
{
    char chunk[READ_CHUNK];
    while (len > 0) {
        ssize_t n = read(fd, chunk, len < sizeof chunk ? len : sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || memcmp(chunk, data, (size_t)n) != 0)
            return false;
        data += n;
        len -= (size_t)n;
    }
    return true;
}

outdir_file *outdir_open(outdir *od, const char *relpath)
{
    if (interrupt_requested()) {
        od->failed = true;
        return NULL;
    }
    if (!relpath_inside(relpath)) {
        diag_error(od->diags, srcpos_file(od->target), "write",
                   "refused to write %s: it leads outside the output folder", relpath);
        od->failed = true;
        return NULL;
    }
    char *path = outdir_path(od, relpath);
    unlink(path); /* as write_or_link: never through a link to the previous output */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0 && errno != ENOENT && clear_way(od, relpath))
        errno = ENOENT;
    if (fd < 0 && errno == ENOENT) {
        char *dir = fs_dirname(path);
        if (fs_mkdir_p(dir))
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        free(dir);
    }
    if (fd < 0) {
        diag_error(od->diags, srcpos_file(path), "write", "cannot write: %s", strerror(errno));
        od->failed = true;
        free(path);
        return NULL;
    }
    outdir_file *f = xcalloc(1, sizeof *f);
    *f = (outdir_file){.od = od, .relpath = xstrdup(relpath), .path = path, .fd = fd, .old_fd = -1};
    if (!od->fresh) {
        char *old = fs_join(od->target, relpath);
        /* Not through a symbolic link: it may be linked itself. */
        f->old_fd = open(old, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        free(old);
    }
    return f;
}

bool outdir_file_write(outdir_file *f, const char *data, size_t len)
{
    if (f->error)
        return false;
    if (f->old_fd >= 0) {
        if (read_equals(f->old_fd, data, len)) {
            f->held += len;
            return true;
        }
        write_held(f);
        close(f->old_fd);
        f->old_fd = -1;
    }
    if (!f->error && !fs_write_all(f->fd, data, len))
        f->error = errno;
    return !f->error;
}

bool outdir_file_close(outdir_file *f)
{
    outdir *od = f->od;
    bool linked = false;
    if (!f->error && f->old_fd >= 0) {
        /* As outdir_write: a file the previous output holds byte for byte,
         * with the mode it would get, is linked instead. */
        char end;
        struct stat st;
        unsigned want = outdir_file_mode(od, f->relpath);
        char *old = fs_join(od->target, f->relpath);
        char *link_path = xasprintf("%s.policygen-link", f->path);
        /* The link replaces the (empty) file in one step; should it fail,
         * the bytes held are written to the file. */
        if (read(f->old_fd, &end, 1) == 0 && fstat(f->old_fd, &st) == 0 && S_ISREG(st.st_mode) &&
            (!want || (st.st_mode & 07777) == want) && link(old, link_path) == 0) {
            linked = rename(link_path, f->path) == 0;
            if (!linked)
                unlink(link_path);
        }
        free(link_path);
        free(old);
    }
    if (!linked && f->held)
        write_held(f);
    if (close(f->fd) != 0 && !f->error && !linked)
        f->error = errno;
    bool ok = !f->error;
    if (ok)
        mark_own(od, f->relpath);
    if (f->old_fd >= 0)
        close(f->old_fd);
    if (!ok) {
        diag_error(od->diags, srcpos_file(f->path), "write", "cannot write: %s",
                   strerror(f->error ? f->error : errno));
        od->failed = true;
    }
    free(f->relpath);
    free(f->path);
    free(f);
    return ok;
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
            diag_error(od->diags, srcpos_file(from), "write",
                       "cannot copy to %s: file too large (limit %s)", path, limit);
        else
            diag_error(od->diags, srcpos_file(from), "write", "cannot copy to %s: %s", path,
                       strerror(errno));
        od->failed = true;
        free(path);
        return false;
    }
    bool ok = outdir_write(od, relpath, data, len);
    free(data);
    return ok;
}

bool outdir_settle(outdir *od, const char *relpath)
{
    if (od->fresh || !relpath_inside(relpath))
        return false;
    mark_own(od, relpath); /* the build's own, linked or not */
    char *path = outdir_path(od, relpath);
    char *old = fs_join(od->target, relpath);
    size_t len;
    char *data = fs_read_file(path, OUTDIR_MAX_COPY, &len);
    bool settled = false;
    if (data && fs_file_equals(old, data, len, outdir_file_mode(od, relpath))) {
        /* The link replaces the file in one step: should it fail, the
         * file written stays. */
        char *link_path = xasprintf("%s.policygen-link", path);
        unlink(link_path);
        settled = link(old, link_path) == 0 && rename(link_path, path) == 0;
        if (!settled)
            unlink(link_path);
        free(link_path);
    }
    free(data);
    free(old);
    free(path);
    return settled;
}

/* Renames from to to unless to exists. */
static bool rename_new(const char *from, const char *to)
{
    return renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0;
}

/* outdir_begin_new's commit. The staging folder becomes the target when
 * there is none; an empty folder that exists (the user's, perhaps the one
 * they are in) keeps its place, owner and mode, and the staging folder's
 * entries move into it one by one: none over anything that came to be there
 * meanwhile, and those moved go back should one fail. */
static bool commit_fresh(outdir *od)
{
    struct stat st;
    bool exists = lstat(od->target, &st) == 0;
    bool ok = true;
    if (!exists) {
        ok = rename_new(od->staging, od->target);
        if (!ok)
            diag_error(od->diags, srcpos_file(od->target), "write",
                       "cannot put the new folder in place: %s", strerror(errno));
        return ok;
    }
    vec names;
    vec_init(&names, free);
    size_t moved = 0;
    if (!S_ISDIR(st.st_mode) || !fs_list_dir(od->staging, &names)) {
        diag_error(od->diags, srcpos_file(od->target), "write",
                   "cannot put the new folder in place: %s",
                   S_ISDIR(st.st_mode) ? strerror(errno) : "it is no longer a folder");
        ok = false;
    }
    while (ok && moved < names.len) {
        char *from = fs_join(od->staging, names.items[moved]);
        char *to = fs_join(od->target, names.items[moved]);
        ok = rename_new(from, to);
        if (ok)
            moved++;
        else
            diag_error(od->diags, srcpos_file(to), "write",
                       "cannot put the new folder's files in place: %s", strerror(errno));
        free(from);
        free(to);
    }
    for (size_t k = 0; !ok && k < moved; k++) {
        char *from = fs_join(od->staging, names.items[k]);
        char *to = fs_join(od->target, names.items[k]);
        rename_new(to, from);
        free(from);
        free(to);
    }
    vec_free(&names);
    return ok && rmdir(od->staging) == 0;
}

/* The staging folder is done with: no longer locked nor guarded. */
static void outdir_release(outdir *od)
{
    if (od->lock_fd >= 0)
        close(od->lock_fd);
    od->lock_fd = -1;
    if (od->staging)
        interrupt_release(od->staging);
    for (size_t i = 0; i < od->n_modes; i++)
        free(od->modes[i].subdir);
    od->n_modes = 0;
    inherited_free(od->inherited);
    od->inherited = NULL;
}

/* The commit's walks over whole trees (an edition's folder each) run on
 * every processor: they are most of its time, and the trees are apart. */
typedef struct tree_walk {
    const outdir *od;
    char **paths;
    int *errors; /* errno of each path's failure, or 0 */
} tree_walk;

static void modes_job(void *ctx, int worker, size_t i)
{
    (void)worker;
    tree_walk *t = ctx;
    const outdir_modes *m = &t->od->modes[i];
    if (!apply_modes(t->paths[i], m->files, m->folders))
        t->errors[i] = errno ? errno : EIO;
}

static void remove_job(void *ctx, int worker, size_t i)
{
    (void)worker;
    tree_walk *t = ctx;
    fs_remove_tree(t->paths[i]);
}

/* Sets every edition's modes (outdir_set_modes); reports the first failure. */
static bool set_modes(outdir *od)
{
    tree_walk t = {.od = od,
                   .paths = xcalloc(od->n_modes + 1, sizeof *t.paths),
                   .errors = xcalloc(od->n_modes + 1, sizeof *t.errors)};
    for (size_t i = 0; i < od->n_modes; i++)
        t.paths[i] = outdir_path(od, od->modes[i].subdir);
    parallel_for(od->n_modes, parallel_cpu_count(), modes_job, &t);
    bool ok = true;
    for (size_t i = 0; i < od->n_modes; i++) {
        if (ok && t.errors[i]) {
            diag_error(od->diags, srcpos_file(t.paths[i]), "write",
                       "cannot set the modes of the files: %s", strerror(t.errors[i]));
            ok = false;
        }
        free(t.paths[i]);
    }
    free(t.paths);
    free(t.errors);
    return ok;
}

/* The previous output, moved aside: its entries removed side by side, then
 * the folder. */
static void remove_old(const char *old)
{
    vec names;
    vec_init(&names, free);
    if (fs_list_dir(old, &names)) {
        tree_walk t = {.paths = xcalloc(names.len + 1, sizeof *t.paths)};
        for (size_t i = 0; i < names.len; i++)
            t.paths[i] = fs_join(old, names.items[i]);
        parallel_for(names.len, parallel_cpu_count(), remove_job, &t);
        for (size_t i = 0; i < names.len; i++)
            free(t.paths[i]);
        free(t.paths);
    }
    vec_free(&names);
    fs_remove_tree(old); /* what is left: the folder, or all of it should it not be listed */
}

bool outdir_commit(outdir *od)
{
    char *old = NULL;
    outdir_sweep(od, NULL);
    bool ok = set_modes(od);
    /* From here on an interrupt leaves the folders as they are: removing
     * the staging folder between the two renames would lose the output. */
    interrupt_release(od->staging);
    if (od->fresh) {
        ok = ok && commit_fresh(od);
        if (!ok)
            fs_remove_tree(od->staging);
        outdir_release(od);
        free(od->staging);
        free(od->target);
        memset(od, 0, sizeof *od);
        return ok;
    }
    if (fs_is_dir(od->target)) {
        old = xasprintf("%s.old-%ld", od->target, (long)getpid());
        fs_remove_tree(old);
        if (rename(od->target, old) != 0) {
            diag_error(od->diags, srcpos_file(od->target), "write",
                       "cannot move the old output aside: %s", strerror(errno));
            ok = false;
        }
    }
    if (ok && rename(od->staging, od->target) != 0) {
        diag_error(od->diags, srcpos_file(od->target), "write",
                   "cannot put the new output in place: %s", strerror(errno));
        if (old)
            rename(old, od->target); /* put the previous output back */
        ok = false;
    }
    if (ok && old) {
        char *spare = outdir_spare_path(od->target);
        if (!rename_new(old, spare))
            remove_old(old); /* a folder of that name that is not ours: left as it is */
        free(spare);
    }
    if (!ok)
        fs_remove_tree(od->staging);
    outdir_release(od);
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
    outdir_release(od);
    free(od->staging);
    free(od->target);
    memset(od, 0, sizeof *od);
}

#include "serve/watch.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/map.h"
#include "core/xalloc.h"
#include "diag/diag.h"

/* What changes a build: files written, made, removed or renamed, and the
 * watched folder itself going away. IN_MODIFY comes with every write();
 * the caller waits for a burst to end. */
#define EVENTS                                                                                 \
    (IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_CREATE | IN_DELETE | IN_MOVED_FROM |          \
     IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK)

struct serve_watch {
    int fd;
    map dirs;   /* watch descriptor ("%d") -> the folder's path */
    vec roots;  /* char*: watched again after the event queue overflowed */
    diag_sink *diags; /* the caller's */
};

serve_watch *serve_watch_new(diag_sink *diags)
{
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0)
        return NULL;
    serve_watch *w = xcalloc(1, sizeof *w);
    w->fd = fd;
    w->diags = diags;
    map_init(&w->dirs, free);
    vec_init(&w->roots, free);
    return w;
}

int serve_watch_fd(const serve_watch *w)
{
    return w->fd;
}

static bool ignored(const char *name)
{
    size_t n = strlen(name);
    return name[0] == '.' || (n > 0 && name[n - 1] == '~');
}

/* Watches dir and the folders below it (not following links). */
static bool watch_tree(serve_watch *w, const char *dir)
{
    int wd = inotify_add_watch(w->fd, dir, EVENTS);
    if (wd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return true; /* gone already, or not a folder: nothing to watch */
        diag_error(w->diags, srcpos_file(dir), "serve", "cannot watch this folder: %s",
                   errno == ENOSPC ? "the inotify watch limit (fs.inotify.max_user_watches) "
                                     "is reached"
                                   : strerror(errno));
        return false;
    }
    char key[16];
    snprintf(key, sizeof key, "%d", wd);
    map_set(&w->dirs, key, xstrdup(dir));
    DIR *d = opendir(dir);
    if (!d)
        return true;
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(d))) {
        if (ignored(e->d_name))
            continue; /* also . and .. */
        char *child = fs_join(dir, e->d_name);
        struct stat st;
        if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
            ok = watch_tree(w, child);
        free(child);
    }
    closedir(d);
    return ok;
}

bool serve_watch_add(serve_watch *w, const char *root)
{
    vec_push(&w->roots, xstrdup(root));
    return watch_tree(w, root);
}

int serve_watch_read(serve_watch *w, char **changed)
{
    /* Aligned as inotify(7) asks. */
    char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
    int changes = 0;
    for (;;) {
        ssize_t n = read(w->fd, buf, sizeof buf);
        if (n <= 0)
            break; /* EAGAIN: nothing more for now */
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            p += sizeof *ev + ev->len;
            if (ev->mask & IN_Q_OVERFLOW) {
                /* Events were lost: count a change and watch every folder again
                 * (a folder already watched keeps its descriptor). */
                changes++;
                for (size_t i = 0; i < w->roots.len; i++)
                    watch_tree(w, w->roots.items[i]);
                continue;
            }
            char key[16];
            snprintf(key, sizeof key, "%d", ev->wd);
            const char *dir = map_get(&w->dirs, key);
            if (!dir || (ev->mask & IN_IGNORED))
                continue; /* a watch that was removed, with its folder */
            if (ev->len > 0 && ignored(ev->name))
                continue;
            char *path = ev->len > 0 ? fs_join(dir, ev->name) : xstrdup(dir);
            if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO)))
                watch_tree(w, path);
            changes++;
            if (changed && !*changed)
                *changed = path;
            else
                free(path);
        }
    }
    return changes;
}

void serve_watch_free(serve_watch *w)
{
    if (!w)
        return;
    close(w->fd);
    map_free(&w->dirs);
    vec_free(&w->roots);
    free(w);
}

#include "core/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/strbuf.h"
#include "core/xalloc.h"

char *fs_read_file(const char *path, size_t max_bytes, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        fclose(f);
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        fclose(f);
        errno = EISDIR;
        return NULL;
    }
    if ((size_t)st.st_size > max_bytes) {
        fclose(f);
        errno = EFBIG;
        return NULL;
    }
    strbuf sb;
    sb_init(&sb);
    sb_grow(&sb, (size_t)st.st_size);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        sb_appendn(&sb, chunk, n);
        if (sb.len > max_bytes)
            break;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed || sb.len > max_bytes) {
        sb_free(&sb);
        errno = failed ? EIO : EFBIG;
        return NULL;
    }
    size_t size = sb.len;
    if (len)
        *len = size;
    /* Files are often kept (a plan's sources, for the whole build): without
     * the room a buffer leaves to grow. */
    return xrealloc(sb_take(&sb), size + 1);
}

bool fs_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

bool fs_write_file(const char *path, const char *data, size_t len)
{
    /* A file of its own: never written into one that is there, which may
     * be a link to another (core/outdir.h: the spare's files). */
    if (unlink(path) != 0 && errno != ENOENT)
        return false;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0)
        return false;
    bool written = fs_write_all(fd, data, len);
    int saved = errno;
    bool ok = close(fd) == 0 && written;
    if (!written)
        errno = saved;
    return ok;
}

bool fs_file_equals(const char *path, const char *data, size_t len, unsigned mode)
{
    /* Not through a symbolic link: the caller may link the file itself. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return false;
    struct stat st;
    bool same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len &&
                (!mode || (st.st_mode & 07777) == mode);
    /* A page in one read. */
    char chunk[65536];
    size_t done = 0;
    while (same && done < len) {
        ssize_t n = read(fd, chunk, len - done < sizeof chunk ? len - done : sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        same = n > 0 && memcmp(chunk, data + done, (size_t)n) == 0;
        if (same)
            done += (size_t)n;
    }
    close(fd);
    return same && done == len;
}

bool fs_mkdir_p(const char *path)
{
    /* Most often the folder or its parent is there already: one call, not
     * one per component (a build asks for each page's folder). */
    if (mkdir(path, 0755) == 0 || errno == EEXIST)
        return true;
    if (errno != ENOENT)
        return false;
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST) {
            free(p);
            return false;
        }
        *s = '/';
    }
    bool ok = mkdir(p, 0755) == 0 || errno == EEXIST;
    free(p);
    return ok;
}

/* Removes entry name of the folder open as in, of the type its listing gave (DT_UNKNOWN:
 * look): a file or link is unlinked without a stat, a folder emptied first,
 * each step relative to its folder's descriptor (no path walked again). */
static bool remove_at(int in, const char *name, unsigned char type)
{
    if (type == DT_UNKNOWN) {
        struct stat st;
        if (fstatat(in, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            return errno == ENOENT;
        type = S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
    }
    if (type != DT_DIR)
        return unlinkat(in, name, 0) == 0 || errno == ENOENT;
    int fd = openat(in, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return false;
    }
    bool ok = true;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        ok = remove_at(dirfd(d), e->d_name, e->d_type) && ok;
    }
    closedir(d);
    return unlinkat(in, name, AT_REMOVEDIR) == 0 && ok;
}

bool fs_remove_tree(const char *path)
{
    return remove_at(AT_FDCWD, path, DT_UNKNOWN);
}

bool fs_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool fs_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool fs_list_dir(const char *path, vec *names)
{
    DIR *d = opendir(path);
    if (!d)
        return false;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        vec_push(names, xstrdup(e->d_name));
    }
    closedir(d);
    vec_sort_strings(names);
    return true;
}

char *fs_join(const char *a, const char *b)
{
    size_t la = strlen(a);
    while (la > 1 && a[la - 1] == '/')
        la--;
    while (*b == '/')
        b++;
    if (la == 0)
        return xstrdup(b);
    return xasprintf("%.*s/%s", (int)la, a, b);
}

char *fs_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

bool fs_copy_file(const char *from, const char *to)
{
    size_t len;
    char *data = fs_read_file(from, (size_t)1 << 30, &len);
    if (!data)
        return false;
    char *dir = fs_dirname(to);
    bool ok = fs_mkdir_p(dir) && fs_write_file(to, data, len);
    free(dir);
    free(data);
    return ok;
}

char *fs_resolve(const char *path)
{
    char *resolved;
    if (path[0] == '/') {
        resolved = xstrdup("/");
    } else {
        resolved = getcwd(NULL, 0);
        if (!resolved)
            return NULL;
    }
    bool exists = true; /* once a part is missing, the rest cannot be links */
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        size_t n = strcspn(p, "/");
        if (n == 0)
            break;
        if (n == 1 && p[0] == '.') {
            /* nothing */
        } else if (n == 2 && p[0] == '.' && p[1] == '.') {
            char *slash = strrchr(resolved, '/');
            if (slash == resolved)
                resolved[1] = '\0';
            else if (slash)
                *slash = '\0';
            exists = access(resolved, F_OK) == 0;
        } else {
            char *next = xasprintf("%s%s%.*s", resolved, strcmp(resolved, "/") ? "/" : "", (int)n, p);
            char *real = exists ? realpath(next, NULL) : NULL;
            if (real) {
                free(next);
                next = real;
            } else {
                exists = false;
            }
            free(resolved);
            resolved = next;
        }
        p += n;
    }
    return resolved;
}

bool fs_path_within(const char *inner, const char *outer)
{
    size_t n = strlen(outer);
    if (strcmp(outer, "/") == 0)
        return true;
    return strncmp(inner, outer, n) == 0 && (inner[n] == '\0' || inner[n] == '/');
}

#include "serve/files.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/xalloc.h"

bool serve_path_ok(const char *path)
{
    if (path[0] != '/' || strchr(path, '\\'))
        return false;
    const char *seg = path + 1;
    for (;;) {
        const char *end = strchr(seg, '/');
        size_t len = end ? (size_t)(end - seg) : strlen(seg);
        if (len == 0 && end)
            return false; /* "//": an empty segment in the middle */
        if (len > 0 && seg[0] == '.')
            return false; /* ".", ".." and hidden names alike */
        if (!end)
            return true;
        seg = end + 1;
    }
}

/* Why name in dir could not be opened: a symbolic link (opened with
 * O_NOFOLLOW, a link fails with ELOOP, or ENOTDIR when a folder was asked
 * for), or nothing there. */
static serve_lookup failure(int dir, const char *name)
{
    struct stat st;
    if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
        return SERVE_SYMLINK;
    return SERVE_NOT_FOUND;
}

serve_lookup serve_open(const char *root, const char *path, int *fd, struct stat *st,
                        const char **name)
{
    *fd = -1;
    if (!serve_path_ok(path))
        return SERVE_BAD_PATH;
    int dir = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return SERVE_NOT_FOUND;
    char *copy = xstrdup(path + 1);
    char *seg = copy;
    serve_lookup result = SERVE_NOT_FOUND;
    for (;;) {
        char *slash = strchr(seg, '/');
        if (slash) {
            *slash = '\0';
            int next = openat(dir, seg, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (next < 0) {
                result = failure(dir, seg);
                break;
            }
            close(dir);
            dir = next;
            seg = slash + 1;
            continue;
        }
        const char *leaf = *seg ? seg : "index.html";
        /* O_NONBLOCK: a FIFO planted in the output must not hang the server. */
        int f = openat(dir, leaf, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (f < 0) {
            result = failure(dir, leaf);
            break;
        }
        if (fstat(f, st) != 0 || !(S_ISREG(st->st_mode) || S_ISDIR(st->st_mode))) {
            close(f);
            break;
        }
        if (S_ISDIR(st->st_mode)) {
            close(f);
            result = *seg ? SERVE_DIRECTORY : SERVE_NOT_FOUND;
            break;
        }
        *fd = f;
        *name = *seg ? path + (size_t)(seg - copy) + 1 : "index.html";
        result = SERVE_FOUND;
        break;
    }
    if (dir >= 0)
        close(dir);
    free(copy);
    return result;
}

static const struct {
    const char *ext;
    const char *type;
} TYPES[] = {
    /* What a build writes... */
    {"html", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"csv", "text/csv; charset=utf-8"},
    {"ics", "text/calendar; charset=utf-8"},
    {"json", "application/json"}, /* UTF-8 by definition (RFC 8259): no charset */
    {"svg", "image/svg+xml"},
    {"pdf", "application/pdf"},
    {"zip", "application/zip"},
    /* ...and what evidence files commonly are. */
    {"htm", "text/html; charset=utf-8"},
    {"txt", "text/plain; charset=utf-8"},
    {"md", "text/markdown; charset=utf-8"},
    {"xml", "application/xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"ico", "image/vnd.microsoft.icon"},
    {"woff2", "font/woff2"},
    {"woff", "font/woff"},
    {"ttf", "font/ttf"},
    {"otf", "font/otf"},
    {"odt", "application/vnd.oasis.opendocument.text"},
    {"ods", "application/vnd.oasis.opendocument.spreadsheet"},
    {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
};

const char *serve_content_type(const char *name)
{
    const char *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;
    const char *dot = strrchr(base, '.');
    if (dot && dot != base)
        for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++)
            if (strcasecmp(dot + 1, TYPES[i].ext) == 0)
                return TYPES[i].type;
    return "application/octet-stream";
}

bool serve_type_is_html(const char *type)
{
    return strncmp(type, "text/html", 9) == 0;
}

#include "core/srcfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fs.h"
#include "core/utf8.h"

bool srcfile_confined(const char *path, const char *folder, srcpos at, diag_sink *diags)
{
    /* A file directly in folder that is not a link is inside it, wherever
     * folder leads: no path need be resolved (the load asks this of every
     * chapter, and resolving reads each folder on the way). */
    struct stat st;
    char *parent = fs_dirname(path);
    bool direct = strcmp(parent, folder) == 0;
    free(parent);
    if (direct && lstat(path, &st) == 0 && !S_ISLNK(st.st_mode))
        return true;
    char *real = realpath(path, NULL);
    if (!real)
        return true;
    char *root = realpath(folder, NULL);
    bool inside = root && fs_path_within(real, root);
    if (!inside)
        diag_error(diags, at.path ? at : srcpos_file(path), "outside",
                   "%s leads outside %s (to %s); a symbolic link may not leave its folder", path,
                   folder, real);
    free(root);
    free(real);
    return inside;
}

void srcfile_limit_text(size_t bytes, char *buf, size_t size)
{
    if (bytes >= ((size_t)1 << 20) && bytes % ((size_t)1 << 20) == 0)
        snprintf(buf, size, "%zu MiB", bytes >> 20);
    else if (bytes >= 1024 && bytes % 1024 == 0)
        snprintf(buf, size, "%zu KiB", bytes >> 10);
    else
        snprintf(buf, size, "%zu bytes", bytes);
}

char *srcfile_read(const char *path, size_t max_bytes, size_t *len, const char *code,
                   diag_sink *diags)
{
    char *data = fs_read_file(path, max_bytes, len);
    if (data)
        return data;
    int err = errno;
    struct stat st;
    if (err == EFBIG) {
        char limit[32];
        srcfile_limit_text(max_bytes, limit, sizeof limit);
        if (stat(path, &st) == 0)
            diag_error(diags, srcpos_file(path), code, "file too large: %lld bytes (limit %s)",
                       (long long)st.st_size, limit);
        else
            diag_error(diags, srcpos_file(path), code, "file too large (limit %s)", limit);
    } else {
        diag_error(diags, srcpos_file(path), "read", "cannot read: %s", strerror(err));
    }
    errno = err;
    return NULL;
}

bool srcfile_check_text(const char *path, const char *text, size_t len, int first_line,
                        diag_sink *diags)
{
    int line = first_line;
    size_t line_start = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)text[i];
        /* Most text is printable ASCII: no decoding needed. */
        if (c >= 0x20 && c < 0x7F) {
            i++;
            continue;
        }
        if (c == '\n') {
            line++;
            line_start = ++i;
            continue;
        }
        /* Chinese text: three bytes from U+1000 to U+FFFF (not the
         * surrogates' ED), never a control, needs no decoding either. */
        if (c >= 0xE1 && c != 0xED && c <= 0xEF && len - i >= 3 &&
            ((unsigned char)text[i + 1] & 0xC0) == 0x80 && ((unsigned char)text[i + 2] & 0xC0) == 0x80) {
            i += 3;
            continue;
        }
        uint32_t cp;
        size_t n = utf8_decode(text + i, len - i, &cp);
        srcpos at = {path, line, (int)(i - line_start) + 1};
        if (n == 0) {
            diag_error(diags, at, "text", "not valid UTF-8 (byte 0x%02x); text files must be UTF-8",
                       c);
            return false;
        }
        if (utf8_is_control(cp)) {
            diag_error(diags, at, "text", "control character U+%04X is not allowed in text",
                       (unsigned)cp);
            return false;
        }
        i += n;
    }
    return true;
}

size_t srcfile_bom(const char *text, size_t len)
{
    return len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

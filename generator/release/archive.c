#include "release/archive.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zip.h>

#include "core/fs.h"
#include "core/srcfile.h"
#include "core/map.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "diag/diag.h"

#define NAME_MAX_BYTES 1024
#define CD_MAX_BYTES ((uint64_t)64 << 20)
#define EOCD_SIZE 22
#define EOCD64_LOCATOR_SIZE 20
#define EOCD64_SIZE 56
#define CDH_SIZE 46

struct release_archive {
    char *path;
    zip_t *zip;
    vec entries; /* of release_entry*, owned, in directory order */
    map by_name; /* name -> release_entry*, borrowed */
    diag_sink *diags; /* where reading it tells its problems (the opener's) */
};

release_limits release_default_limits(void)
{
    return (release_limits){.max_total = (uint64_t)256 << 20,
                            .max_entry = (uint64_t)64 << 20,
                            .max_entries = 20000,
                            .max_ratio = 200,
                            .ratio_floor = (uint64_t)1 << 20};
}

/* ---- little-endian fields ---- */

static uint16_t rd16(const unsigned char *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t rd64(const unsigned char *p)
{
    return (uint64_t)rd32(p) | ((uint64_t)rd32(p + 4) << 32);
}

/* A name as it may be shown: bytes outside printable ASCII and UTF-8
 * sequences, and quotes and backslashes, as \xNN; the caller frees. */
static char *shown_name(const unsigned char *s, size_t n)
{
    strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c < 0x20 || c == 0x7f || c == '\\' || c == '\'')
            sb_printf(&sb, "\\x%02x", c);
        else
            sb_appendc(&sb, (char)c);
    }
    return sb_take(&sb);
}

static void entry_free(void *p)
{
    release_entry *e = p;
    if (!e)
        return;
    free(e->name);
    free(e);
}

static void archive_free(release_archive *a)
{
    if (!a)
        return;
    if (a->zip)
        zip_discard(a->zip);
    vec_free(&a->entries);
    map_free(&a->by_name);
    free(a->path);
    free(a);
}

void release_close(release_archive *a)
{
    archive_free(a);
}

static bool read_at(FILE *f, uint64_t off, void *buf, size_t n)
{
    if (off > (uint64_t)INT64_MAX || fseeko(f, (off_t)off, SEEK_SET) != 0)
        return false;
    return fread(buf, 1, n, f) == n;
}

/* ---- the end of central directory ---- */

typedef struct cd_info {
    uint64_t entries;
    uint64_t size;
    uint64_t offset;
    uint64_t end; /* where the records after the directory start */
} cd_info;

static bool zip_problem(const char *path, const char *what, diag_sink *diags)
{
    diag_error(diags, srcpos_file(path), "zip", "not a readable zip: %s", what);
    return false;
}

static bool find_directory(const char *path, FILE *f, uint64_t file_size, cd_info *cd,
                           diag_sink *diags)
{
    if (file_size < EOCD_SIZE)
        return zip_problem(path, "too short to hold a zip directory", diags);
    size_t tail_len = file_size < EOCD_SIZE + 0xffff ? (size_t)file_size : EOCD_SIZE + 0xffff;
    unsigned char *tail = xmalloc(tail_len);
    if (!read_at(f, file_size - tail_len, tail, tail_len)) {
        free(tail);
        return zip_problem(path, "cannot read its end", diags);
    }
    /* The last end record whose comment runs exactly to the end of the file. */
    size_t pos = SIZE_MAX;
    for (size_t i = tail_len - EOCD_SIZE + 1; i-- > 0;) {
        if (rd32(tail + i) == 0x06054b50 && i + EOCD_SIZE + rd16(tail + i + 20) == tail_len) {
            pos = i;
            break;
        }
    }
    if (pos == SIZE_MAX) {
        free(tail);
        return zip_problem(path, "no end of central directory record", diags);
    }
    const unsigned char *e = tail + pos;
    uint64_t eocd_off = file_size - tail_len + pos;
    uint16_t disk = rd16(e + 4), cd_disk = rd16(e + 6);
    uint64_t on_disk = rd16(e + 8);
    cd->entries = rd16(e + 10);
    cd->size = rd32(e + 12);
    cd->offset = rd32(e + 16);
    cd->end = eocd_off;
    free(tail);
    if (disk != 0 || cd_disk != 0 || on_disk != cd->entries)
        return zip_problem(path, "split over several disks", diags);

    /* Zip64: a locator just before the end record points to the real one. */
    unsigned char loc[EOCD64_LOCATOR_SIZE];
    if (eocd_off >= EOCD64_LOCATOR_SIZE &&
        read_at(f, eocd_off - EOCD64_LOCATOR_SIZE, loc, sizeof loc) && rd32(loc) == 0x07064b50) {
        uint64_t rec_off = rd64(loc + 8);
        unsigned char r[EOCD64_SIZE];
        if (rd32(loc + 4) != 0 || rd32(loc + 16) != 1)
            return zip_problem(path, "split over several disks", diags);
        if (rec_off > eocd_off - EOCD64_LOCATOR_SIZE ||
            eocd_off - EOCD64_LOCATOR_SIZE - rec_off < EOCD64_SIZE ||
            !read_at(f, rec_off, r, sizeof r) || rd32(r) != 0x06064b50)
            return zip_problem(path, "a zip64 locator that points to no zip64 end record", diags);
        if (rd32(r + 16) != 0 || rd32(r + 20) != 0 || rd64(r + 24) != rd64(r + 32))
            return zip_problem(path, "split over several disks", diags);
        cd->entries = rd64(r + 32);
        cd->size = rd64(r + 40);
        cd->offset = rd64(r + 48);
        cd->end = rec_off;
    } else if (cd->entries == 0xffff || cd->size == 0xffffffff || cd->offset == 0xffffffff) {
        return zip_problem(path, "zip64 sizes without a zip64 end record", diags);
    }
    if (cd->offset > cd->end || cd->size > cd->end - cd->offset)
        return zip_problem(path, "its central directory lies outside the file", diags);
    return true;
}

/* ---- names ---- */

/* Checks one entry name; false after a diagnostic. */
static bool check_name(const char *path, const unsigned char *name, size_t n, diag_sink *diags)
{
    char *shown = shown_name(name, n);
    const char *why = NULL;
    if (n == 0)
        why = "has an empty name";
    else if (n > NAME_MAX_BYTES)
        why = "has a name longer than 1,024 bytes";
    else if (memchr(name, '\0', n))
        why = "has a NUL byte in its name";
    else if (memchr(name, '\\', n))
        why = "has a backslash in its name (a Windows path?)";
    else if (name[0] == '/')
        why = "is an absolute path";
    if (!why) {
        for (size_t i = 0; i < n; i++) {
            if (name[i] < 0x20 || name[i] == 0x7f) {
                why = "has a control character in its name";
                break;
            }
        }
    }
    if (!why) {
        /* Components: a trailing '/' marks a folder and ends no component. */
        size_t end = name[n - 1] == '/' ? n - 1 : n;
        size_t start = 0;
        while (!why && start <= end) {
            const unsigned char *slash = memchr(name + start, '/', end - start);
            size_t stop = slash ? (size_t)(slash - name) : end;
            size_t len = stop - start;
            if (len == 2 && name[start] == '.' && name[start + 1] == '.')
                why = "has a '..' component: it would leave its folder";
            else if (len == 0 || (len == 1 && name[start] == '.'))
                why = "has an empty or '.' component";
            start = stop + 1;
        }
    }
    if (why)
        diag_error(diags, srcpos_file(path), "zip", "entry '%s' %s", shown, why);
    free(shown);
    return !why;
}

/* Zip64 extended information: the 64-bit values of the fields that say
 * 0xffffffff, in the order size, compressed size, offset. */
static bool read_zip64_extra(const unsigned char *extra, size_t n, uint64_t *size, uint64_t *comp,
                             uint64_t *offset)
{
    size_t i = 0;
    while (i + 4 <= n) {
        uint16_t id = rd16(extra + i), len = rd16(extra + i + 2);
        if (i + 4 + len > n)
            return false;
        if (id == 0x0001) {
            const unsigned char *p = extra + i + 4;
            size_t left = len;
            uint64_t *fields[] = {size, comp, offset};
            for (int k = 0; k < 3; k++) {
                if (*fields[k] != 0xffffffff)
                    continue;
                if (left < 8)
                    return false;
                *fields[k] = rd64(p);
                p += 8;
                left -= 8;
            }
            return true;
        }
        i += 4 + (size_t)len;
    }
    /* No zip64 field: fine unless a value needed one. */
    return *size != 0xffffffff && *comp != 0xffffffff && *offset != 0xffffffff;
}

static char *fmt_size(uint64_t n)
{
    if (n >= ((uint64_t)1 << 30) && n % ((uint64_t)1 << 30) == 0)
        return xasprintf("%" PRIu64 " GiB", n >> 30);
    if (n >= ((uint64_t)1 << 20) && n % ((uint64_t)1 << 20) == 0)
        return xasprintf("%" PRIu64 " MiB", n >> 20);
    return xasprintf("%" PRIu64 " bytes", n);
}

/* Parses and checks the whole directory into a->entries. */
static bool read_directory(release_archive *a, FILE *f, const cd_info *cd,
                           const release_limits *lim)
{
    diag_sink *diags = a->diags;
    const char *path = a->path;
    if (cd->entries > lim->max_entries) {
        diag_error(diags, srcpos_file(path), "zip",
                   "the zip declares %" PRIu64 " entries, more than the limit of %zu", cd->entries,
                   lim->max_entries);
        return false;
    }
    if (cd->size > CD_MAX_BYTES || cd->size < cd->entries * CDH_SIZE)
        return zip_problem(path, "its central directory has an impossible size", diags);
    unsigned char *buf = xmalloc(cd->size ? (size_t)cd->size : 1);
    if (!read_at(f, cd->offset, buf, (size_t)cd->size)) {
        free(buf);
        return zip_problem(path, "cannot read its central directory", diags);
    }
    bool ok = true;
    uint64_t total = 0;
    bool total_reported = false;
    size_t p = 0, n = (size_t)cd->size;
    for (uint64_t i = 0; i < cd->entries; i++) {
        if (n - p < CDH_SIZE || rd32(buf + p) != 0x02014b50) {
            free(buf);
            return zip_problem(path, "a damaged central directory record", diags);
        }
        const unsigned char *h = buf + p;
        uint16_t made_by = rd16(h + 4);
        uint16_t flags = rd16(h + 8);
        uint16_t method = rd16(h + 10);
        uint32_t crc = rd32(h + 16);
        uint64_t comp = rd32(h + 20), size = rd32(h + 24);
        size_t name_len = rd16(h + 28), extra_len = rd16(h + 30), comment_len = rd16(h + 32);
        uint16_t disk = rd16(h + 34);
        uint32_t ext_attr = rd32(h + 38);
        uint64_t offset = rd32(h + 42);
        if (n - p - CDH_SIZE < name_len + extra_len + comment_len) {
            free(buf);
            return zip_problem(path, "a central directory record runs past the directory", diags);
        }
        const unsigned char *name = h + CDH_SIZE;
        const unsigned char *extra = name + name_len;
        p += CDH_SIZE + name_len + extra_len + comment_len;

        char *shown = shown_name(name, name_len);
        if (disk == 0xffff)
            disk = 0;
        if (!read_zip64_extra(extra, extra_len, &size, &comp, &offset)) {
            diag_error(diags, srcpos_file(path), "zip", "entry '%s' has a damaged zip64 field",
                       shown);
            ok = false;
            free(shown);
            continue;
        }
        bool entry_ok = check_name(path, name, name_len, diags);
        bool is_dir = name_len && name[name_len - 1] == '/';
        /* Unix mode bits, when the entry was made on Unix (host 3). */
        if ((made_by >> 8) == 3) {
            unsigned mode = ext_attr >> 16;
            unsigned type = mode & S_IFMT;
            if (type == S_IFLNK) {
                diag_error(diags, srcpos_file(path), "zip", "entry '%s' is a symbolic link", shown);
                entry_ok = false;
            } else if (type != 0 && type != S_IFREG && type != S_IFDIR) {
                diag_error(diags, srcpos_file(path), "zip",
                           "entry '%s' is neither a file nor a folder (mode %06o)", shown, mode);
                entry_ok = false;
            } else if ((type == S_IFDIR) != is_dir && type != 0) {
                diag_error(diags, srcpos_file(path), "zip",
                           "entry '%s' is marked as a %s but named as a %s", shown,
                           type == S_IFDIR ? "folder" : "file", is_dir ? "folder" : "file");
                entry_ok = false;
            }
        }
        if (flags & 0x0041) {
            diag_error(diags, srcpos_file(path), "zip", "entry '%s' is encrypted", shown);
            entry_ok = false;
        } else if (method != 0 && method != 8) {
            diag_error(diags, srcpos_file(path), "zip",
                       "entry '%s' uses compression method %u (only stored and deflate are read)",
                       shown, method);
            entry_ok = false;
        }
        if (disk != 0 || offset >= cd->offset) {
            diag_error(diags, srcpos_file(path), "zip", "entry '%s' has its data outside the file",
                       shown);
            entry_ok = false;
        }
        if (is_dir && size != 0) {
            diag_error(diags, srcpos_file(path), "zip",
                       "folder entry '%s' declares %" PRIu64 " bytes", shown, size);
            entry_ok = false;
        }
        if (size > lim->max_entry) {
            char *limit = fmt_size(lim->max_entry);
            diag_error(diags, srcpos_file(path), "zip",
                       "entry '%s' declares %" PRIu64 " bytes, more than the limit of %s", shown,
                       size, limit);
            free(limit);
            entry_ok = false;
        } else if (method == 0 && comp != size) {
            diag_error(diags, srcpos_file(path), "zip",
                       "entry '%s' is stored but declares %" PRIu64 " bytes from %" PRIu64, shown,
                       size, comp);
            entry_ok = false;
        } else if (size > lim->ratio_floor && size / (comp ? comp : 1) > lim->max_ratio) {
            diag_error(diags, srcpos_file(path), "zip",
                       "entry '%s' would inflate %" PRIu64 " times (%" PRIu64 " bytes from %" PRIu64
                       "), more than the limit of %" PRIu64,
                       shown, size / (comp ? comp : 1), size, comp, lim->max_ratio);
            entry_ok = false;
        }
        if (size <= lim->max_entry) {
            total += size;
            if (total > lim->max_total && !total_reported) {
                char *limit = fmt_size(lim->max_total);
                diag_error(diags, srcpos_file(path), "zip",
                           "the entries declare more than %s in all (at entry '%s')", limit, shown);
                free(limit);
                total_reported = true;
                entry_ok = false;
            }
        }
        if (entry_ok) {
            release_entry *e = xcalloc(1, sizeof *e);
            e->name = xstrndup((const char *)name, name_len);
            e->is_dir = is_dir;
            e->size = size;
            e->comp_size = comp;
            e->crc = crc;
            e->method = method;
            e->index = i;
            if (map_has(&a->by_name, e->name)) {
                diag_error(diags, srcpos_file(path), "zip", "entry '%s' appears twice", shown);
                entry_free(e);
                entry_ok = false;
            } else {
                vec_push(&a->entries, e);
                map_set(&a->by_name, e->name, e);
            }
        }
        ok = ok && entry_ok;
        free(shown);
    }
    free(buf);
    if (ok && p != n)
        return zip_problem(path, "its central directory has bytes after the last record", diags);
    if (!ok)
        return false;
    /* A file may not also be a folder of other entries ("a" and "a/b"). */
    for (size_t i = 0; i < a->entries.len; i++) {
        const release_entry *e = a->entries.items[i];
        char *prefix = xstrdup(e->name);
        for (char *s = prefix; *s; s++) {
            if (*s != '/' || !s[1])
                continue;
            *s = '\0';
            const release_entry *parent = map_get(&a->by_name, prefix);
            *s = '/';
            if (parent && !parent->is_dir) {
                char *shown = shown_name((const unsigned char *)e->name, strlen(e->name));
                diag_error(diags, srcpos_file(path), "zip",
                           "entry '%s' is inside '%s', which is a file", shown, parent->name);
                free(shown);
                ok = false;
                break;
            }
        }
        free(prefix);
    }
    return ok;
}

/* libzip must see what the directory scan saw: one view of the file. */
static bool agree_with_libzip(release_archive *a)
{
    diag_sink *diags = a->diags;
    int err = 0;
    a->zip = zip_open(a->path, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    if (!a->zip) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, err);
        diag_error(diags, srcpos_file(a->path), "zip", "not a readable zip: %s",
                   zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return false;
    }
    zip_int64_t n = zip_get_num_entries(a->zip, 0);
    if (n < 0 || (uint64_t)n != a->entries.len) {
        diag_error(diags, srcpos_file(a->path), "zip",
                   "not a readable zip: its directory lists %zu entries, libzip sees %lld",
                   a->entries.len, (long long)n);
        return false;
    }
    for (size_t i = 0; i < a->entries.len; i++) {
        const release_entry *e = a->entries.items[i];
        const char *name = zip_get_name(a->zip, e->index, ZIP_FL_ENC_RAW);
        zip_stat_t st;
        if (!name || strcmp(name, e->name) != 0 || zip_stat_index(a->zip, e->index, 0, &st) != 0 ||
            !(st.valid & ZIP_STAT_SIZE) || st.size != e->size || !(st.valid & ZIP_STAT_COMP_SIZE) ||
            st.comp_size != e->comp_size) {
            char *shown = shown_name((const unsigned char *)e->name, strlen(e->name));
            diag_error(diags, srcpos_file(a->path), "zip",
                       "entry '%s' reads differently through libzip (a damaged or crafted zip)",
                       shown);
            free(shown);
            return false;
        }
    }
    return true;
}

release_archive *release_open(const char *path, const release_limits *limits, diag_sink *diags)
{
    release_limits lim = limits ? *limits : release_default_limits();
    release_archive *a = xcalloc(1, sizeof *a);
    a->path = xstrdup(path);
    a->diags = diags;
    vec_init(&a->entries, entry_free);
    map_init(&a->by_name, NULL);
    FILE *f = fopen(path, "rb");
    struct stat st;
    int err = 0;
    if (!f)
        err = errno;
    else if (fstat(fileno(f), &st) != 0)
        err = errno;
    else if (S_ISDIR(st.st_mode))
        err = EISDIR;
    else if (!S_ISREG(st.st_mode))
        err = EINVAL;
    if (err) {
        diag_error(diags, srcpos_file(path), "zip", "cannot open: %s", strerror(err));
        if (f)
            fclose(f);
        archive_free(a);
        return NULL;
    }
    cd_info cd;
    bool ok = find_directory(path, f, (uint64_t)st.st_size, &cd, diags) &&
              read_directory(a, f, &cd, &lim);
    fclose(f);
    if (!ok || !agree_with_libzip(a)) {
        archive_free(a);
        return NULL;
    }
    return a;
}

const char *release_archive_path(const release_archive *a)
{
    return a->path;
}

size_t release_entry_count(const release_archive *a)
{
    return a->entries.len;
}

const release_entry *release_entry_at(const release_archive *a, size_t i)
{
    return i < a->entries.len ? a->entries.items[i] : NULL;
}

const release_entry *release_find(const release_archive *a, const char *name)
{
    return map_get(&a->by_name, name);
}

char *release_read_entry(release_archive *a, const release_entry *e, size_t *len)
{
    diag_sink *diags = a->diags;
    char *shown = shown_name((const unsigned char *)e->name, strlen(e->name));
    if (e->is_dir) {
        diag_error(diags, srcpos_file(a->path), "zip", "entry '%s' is a folder, not a file", shown);
        free(shown);
        return NULL;
    }
    zip_file_t *zf = zip_fopen_index(a->zip, e->index, 0);
    if (!zf) {
        diag_error(diags, srcpos_file(a->path), "zip", "entry '%s': cannot read: %s", shown,
                   zip_strerror(a->zip));
        free(shown);
        return NULL;
    }
    /* One byte more than declared, to see an entry that inflates to more. */
    size_t cap = (size_t)e->size + 1;
    char *buf = xmalloc(cap + 1);
    size_t got = 0;
    const char *err = NULL;
    while (got < cap) {
        zip_int64_t r = zip_fread(zf, buf + got, cap - got);
        if (r < 0) {
            err = zip_file_strerror(zf);
            break;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    if (err)
        diag_error(diags, srcpos_file(a->path), "zip", "entry '%s': cannot read: %s", shown, err);
    else if (got != e->size)
        diag_error(diags, srcpos_file(a->path), "zip",
                   "entry '%s' inflates to %s bytes, not the %" PRIu64 " it declares", shown,
                   got > e->size ? "more" : "fewer", e->size);
    int closed = zip_fclose(zf);
    if (!err && got == e->size && closed != 0) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, closed);
        diag_error(diags, srcpos_file(a->path), "zip", "entry '%s': cannot read: %s", shown,
                   zip_error_strerror(&ze));
        zip_error_fini(&ze);
        err = "";
    }
    free(shown);
    if (err || got != e->size) {
        free(buf);
        return NULL;
    }
    buf[got] = '\0';
    if (len)
        *len = got;
    return buf;
}

char *release_read(release_archive *a, const char *name, size_t *len)
{
    const release_entry *e = release_find(a, name);
    if (!e) {
        diag_error(a->diags, srcpos_file(a->path), "zip", "no entry '%s'", name);
        return NULL;
    }
    return release_read_entry(a, e, len);
}

/* ---- extracting ---- */

static bool make_dest(const char *dest, diag_sink *diags)
{
    if (mkdir(dest, 0755) == 0)
        return true;
    if (errno == ENOENT) {
        char *parent = fs_dirname(dest);
        bool ok = fs_mkdir_p(parent);
        free(parent);
        if (ok && mkdir(dest, 0755) == 0)
            return true;
    }
    if (errno != EEXIST) {
        diag_error(diags, srcpos_file(dest), "zip", "cannot create folder: %s", strerror(errno));
        return false;
    }
    struct stat st;
    vec names;
    vec_init(&names, free);
    bool empty =
        lstat(dest, &st) == 0 && S_ISDIR(st.st_mode) && fs_list_dir(dest, &names) && names.len == 0;
    vec_free(&names);
    if (!empty)
        diag_error(diags, srcpos_file(dest), "zip",
                   "will not extract into a folder that is not empty");
    return empty;
}

/* Creates the folders of rel (relative to dest) one by one. */
static bool make_parents(const char *dest, const char *rel, diag_sink *diags)
{
    char *p = xstrdup(rel);
    bool ok = true;
    for (char *s = p; ok && *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        char *dir = fs_join(dest, p);
        if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
            diag_error(diags, srcpos_file(dir), "zip", "cannot create folder: %s", strerror(errno));
            ok = false;
        }
        free(dir);
        *s = '/';
    }
    free(p);
    return ok;
}

bool release_extract(release_archive *a, const char *prefix, const char *dest, size_t *files)
{
    diag_sink *diags = a->diags;
    size_t count = 0;
    if (files)
        *files = 0;
    if (!make_dest(dest, diags))
        return false;
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < a->entries.len; i++) {
        const release_entry *e = a->entries.items[i];
        if (e->is_dir || strncmp(e->name, prefix, plen) != 0 || !e->name[plen])
            continue;
        const char *rel = e->name + plen;
        if (!make_parents(dest, rel, diags))
            return false;
        size_t len;
        char *data = release_read_entry(a, e, &len);
        if (!data)
            return false;
        char *out = fs_join(dest, rel);
        int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        bool ok = fd >= 0 && fs_write_all(fd, data, len);
        if (fd >= 0 && close(fd) != 0)
            ok = false;
        if (!ok)
            diag_error(diags, srcpos_file(out), "zip", "cannot write: %s", strerror(errno));
        free(out);
        free(data);
        if (!ok)
            return false;
        count++;
        if (files)
            *files = count;
    }
    return true;
}

/* ---- versions ---- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int release_version_compare(const char *a, const char *b)
{
    const char *p = a, *q = b;
    while (*p && *q) {
        if (is_digit(*p) && is_digit(*q)) {
            while (*p == '0' && is_digit(p[1]))
                p++;
            while (*q == '0' && is_digit(q[1]))
                q++;
            size_t lp = 0, lq = 0;
            while (is_digit(p[lp]))
                lp++;
            while (is_digit(q[lq]))
                lq++;
            if (lp != lq)
                return lp < lq ? -1 : 1;
            int c = memcmp(p, q, lp);
            if (c)
                return c < 0 ? -1 : 1;
            p += lp;
            q += lq;
        } else {
            if (*p != *q)
                return (unsigned char)*p < (unsigned char)*q ? -1 : 1;
            p++;
            q++;
        }
    }
    if (*p || *q)
        return *p ? 1 : -1;
    int c = strcmp(a, b);
    return c < 0 ? -1 : c > 0;
}

char *release_zip_path(const char *content_dir, const char *version)
{
    char *dir = fs_join(content_dir, "releases");
    char *path = xasprintf("%s/%s.zip", dir, version);
    free(dir);
    return path;
}

static int cmp_versions(const void *x, const void *y)
{
    return release_version_compare(*(char *const *)x, *(char *const *)y);
}

bool release_list_versions(const char *content_dir, vec *out, diag_sink *diags)
{
    char *dir = fs_join(content_dir, "releases");
    vec names;
    vec_init(&names, free);
    bool ok = fs_list_dir(dir, &names) || errno == ENOENT;
    if (!ok)
        diag_error(diags, srcpos_file(dir), "release", "cannot list folder: %s", strerror(errno));
    vec found;
    vec_init(&found, NULL);
    for (size_t i = 0; i < names.len; i++) {
        const char *name = names.items[i];
        size_t n = strlen(name);
        if (name[0] == '.' || n <= 4 || strcmp(name + n - 4, ".zip") != 0)
            continue;
        char *full = fs_join(dir, name);
        struct stat st;
        /* A link is followed only inside releases/. */
        if (!srcfile_confined(full, dir, srcpos_file(full), diags))
            ok = false;
        else if (stat(full, &st) == 0 && S_ISREG(st.st_mode))
            vec_push(&found, xstrndup(name, n - 4));
        free(full);
    }
    vec_sort(&found, cmp_versions);
    for (size_t i = 0; i < found.len; i++)
        vec_push(out, found.items[i]);
    vec_free(&found);
    vec_free(&names);
    free(dir);
    return ok;
}

#include "release/zipwrite.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zip.h>

#include "core/fs.h"
#include "core/interrupt.h"
#include "core/vec.h"
#include "core/xalloc.h"
#include "diag/diag.h"

struct zip_writer {
    vec entries; /* of zipw_entry*, owned */
    size_t temp_serial;
    diag_sink *diags; /* where its failures are told (the caller's) */
};

static void entry_free(void *p)
{
    zipw_entry *e = p;
    if (!e)
        return;
    free(e->name);
    free(e->data);
    free(e);
}

zip_writer *zipw_new(diag_sink *diags)
{
    zip_writer *z = xcalloc(1, sizeof *z);
    z->diags = diags;
    vec_init(&z->entries, entry_free);
    return z;
}

void zipw_free(zip_writer *z)
{
    if (!z)
        return;
    vec_free(&z->entries);
    free(z);
}

void zipw_add(zip_writer *z, const char *name, char *data, size_t len)
{
    zipw_entry *e = xcalloc(1, sizeof *e);
    e->name = xstrdup(name);
    e->data = data;
    e->len = len;
    hash_sha256_hex(data ? data : "", len, e->sha256);
    vec_push(&z->entries, e);
}

static bool add_tree_at(zip_writer *z, const char *prefix, const char *dir, const char *rel,
                        const char *skip_top, uint64_t max_entry)
{
    char *here = rel ? fs_join(dir, rel) : xstrdup(dir);
    vec names;
    vec_init(&names, free);
    bool ok = fs_list_dir(here, &names);
    if (!ok)
        diag_error(z->diags, srcpos_file(here), "zip", "cannot read folder: %s", strerror(errno));
    for (size_t i = 0; ok && i < names.len; i++) {
        const char *name = names.items[i];
        if (!rel && skip_top && strcmp(name, skip_top) == 0)
            continue;
        char *child_rel = rel ? xasprintf("%s/%s", rel, name) : xstrdup(name);
        char *full = fs_join(dir, child_rel);
        struct stat st;
        if (lstat(full, &st) != 0) {
            diag_error(z->diags, srcpos_file(full), "zip", "cannot read: %s", strerror(errno));
            ok = false;
        } else if (S_ISDIR(st.st_mode)) {
            ok = add_tree_at(z, prefix, dir, child_rel, skip_top, max_entry);
        } else if (S_ISLNK(st.st_mode)) {
            diag_error(z->diags, srcpos_file(full), "zip",
                       "is a symbolic link: a zip holds only regular files (copy the file "
                       "in its place)");
            ok = false;
        } else if (!S_ISREG(st.st_mode)) {
            diag_error(z->diags, srcpos_file(full), "zip", "is not a regular file");
            ok = false;
        } else {
            size_t len;
            char *data = fs_read_file(full, (size_t)max_entry, &len);
            if (!data) {
                if (errno == EFBIG)
                    diag_error(z->diags, srcpos_file(full), "zip",
                               "is larger than %" PRIu64 " MiB, the most a zip entry may hold",
                               max_entry >> 20);
                else
                    diag_error(z->diags, srcpos_file(full), "zip", "cannot read: %s",
                               strerror(errno));
                ok = false;
            } else {
                char *entry = xasprintf("%s%s", prefix, child_rel);
                zipw_add(z, entry, data, len);
                free(entry);
            }
        }
        free(full);
        free(child_rel);
    }
    vec_free(&names);
    free(here);
    return ok;
}

bool zipw_add_tree(zip_writer *z, const char *prefix, const char *dir, const char *skip_top)
{
    return add_tree_at(z, prefix, dir, NULL, skip_top, release_default_limits().max_entry);
}

static int cmp_entries(const void *a, const void *b)
{
    const zipw_entry *x = *(zipw_entry *const *)a, *y = *(zipw_entry *const *)b;
    return strcmp(x->name, y->name);
}

void zipw_sort(zip_writer *z)
{
    vec_sort(&z->entries, cmp_entries);
}

size_t zipw_count(const zip_writer *z)
{
    return z->entries.len;
}

const zipw_entry *zipw_entry_at(const zip_writer *z, size_t i)
{
    return i < z->entries.len ? z->entries.items[i] : NULL;
}

void zipw_dos_time(date stamp, unsigned short *dos_time, unsigned short *dos_date)
{
    date d = stamp;
    if (!date_valid(d) || d.year < 1980)
        d = (date){1980, 1, 1};
    else if (d.year > 2107)
        d = (date){2107, 12, 31};
    *dos_date = (unsigned short)(((d.year - 1980) << 9) | (d.month << 5) | d.day);
    *dos_time = (unsigned short)(12 << 11); /* 12:00:00 */
}

/* A name the safe reader accepts, for a file (not a folder). */
static const char *unsafe_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0)
        return "an empty name";
    if (n > 1024)
        return "a name longer than 1,024 bytes";
    if (name[0] == '/')
        return "an absolute path";
    if (name[n - 1] == '/')
        return "a folder name";
    for (const char *p = name; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return "a control character";
        if (*p == '\\')
            return "a backslash";
    }
    const char *p = name;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
            return "an empty, '.' or '..' component";
        p += len + (slash ? 1 : 0);
    }
    return NULL;
}

static bool check_entries(zip_writer *z, const char *path)
{
    release_limits lim = release_default_limits();
    bool ok = true;
    if (z->entries.len > lim.max_entries) {
        diag_error(z->diags, srcpos_file(path), "zip",
                   "%zu files, more than the limit of %zu a zip may hold", z->entries.len,
                   lim.max_entries);
        return false;
    }
    uint64_t total = 0;
    for (size_t i = 0; i < z->entries.len; i++) {
        const zipw_entry *e = z->entries.items[i];
        const char *why = unsafe_name(e->name);
        if (why) {
            diag_error(z->diags, srcpos_file(path), "zip", "entry '%s' has %s", e->name, why);
            ok = false;
        }
        if (i > 0 && strcmp(e->name, ((zipw_entry *)z->entries.items[i - 1])->name) == 0) {
            diag_error(z->diags, srcpos_file(path), "zip", "entry '%s' is added twice", e->name);
            ok = false;
        }
        if (e->len > lim.max_entry) {
            diag_error(z->diags, srcpos_file(path), "zip",
                       "entry '%s' is larger than %" PRIu64 " MiB, the most a zip entry may hold",
                       e->name, lim.max_entry >> 20);
            ok = false;
        }
        total += e->len;
    }
    if (total > lim.max_total) {
        diag_error(z->diags, srcpos_file(path), "zip",
                   "%" PRIu64 " bytes in all, more than the %" PRIu64 " MiB a zip may hold", total,
                   lim.max_total >> 20);
        ok = false;
    }
    return ok;
}

static bool libzip_failed(zip_writer *z, zip_t *za, const char *path, const char *what)
{
    diag_error(z->diags, srcpos_file(path), "zip", "cannot write (%s): %s", what, zip_strerror(za));
    return false;
}

/* Writes the sorted entries to tmp (which must not exist). */
static bool write_to(zip_writer *z, const char *tmp, const char *shown, date stamp)
{
    int err = 0;
    zip_t *za = zip_open(tmp, ZIP_CREATE | ZIP_EXCL, &err);
    if (!za) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, err);
        diag_error(z->diags, srcpos_file(shown), "zip", "cannot create: %s",
                   zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return false;
    }
    unsigned short dtime, ddate;
    zipw_dos_time(stamp, &dtime, &ddate);
    bool ok = true;
    for (size_t i = 0; ok && i < z->entries.len; i++) {
        const zipw_entry *e = z->entries.items[i];
        zip_source_t *src = zip_source_buffer(za, e->data ? e->data : "", e->len, 0);
        if (!src) {
            ok = libzip_failed(z, za, shown, e->name);
            break;
        }
        zip_int64_t idx = zip_file_add(za, e->name, src, ZIP_FL_ENC_UTF_8);
        if (idx < 0) {
            zip_source_free(src);
            ok = libzip_failed(z, za, shown, e->name);
            break;
        }
        if (zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 0) != 0 ||
            zip_file_set_dostime(za, (zip_uint64_t)idx, dtime, ddate, 0) != 0 ||
            zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX,
                                             (zip_uint32_t)0100644 << 16) != 0)
            ok = libzip_failed(z, za, shown, e->name);
    }
    if (!ok) {
        zip_discard(za);
        return false;
    }
    if (zip_close(za) != 0) {
        libzip_failed(z, za, shown, "closing");
        zip_discard(za);
        unlink(tmp);
        return false;
    }
    return true;
}

bool zipw_write(zip_writer *z, const char *path, date stamp, zipw_mode mode)
{
    zipw_sort(z);
    if (!check_entries(z, path))
        return false;
    char *dir = fs_dirname(path);
    bool ok = fs_mkdir_p(dir);
    if (!ok)
        diag_error(z->diags, srcpos_file(dir), "zip", "cannot create folder: %s", strerror(errno));
    free(dir);
    if (!ok)
        return false;
    char *tmp = xasprintf("%s.tmp-%ld-%zu", path, (long)getpid(), z->temp_serial++);
    unlink(tmp);
    interrupt_guard(tmp); /* a release's is inside the content folder */
    ok = write_to(z, tmp, path, stamp);
    if (ok) {
        /* What we write, the safe reader must accept. */
        release_archive *check = release_open(tmp, NULL, z->diags);
        ok = check != NULL;
        release_close(check);
        if (!ok)
            diag_error(z->diags, srcpos_file(path), "zip",
                       "the written zip does not read back safely");
    }
    if (ok && mode == ZIPW_EXCLUSIVE) {
        /* link() never replaces: a file that appeared meanwhile is kept. */
        if (link(tmp, path) != 0) {
            if (errno == EEXIST)
                diag_error(z->diags, srcpos_file(path), "zip", "already exists; not replaced");
            else
                diag_error(z->diags, srcpos_file(path), "zip", "cannot put in place: %s",
                           strerror(errno));
            ok = false;
        }
        unlink(tmp);
    } else if (ok) {
        if (rename(tmp, path) != 0) {
            diag_error(z->diags, srcpos_file(path), "zip", "cannot put in place: %s",
                       strerror(errno));
            unlink(tmp);
            ok = false;
        }
    } else {
        unlink(tmp);
    }
    interrupt_release(tmp);
    free(tmp);
    return ok;
}

/* fopencookie is GNU's. */
#define _GNU_SOURCE
#include "cache/cache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/map.h"
#include "core/strbuf.h"
#include "core/vec.h"
#include "core/xalloc.h"
#include "diag/diag.h"

/* The first line of every entry and record; a new layout gets a new one. */
#define ENTRY_MAGIC "policygen-cache 1\n"
#define ENTRY_MAGIC_LEN (sizeof ENTRY_MAGIC - 1)

static void to_hex(const unsigned char *d, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[2 * n] = '\0';
}

char *cache_dir_for(const char *output_dir)
{
    size_t len = strlen(output_dir);
    while (len > 1 && output_dir[len - 1] == '/')
        len--;
    char *out = xasprintf("%.*s", (int)len, output_dir);
    char *slash = strrchr(out, '/');
    char *dir = slash ? xasprintf("%.*s/.%s.policygen-cache", (int)(slash - out), out, slash + 1)
                      : xasprintf(".%s.policygen-cache", out);
    free(out);
    return dir;
}

/* --- hashing the inputs --- */

struct cache_hasher {
    struct sha256_ctx ctx;
};

cache_hasher *cache_hasher_new(void)
{
    cache_hasher *h = xcalloc(1, sizeof *h);
    sha256_init(&h->ctx);
    return h;
}

void cache_hash_bytes(cache_hasher *h, const void *data, size_t len)
{
    sha256_update(&h->ctx, len, data);
}

/* Lengths first, so no two different sequences of strings hash alike. */
static void hash_field(cache_hasher *h, const char *s, size_t len)
{
    char n[32];
    int k = snprintf(n, sizeof n, "%zu:", len);
    cache_hash_bytes(h, n, (size_t)k);
    cache_hash_bytes(h, s, len);
}

void cache_hash_str(cache_hasher *h, const char *label, const char *value)
{
    hash_field(h, label, strlen(label));
    if (value)
        hash_field(h, value, strlen(value));
    else
        cache_hash_bytes(h, "-", 1);
}

static bool hash_file(cache_hasher *h, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char buf[1 << 16];
    ssize_t n;
    bool ok = true;
    while ((n = read(fd, buf, sizeof buf)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            ok = false;
            break;
        }
        cache_hash_bytes(h, buf, (size_t)n);
    }
    close(fd);
    cache_hash_bytes(h, ok ? "." : "!", 1);
    return ok;
}

/* Told of each entry below a folder, in name order, with its path, its
 * path relative to the folder and its lstat; false stops the walk.
 * *descend (false unless set) goes into a folder. */
typedef bool (*walk_fn)(void *ctx, const char *path, const char *rel, const char *name,
                        const struct stat *st, bool *descend);

/* False when a folder cannot be listed, an entry cannot be read (or holds a
 * newline in its name), or fn said so. */
static bool walk(const char *dir, const char *rel, walk_fn fn, void *ctx)
{
    vec names;
    vec_init(&names, free);
    bool ok = fs_list_dir(dir, &names);
    for (size_t i = 0; ok && i < names.len; i++) {
        const char *name = names.items[i];
        char *path = fs_join(dir, name);
        char *sub = *rel ? xasprintf("%s/%s", rel, name) : xstrdup(name);
        struct stat st;
        bool descend = false;
        ok = !strchr(name, '\n') && lstat(path, &st) == 0 &&
             fn(ctx, path, sub, name, &st, &descend);
        if (ok && descend)
            ok = walk(path, sub, fn, ctx);
        free(sub);
        free(path);
    }
    vec_free(&names);
    return ok;
}

typedef struct hash_walk {
    cache_hasher *h;
    const map *skip;
} hash_walk;

/* Each entry by its relative path, so the shape of the tree is hashed too. */
static bool hash_entry(void *ctx, const char *path, const char *rel, const char *name,
                       const struct stat *st, bool *descend)
{
    hash_walk *w = ctx;
    cache_hasher *h = w->h;
    if (strcmp(name, ".git") == 0 || strcmp(name, ".hg") == 0 || strcmp(name, ".svn") == 0)
        return true;
    if (S_ISDIR(st->st_mode)) {
        cache_hash_str(h, "dir", rel);
        *descend = true;
        return true;
    }
    if (w->skip && map_has(w->skip, path)) {
        cache_hash_str(h, "skipped", rel);
        return true;
    }
    if (S_ISREG(st->st_mode)) {
        cache_hash_str(h, "file", rel);
        return hash_file(h, path);
    }
    if (!S_ISLNK(st->st_mode))
        return false;
    /* What a link says, where it leads (the build checks that) and, when
     * that is a file, its bytes; a folder elsewhere is not followed. */
    char target[PATH_MAX];
    ssize_t n = readlink(path, target, sizeof target - 1);
    target[n > 0 ? n : 0] = '\0';
    char *real = realpath(path, NULL);
    cache_hash_str(h, "link", rel);
    cache_hash_str(h, "to", target);
    cache_hash_str(h, "at", real);
    struct stat to;
    bool ok = true;
    if (real && stat(real, &to) == 0)
        ok = S_ISREG(to.st_mode) && hash_file(h, real);
    free(real);
    return ok;
}

bool cache_hash_file(cache_hasher *h, const char *label, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        cache_hash_str(h, label, "missing");
        return true;
    }
    cache_hash_str(h, label, "file");
    return S_ISREG(st.st_mode) && hash_file(h, path);
}

bool cache_hash_tree(cache_hasher *h, const char *label, const char *dir, const map *skip)
{
    cache_hash_str(h, "tree", label);
    struct stat st;
    if (stat(dir, &st) != 0) {
        cache_hash_str(h, "missing", dir);
        return true;
    }
    if (!S_ISDIR(st.st_mode))
        return false;
    hash_walk w = {h, skip};
    return walk(dir, "", hash_entry, &w);
}

bool cache_hash_program(cache_hasher *h)
{
    cache_hash_str(h, "program", NULL);
    if (!hash_file(h, "/proc/self/exe"))
        return false;
    /* The shared libraries: a new version is a new file (a new inode). */
    size_t len;
    char *maps = fs_read_file("/proc/self/maps", (size_t)1 << 24, &len);
    if (!maps)
        return false;
    vec libs;
    vec_init(&libs, free);
    for (char *line = maps, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char dev[32], path[PATH_MAX];
        unsigned long inode;
        if (sscanf(line, "%*s %*s %*s %31s %lu %4095s", dev, &inode, path) == 3 &&
            path[0] == '/' && strstr(path, ".so"))
            vec_push(&libs, xasprintf("%s %s %lu", path, dev, inode));
    }
    free(maps);
    vec_sort_strings(&libs);
    const char *last = "";
    for (size_t i = 0; i < libs.len; i++) {
        if (strcmp(libs.items[i], last) != 0)
            cache_hash_str(h, "lib", libs.items[i]);
        last = libs.items[i];
    }
    vec_free(&libs);
    return true;
}

void cache_hasher_finish(cache_hasher *h, char key[CACHE_KEY_SIZE])
{
    unsigned char d[SHA256_DIGEST_SIZE];
    sha256_digest(&h->ctx, sizeof d, d);
    to_hex(d, sizeof d, key);
    free(h);
}

/* --- the store --- */

struct cache {
    char *dir;
    char *entries;             /* dir/e */
    map used;                  /* keys got or put by this build */
    pthread_mutex_t used_lock; /* for used: entries are got and put from several threads */
};

static void mark_used(cache *c, const char *key)
{
    pthread_mutex_lock(&c->used_lock);
    map_set(&c->used, key, NULL);
    pthread_mutex_unlock(&c->used_lock);
}

static bool is_key(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
            return false;
    return n == CACHE_KEY_SIZE - 1;
}

cache *cache_open(const char *dir, diag_sink *diags)
{
    char *marker = fs_join(dir, CACHE_MARKER);
    struct stat st;
    bool ok;
    if (lstat(dir, &st) == 0) {
        ok = S_ISDIR(st.st_mode) && lstat(marker, &st) == 0 && S_ISREG(st.st_mode);
        if (!ok)
            diag_warning(diags, srcpos_file(dir), "cache",
                         "not a cache policygen made (it has no " CACHE_MARKER
                         "): building without the cache; remove or rename it to use one");
    } else {
        ok = mkdir(dir, 0777) == 0 &&
             fs_write_file(marker, "policygen's build cache: safe to delete\n", 40);
    }
    free(marker);
    if (!ok)
        return NULL;
    cache *c = xcalloc(1, sizeof *c);
    c->dir = xstrdup(dir);
    c->entries = fs_join(dir, "e");
    mkdir(c->entries, 0777);
    map_init(&c->used, NULL);
    pthread_mutex_init(&c->used_lock, NULL);
    return c;
}

void cache_close(cache *c, bool prune)
{
    if (!c)
        return;
    vec names;
    vec_init(&names, free);
    if (prune && fs_list_dir(c->entries, &names)) {
        for (size_t i = 0; i < names.len; i++) {
            const char *name = names.items[i];
            /* Only entries (their names are keys) and this program's
             * temporary files (a build that was killed left them). */
            bool tmp = strncmp(name, "tmp.", 4) == 0;
            if ((is_key(name) && !map_has(&c->used, name)) || tmp) {
                char *path = fs_join(c->entries, name);
                unlink(path);
                free(path);
            }
        }
    }
    vec_free(&names);
    map_free(&c->used);
    pthread_mutex_destroy(&c->used_lock);
    free(c->entries);
    free(c->dir);
    free(c);
}

char *cache_inner_dir(const cache *c, const char *name)
{
    return fs_join(c->dir, name);
}

/* An entry file: the magic line, the SHA-256 of the bytes, the bytes. */
static bool write_entry(const char *dir, const char *name, const void *data, size_t len)
{
    char *tmp = xasprintf("%s/tmp.%s.%ld", dir, name, (long)getpid());
    char *path = fs_join(dir, name);
    struct sha256_ctx ctx;
    unsigned char d[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    sha256_digest(&ctx, sizeof d, d);
    bool ok = false;
    FILE *f = fopen(tmp, "wbx");
    if (f) {
        ok = fwrite(ENTRY_MAGIC, 1, ENTRY_MAGIC_LEN, f) == ENTRY_MAGIC_LEN &&
             fwrite(d, 1, sizeof d, f) == sizeof d && fwrite(data, 1, len, f) == len;
        ok = fclose(f) == 0 && ok;
        ok = ok && rename(tmp, path) == 0;
        if (!ok)
            unlink(tmp);
    }
    free(path);
    free(tmp);
    return ok;
}

/* The bytes of an entry file, or NULL (the file removed) when it is
 * damaged. */
static char *read_entry(const char *dir, const char *name, size_t *len)
{
    char *path = fs_join(dir, name);
    size_t n;
    char *raw = fs_read_file(path, (size_t)1 << 31, &n);
    char *data = NULL;
    if (raw) {
        unsigned char d[SHA256_DIGEST_SIZE];
        size_t head = ENTRY_MAGIC_LEN + sizeof d;
        if (n >= head && memcmp(raw, ENTRY_MAGIC, ENTRY_MAGIC_LEN) == 0) {
            struct sha256_ctx ctx;
            sha256_init(&ctx);
            sha256_update(&ctx, n - head, (const unsigned char *)raw + head);
            sha256_digest(&ctx, sizeof d, d);
            if (memcmp(d, raw + ENTRY_MAGIC_LEN, sizeof d) == 0) {
                /* The bytes, moved to the front of the file's buffer (the
                 * load reads a thousand entries: no second buffer each). */
                *len = n - head;
                data = memmove(raw, raw + head, *len);
                data[*len] = '\0';
            }
        }
        if (!data) {
            unlink(path); /* damaged: never used */
            free(raw);
        }
    }
    free(path);
    return data;
}

char *cache_get(cache *c, const char *key, size_t *len)
{
    if (!is_key(key))
        return NULL;
    char *data = read_entry(c->entries, key, len);
    if (data)
        mark_used(c, key);
    return data;
}

void cache_keep(cache *c, const char *key)
{
    if (is_key(key))
        mark_used(c, key);
}

bool cache_put(cache *c, const char *key, const void *data, size_t len)
{
    if (!is_key(key))
        return false;
    mark_used(c, key);
    return write_entry(c->entries, key, data, len);
}

/* --- build records --- */

/* r-<the first 16 hex digits of the SHA-256 of the output folder's path>. */
static char *record_name(const char *output_dir)
{
    char cwd[PATH_MAX];
    char *abs = output_dir[0] == '/' || !getcwd(cwd, sizeof cwd)
                    ? xstrdup(output_dir)
                    : xasprintf("%s/%s", cwd, output_dir);
    struct sha256_ctx ctx;
    unsigned char d[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, strlen(abs), (const unsigned char *)abs);
    sha256_digest(&ctx, sizeof d, d);
    char hex[2 * 8 + 1];
    to_hex(d, 8, hex);
    free(abs);
    return xasprintf("r-%s", hex);
}

/* An entry of the output as a line: kind and mode, size, device, inode,
 * times of modification and change, path. A file written, replaced, linked
 * or chmod-ed since gets a new change time. */
static bool manifest_entry(void *ctx, const char *path, const char *rel, const char *name,
                           const struct stat *st, bool *descend)
{
    sb_printf(ctx, "%o %lld %llu %llu %lld.%09ld %lld.%09ld %s\n", (unsigned)st->st_mode,
              (long long)st->st_size, (unsigned long long)st->st_dev,
              (unsigned long long)st->st_ino, (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
              (long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec, rel);
    *descend = S_ISDIR(st->st_mode);
    return true;
}

/* Every entry below dir (false when a name holds a newline). */
static bool manifest(const char *dir, strbuf *out)
{
    return walk(dir, "", manifest_entry, out);
}

bool cache_replay(cache *c, const char *output_dir, const char *key, int *result)
{
    char *name = record_name(output_dir);
    size_t len;
    char *rec = read_entry(c->dir, name, &len);
    free(name);
    if (!rec)
        return false;
    /* key <key>\nresult <n>\nwrote <0|1>\nstderr <len>\n<bytes>\n<manifest> */
    char k[CACHE_KEY_SIZE];
    int res, wrote, used = 0;
    size_t err_len;
    bool same = sscanf(rec, "key %64s\nresult %d\nwrote %d\nstderr %zu\n%n", k, &res, &wrote,
                       &err_len, &used) == 4 &&
                used > 0 && strcmp(k, key) == 0 && err_len <= len - (size_t)used;
    if (same && wrote) {
        const char *recorded = rec + used + err_len;
        strbuf now;
        sb_init(&now);
        same = manifest(output_dir, &now) && now.len == len - (size_t)used - err_len &&
               memcmp(now.data, recorded, now.len) == 0;
        sb_free(&now);
    }
    if (same) {
        fflush(stderr);
        fwrite(rec + used, 1, err_len, stderr);
        fflush(stderr);
        *result = res;
    }
    free(rec);
    return same;
}

void cache_record(cache *c, const char *output_dir, const char *key, int result, bool wrote,
                  const char *err, size_t err_len)
{
    strbuf rec;
    sb_init(&rec);
    sb_printf(&rec, "key %s\nresult %d\nwrote %d\nstderr %zu\n", key, result, wrote ? 1 : 0,
              err_len);
    sb_appendn(&rec, err, err_len);
    char *name = record_name(output_dir);
    if (!wrote || manifest(output_dir, &rec))
        write_entry(c->dir, name, rec.data, rec.len);
    else {
        char *path = fs_join(c->dir, name);
        unlink(path); /* the old record no longer says what is there */
        free(path);
    }
    free(name);
    sb_free(&rec);
}

void cache_forget(cache *c, const char *output_dir)
{
    for (size_t i = 0; i < c->used.len; i++) {
        char *path = fs_join(c->entries, c->used.entries[i].key);
        unlink(path);
        free(path);
    }
    cache_unrecord(c, output_dir);
}

void cache_unrecord(cache *c, const char *output_dir)
{
    char *name = record_name(output_dir);
    char *path = fs_join(c->dir, name);
    unlink(path);
    free(path);
    free(name);
}

/* --- stderr, told and kept --- */

/* The build's diagnostics sink prints to stderr as it is when it prints
 * (diag_to_stderr), so they pass here too. The tee stays open for the life
 * of the process: a stream taken from stderr while it was the tee keeps
 * pointing at it, and it then only writes. */
static FILE *tee_file, *real_stderr;
static bool capturing;
static strbuf captured;

static ssize_t tee_write(void *cookie, const char *buf, size_t size)
{
    (void)cookie;
    fs_write_all(STDERR_FILENO, buf, size); /* a terminal gone does not stop the keeping */
    if (capturing)
        sb_appendn(&captured, buf, size);
    return (ssize_t)size;
}

void cache_capture_begin(void)
{
    if (!tee_file) {
        cookie_io_functions_t io = {.write = tee_write};
        tee_file = fopencookie(NULL, "w", io);
        if (!tee_file)
            return;
        setvbuf(tee_file, NULL, _IONBF, 0);
    }
    fflush(stderr);
    sb_init(&captured);
    capturing = true;
    real_stderr = stderr;
    /* glibc's stderr is a variable: every fprintf(stderr) of the build, and
     * the diagnostics, now pass here. Forked workers write to the same
     * descriptor. */
    stderr = tee_file;
}

char *cache_capture_end(size_t *len)
{
    *len = 0;
    if (!capturing)
        return NULL;
    fflush(tee_file);
    stderr = real_stderr;
    capturing = false;
    *len = captured.len;
    return captured.data ? sb_take(&captured) : xstrdup("");
}

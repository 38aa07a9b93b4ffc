/* release/: the safe zip reader (refusals with their exact diagnostics,
 * reading, extracting), the deterministic writer, version order, bundles and
 * verify. Zips with bad entries are made here: with libzip where libzip will
 * write them (a '..' entry, an absolute path, a symbolic link), byte by byte
 * where it will not (a NUL in a name, a 10 GB declared size).
 *
 * Run with no arguments: the cmocka tests. tests/release/run.sh also uses
 * this program as a small zip tool (libzip, no zip/unzip needed):
 *   release_test list ZIP                  the entries, one a line, via release_open
 *   release_test cat ZIP NAME              one entry's bytes, via release_read
 *   release_test tamper byte IN OUT NAME   OUT: IN with one byte of entry NAME changed
 *   release_test tamper extra IN OUT NAME  OUT: IN with an entry NAME added
 *   release_test tamper remove IN OUT NAME OUT: IN without entry NAME */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <zip.h>

#include "core/fs.h"
#include "core/strbuf.h"
#include "core/vec.h"
#include "core/xalloc.h"
#include "diag/diag.h"
#include "release/archive.h"
#include "release/bundle.h"
#include "release/hash.h"
#include "release/release.h"
#include "release/zipwrite.h"

/* Where the code under test tells its diagnostics: stderr, or a capture. */
static diag_sink told;

/* ---- helpers ---- */

typedef struct capture {
    char *text;
    size_t len;
    FILE *stream;
} capture;

static void capture_begin(capture *c)
{
    c->text = NULL;
    c->len = 0;
    c->stream = open_memstream(&c->text, &c->len);
    assert_non_null(c->stream);
    told = diag_to_stream(c->stream);
}

/* The diagnostics written since capture_begin; the caller frees. */
static char *capture_end(capture *c)
{
    told.stream = stderr;
    fclose(c->stream);
    return c->text;
}

static char *tmp_root;

static int setup(void **state)
{
    (void)state;
    tmp_root = xstrdup("/tmp/policygen-release-test-XXXXXX");
    assert_non_null(mkdtemp(tmp_root));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fs_remove_tree(tmp_root);
    free(tmp_root);
    tmp_root = NULL;
    return 0;
}

/* tmp_root/name; the caller frees. */
static char *tmp_path(const char *name)
{
    return fs_join(tmp_root, name);
}

static void write_text(const char *path, const char *text)
{
    char *dir = fs_dirname(path);
    assert_true(fs_mkdir_p(dir));
    free(dir);
    assert_true(fs_write_file(path, text, strlen(text)));
}

typedef struct lz_entry {
    const char *name;
    const char *data;
    size_t len;             /* 0: strlen(data) */
    zip_uint32_t unix_mode; /* 0: leave libzip's default */
} lz_entry;

/* A zip written by libzip as it is told (no checks of ours). */
static void libzip_write(const char *path, const lz_entry *entries, size_t n)
{
    int err = 0;
    unlink(path);
    zip_t *za = zip_open(path, ZIP_CREATE | ZIP_EXCL, &err);
    assert_non_null(za);
    for (size_t i = 0; i < n; i++) {
        size_t len = entries[i].len ? entries[i].len : strlen(entries[i].data);
        zip_source_t *src = zip_source_buffer(za, entries[i].data, len, 0);
        assert_non_null(src);
        zip_int64_t idx = zip_file_add(za, entries[i].name, src, 0);
        assert_true(idx >= 0);
        if (entries[i].unix_mode)
            assert_int_equal(zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0,
                                                              ZIP_OPSYS_UNIX,
                                                              entries[i].unix_mode << 16),
                             0);
    }
    assert_int_equal(zip_close(za), 0);
}

/* ---- zips made byte by byte ---- */

typedef struct raw_entry {
    const char *name;
    size_t name_len;  /* names may hold a NUL */
    const char *data; /* stored as is (method 0) unless deflated_empty */
    size_t len;
    uint64_t declared;   /* the uncompressed size the headers declare */
    bool deflated_empty; /* data: an empty deflate block, method 8 */
    bool bad_crc;
} raw_entry;

static void put16(strbuf *sb, unsigned v)
{
    sb_appendc(sb, (char)(v & 0xff));
    sb_appendc(sb, (char)((v >> 8) & 0xff));
}

static void put32(strbuf *sb, uint32_t v)
{
    put16(sb, v & 0xffff);
    put16(sb, v >> 16);
}

static void put64(strbuf *sb, uint64_t v)
{
    put32(sb, (uint32_t)v);
    put32(sb, (uint32_t)(v >> 32));
}

static uint32_t crc32_of(const char *data, size_t len)
{
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < len; i++) {
        crc ^= (unsigned char)data[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

/* A zip with the given entries; a declared size over 4 GiB gets zip64 extra
 * fields (local and central) for the sizes. declared_count, when not 0,
 * replaces the entry count of the end record. */
static void raw_write(const char *path, const raw_entry *entries, size_t n, unsigned declared_count)
{
    static const char empty_deflate[] = {0x03, 0x00};
    strbuf zip, cd;
    sb_init(&zip);
    sb_init(&cd);
    for (size_t i = 0; i < n; i++) {
        const raw_entry *e = &entries[i];
        const char *data = e->deflated_empty ? empty_deflate : e->data;
        size_t len = e->deflated_empty ? sizeof empty_deflate : e->len;
        uint64_t declared = e->declared ? e->declared : len;
        bool z64 = declared >= 0xffffffffu;
        uint32_t crc = e->deflated_empty ? 0 : crc32_of(data, len);
        if (e->bad_crc)
            crc ^= 0x5a5a5a5au;
        uint32_t offset = (uint32_t)zip.len;
        /* local header */
        put32(&zip, 0x04034b50);
        put16(&zip, z64 ? 45 : 20);
        put16(&zip, 0);
        put16(&zip, e->deflated_empty ? 8 : 0);
        put16(&zip, 0x6000);
        put16(&zip, (uint16_t)((45 << 9) | (3 << 5) | 2));
        put32(&zip, crc);
        put32(&zip, z64 ? 0xffffffffu : (uint32_t)len);
        put32(&zip, z64 ? 0xffffffffu : (uint32_t)declared);
        put16(&zip, (unsigned)e->name_len);
        put16(&zip, z64 ? 20 : 0);
        sb_appendn(&zip, e->name, e->name_len);
        if (z64) {
            put16(&zip, 0x0001);
            put16(&zip, 16);
            put64(&zip, declared);
            put64(&zip, len);
        }
        sb_appendn(&zip, data, len);
        /* central header */
        put32(&cd, 0x02014b50);
        put16(&cd, (3 << 8) | 63);
        put16(&cd, z64 ? 45 : 20);
        put16(&cd, 0);
        put16(&cd, e->deflated_empty ? 8 : 0);
        put16(&cd, 0x6000);
        put16(&cd, (uint16_t)((45 << 9) | (3 << 5) | 2));
        put32(&cd, crc);
        put32(&cd, (uint32_t)len);
        put32(&cd, z64 ? 0xffffffffu : (uint32_t)declared);
        put16(&cd, (unsigned)e->name_len);
        put16(&cd, z64 ? 12 : 0);
        put16(&cd, 0);
        put16(&cd, 0);
        put16(&cd, 0);
        put32(&cd, (uint32_t)0100644 << 16);
        put32(&cd, offset);
        sb_appendn(&cd, e->name, e->name_len);
        if (z64) {
            put16(&cd, 0x0001);
            put16(&cd, 8);
            put64(&cd, declared);
        }
    }
    uint32_t cd_offset = (uint32_t)zip.len;
    sb_appendn(&zip, cd.data ? cd.data : "", cd.len);
    unsigned count = declared_count ? declared_count : (unsigned)n;
    put32(&zip, 0x06054b50);
    put16(&zip, 0);
    put16(&zip, 0);
    put16(&zip, count);
    put16(&zip, count);
    put32(&zip, (uint32_t)cd.len);
    put32(&zip, cd_offset);
    put16(&zip, 0);
    assert_true(fs_write_file(path, zip.data, zip.len));
    sb_free(&zip);
    sb_free(&cd);
}

/* Opens path expecting a refusal; the diagnostics must be exactly expected
 * (with %s standing for the zip's path, up to four times). */
static void expect_refused(const char *path, const release_limits *lim, const char *expected_fmt)
{
    capture c;
    capture_begin(&c);
    release_archive *a = release_open(path, lim, &told);
    char *got = capture_end(&c);
    assert_null(a);
    char expected[4096];
    snprintf(expected, sizeof expected, expected_fmt, path, path, path, path);
    assert_string_equal(got, expected);
    free(got);
}

/* ---- refusals ---- */

static void test_refuses_dotdot(void **state)
{
    (void)state;
    char *path = tmp_path("dotdot.zip");
    lz_entry e[] = {{"content/site.yaml", "a: 1\n", 0, 0},
                    {"content/../../evil.sh", "echo owned\n", 0, 0}};
    libzip_write(path, e, 2);
    expect_refused(path, NULL,
                   "%s: error: entry 'content/../../evil.sh' has a '..' component: it would "
                   "leave its folder [zip]\n");
    free(path);
}

static void test_refuses_absolute(void **state)
{
    (void)state;
    char *path = tmp_path("absolute.zip");
    lz_entry e[] = {{"/etc/cron.d/evil", "* * * * * root true\n", 0, 0}};
    libzip_write(path, e, 1);
    expect_refused(path, NULL, "%s: error: entry '/etc/cron.d/evil' is an absolute path [zip]\n");
    free(path);
}

static void test_refuses_symlink(void **state)
{
    (void)state;
    char *path = tmp_path("symlink.zip");
    lz_entry e[] = {{"content/evidence/scan.pdf", "/etc/shadow", 0, S_IFLNK | 0777}};
    libzip_write(path, e, 1);
    expect_refused(path, NULL,
                   "%s: error: entry 'content/evidence/scan.pdf' is a symbolic link [zip]\n");
    free(path);
}

static void test_refuses_10gb_declared(void **state)
{
    (void)state;
    char *path = tmp_path("huge.zip");
    raw_entry e[] = {{"content/huge.bin", 16, NULL, 0, (uint64_t)10 << 30, true, false}};
    raw_write(path, e, 1, 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size < 200); /* a tiny file that declares 10 GiB */
    expect_refused(path, NULL,
                   "%s: error: entry 'content/huge.bin' declares 10737418240 bytes, more than "
                   "the limit of 64 MiB [zip]\n");
    free(path);
}

static void test_refuses_backslash_nul_and_twice(void **state)
{
    (void)state;
    char *path = tmp_path("names.zip");
    raw_entry e[] = {
        {"content\\..\\evil", 15, "x", 1, 0, false, false},
        {"content/a\0.txt", 14, "x", 1, 0, false, false},
        {"content/./b", 11, "x", 1, 0, false, false},
        {"content/c\n", 10, "x", 1, 0, false, false},
        {"content/same", 12, "x", 1, 0, false, false},
        {"content/same", 12, "y", 1, 0, false, false},
    };
    raw_write(path, e, 4, 0);
    expect_refused(path, NULL,
                   "%s: error: entry 'content\\x5c..\\x5cevil' has a backslash in its name (a "
                   "Windows path?) [zip]\n"
                   "%s: error: entry 'content/a\\x00.txt' has a NUL byte in its name [zip]\n"
                   "%s: error: entry 'content/./b' has an empty or '.' component [zip]\n"
                   "%s: error: entry 'content/c\\x0a' has a control character in its name "
                   "[zip]\n");
    /* The duplicate is reported once the names themselves are fine. */
    char *dup = tmp_path("dup.zip");
    raw_write(dup, e + 4, 2, 0);
    expect_refused(dup, NULL, "%s: error: entry 'content/same' appears twice [zip]\n");
    free(dup);
    free(path);
}

static void test_refuses_counts_totals_and_ratio(void **state)
{
    (void)state;
    /* An end record that declares 30,000 entries: refused before the
     * directory is read. */
    char *many = tmp_path("many.zip");
    raw_entry one[] = {{"a.txt", 5, "x", 1, 0, false, false}};
    raw_write(many, one, 1, 30000);
    expect_refused(many, NULL,
                   "%s: error: the zip declares 30000 entries, more than the limit of 20000 "
                   "[zip]\n");
    free(many);

    /* Totals, with small limits. */
    char *total = tmp_path("total.zip");
    static char block[80];
    memset(block, 'x', sizeof block);
    raw_entry two[] = {{"a.txt", 5, block, 80, 0, false, false},
                       {"b.txt", 5, block, 80, 0, false, false}};
    raw_write(total, two, 2, 0);
    release_limits lim = release_default_limits();
    lim.max_total = 100;
    expect_refused(total, &lim,
                   "%s: error: the entries declare more than 100 bytes in all (at entry "
                   "'b.txt') [zip]\n");
    free(total);

    /* 4 MiB of zeros deflates over 1,000 times. */
    char *bomb = tmp_path("ratio.zip");
    size_t n = (size_t)4 << 20;
    char *zeros = xcalloc(1, n);
    lz_entry z[] = {{"site/zeros.html", zeros, n, 0}};
    libzip_write(bomb, z, 1);
    free(zeros);
    capture c;
    capture_begin(&c);
    release_archive *a = release_open(bomb, NULL, &told);
    char *got = capture_end(&c);
    assert_null(a);
    assert_non_null(strstr(got, "error: entry 'site/zeros.html' would inflate "));
    assert_non_null(strstr(got, "more than the limit of 200 [zip]\n"));
    free(got);
    free(bomb);
}

static void test_refuses_not_a_zip(void **state)
{
    (void)state;
    char *path = tmp_path("notes.zip");
    write_text(path, "this is not a zip file at all, only text\n");
    expect_refused(path, NULL,
                   "%s: error: not a readable zip: no end of central directory record [zip]\n");
    char *missing = tmp_path("missing.zip");
    expect_refused(missing, NULL, "%s: error: cannot open: No such file or directory [zip]\n");
    free(missing);
    free(path);
}

/* ---- reading ---- */

static void test_reads_and_extracts(void **state)
{
    (void)state;
    char *path = tmp_path("good.zip");
    zip_writer *z = zipw_new(&told);
    zipw_add(z, "site/index.html", xstrdup("<p>site</p>\n"), 12);
    zipw_add(z, "content/site.yaml", xstrdup("document: {id: x}\n"), 18);
    zipw_add(z, "content/plan/01-basis.md", xstrdup("# 依據\n"), strlen("# 依據\n"));
    zipw_add(z, "manifest.json", xstrdup("{}\n"), 3);
    assert_true(zipw_write(z, path, (date){2025, 3, 2}, ZIPW_EXCLUSIVE));
    zipw_free(z);

    release_archive *a = release_open(path, NULL, &told);
    assert_non_null(a);
    assert_int_equal(release_entry_count(a), 4);
    /* Sorted by name. */
    assert_string_equal(release_entry_at(a, 0)->name, "content/plan/01-basis.md");
    assert_string_equal(release_entry_at(a, 3)->name, "site/index.html");
    size_t len;
    char *text = release_read(a, "content/site.yaml", &len);
    assert_non_null(text);
    assert_int_equal(len, 18);
    assert_string_equal(text, "document: {id: x}\n");
    free(text);

    capture c;
    capture_begin(&c);
    assert_null(release_read(a, "content/nothing.md", &len));
    char *got = capture_end(&c);
    char expected[1024];
    snprintf(expected, sizeof expected, "%s: error: no entry 'content/nothing.md' [zip]\n", path);
    assert_string_equal(got, expected);
    free(got);

    char *dest = tmp_path("extracted");
    size_t files = 0;
    assert_true(release_extract(a, "content/", dest, &files));
    assert_int_equal(files, 2);
    char *basis = fs_join(dest, "plan/01-basis.md");
    char *data = fs_read_file(basis, 1024, &len);
    assert_non_null(data);
    assert_string_equal(data, "# 依據\n");
    free(data);
    free(basis);
    char *site_index = fs_join(dest, "index.html");
    assert_false(fs_is_file(site_index)); /* only content/ */
    free(site_index);
    /* Never into a folder that has files already. */
    capture_begin(&c);
    assert_false(release_extract(a, "content/", dest, NULL));
    got = capture_end(&c);
    snprintf(expected, sizeof expected,
             "%s: error: will not extract into a folder that is not empty [zip]\n", dest);
    assert_string_equal(got, expected);
    free(got);
    free(dest);
    release_close(a);

    /* A zip that exists already is never replaced by an exclusive write. */
    z = zipw_new(&told);
    zipw_add(z, "a.txt", xstrdup("a"), 1);
    capture_begin(&c);
    assert_false(zipw_write(z, path, (date){2025, 3, 2}, ZIPW_EXCLUSIVE));
    got = capture_end(&c);
    snprintf(expected, sizeof expected, "%s: error: already exists; not replaced [zip]\n", path);
    assert_string_equal(got, expected);
    free(got);
    zipw_free(z);
    free(path);
}

static void test_crc_failure_is_reported(void **state)
{
    (void)state;
    char *path = tmp_path("crc.zip");
    raw_entry e[] = {{"plan/basis.html", 15, "<p>basis</p>\n", 13, 0, false, true}};
    raw_write(path, e, 1, 0);
    release_archive *a = release_open(path, NULL, &told);
    assert_non_null(a);
    capture c;
    capture_begin(&c);
    assert_null(release_read(a, "plan/basis.html", NULL));
    char *got = capture_end(&c);
    char expected[1024];
    snprintf(expected, sizeof expected,
             "%s: error: entry 'plan/basis.html': cannot read: CRC error [zip]\n", path);
    assert_string_equal(got, expected);
    free(got);
    release_close(a);
    free(path);
}

/* ---- the writer ---- */

static uint16_t rd16(const unsigned char *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void write_sample(const char *path, bool reversed)
{
    const char *names[] = {"plan/basis.html", "assets/style.css", "index.html", "plan/中文.html"};
    zip_writer *z = zipw_new(&told);
    for (int k = 0; k < 4; k++) {
        int i = reversed ? 3 - k : k;
        char *data = xasprintf("<p>%s</p>\n", names[i]);
        zipw_add(z, names[i], data, strlen(data));
    }
    assert_true(zipw_write(z, path, (date){2025, 3, 2}, ZIPW_REPLACE));
    zipw_free(z);
}

static void test_writer_is_deterministic(void **state)
{
    (void)state;
    char *dir_a = tmp_path("w/a");
    char *dir_b = tmp_path("w/elsewhere/b");
    assert_true(fs_mkdir_p(dir_a));
    assert_true(fs_mkdir_p(dir_b));
    char *a = fs_join(dir_a, "x.zip"), *b = fs_join(dir_b, "x.zip");
    const char *tz = getenv("TZ");
    char *saved = tz ? xstrdup(tz) : NULL;
    setenv("TZ", "Asia/Taipei", 1);
    tzset();
    write_sample(a, false);
    /* Another order, another folder, a zone with daylight saving that
     * starts at midnight. */
    setenv("TZ", "America/Sao_Paulo", 1);
    tzset();
    write_sample(b, true);
    if (saved)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    free(saved);
    size_t la, lb;
    char *da = fs_read_file(a, 1 << 20, &la), *db = fs_read_file(b, 1 << 20, &lb);
    assert_non_null(da);
    assert_non_null(db);
    assert_int_equal(la, lb);
    assert_memory_equal(da, db, la);

    /* Every central record: 12:00 on 2025-03-02, made on Unix, 0644, no
     * extra field, no comment; names sorted. */
    const unsigned char *p = (const unsigned char *)da;
    const unsigned char *eocd = p + la - 22;
    assert_int_equal(rd32(eocd), 0x06054b50);
    unsigned n = rd16(eocd + 10);
    assert_int_equal(n, 4);
    const unsigned char *h = p + rd32(eocd + 16);
    char prev[256] = "";
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(rd32(h), 0x02014b50);
        assert_int_equal(rd16(h + 4) >> 8, 3);
        assert_int_equal(rd16(h + 12), 12 << 11);
        assert_int_equal(rd16(h + 14), (45 << 9) | (3 << 5) | 2);
        assert_int_equal(rd16(h + 30), 0); /* extra */
        assert_int_equal(rd16(h + 32), 0); /* comment */
        assert_int_equal(rd32(h + 38), (uint32_t)0100644 << 16);
        size_t name_len = rd16(h + 28);
        char name[256];
        memcpy(name, h + 46, name_len);
        name[name_len] = '\0';
        assert_true(strcmp(prev, name) < 0);
        strcpy(prev, name);
        /* The local header: same time, no extra field either. */
        const unsigned char *local = p + rd32(h + 42);
        assert_int_equal(rd32(local), 0x04034b50);
        assert_int_equal(rd16(local + 10), 12 << 11);
        assert_int_equal(rd16(local + 28), 0);
        h += 46 + name_len;
    }
    free(da);
    free(db);
    free(a);
    free(b);
    free(dir_a);
    free(dir_b);
}

/* In São Paulo, 2018-11-04 had no midnight (daylight saving began at 00:00):
 * a stamp at 00:00 would come back from libzip's local-time round trip as
 * 01:00. Noon comes back as it went in, in any zone. */
static void test_stamp_survives_a_dst_gap(void **state)
{
    (void)state;
    char *path = tmp_path("dst.zip");
    const char *tz = getenv("TZ");
    char *saved = tz ? xstrdup(tz) : NULL;
    setenv("TZ", "America/Sao_Paulo", 1);
    tzset();
    zip_writer *z = zipw_new(&told);
    zipw_add(z, "a.txt", xstrdup("a"), 1);
    assert_true(zipw_write(z, path, (date){2018, 11, 4}, ZIPW_REPLACE));
    zipw_free(z);
    if (saved)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    free(saved);
    size_t len;
    char *data = fs_read_file(path, 1 << 20, &len);
    const unsigned char *p = (const unsigned char *)data;
    assert_int_equal(rd32(p), 0x04034b50);
    assert_int_equal(rd16(p + 10), 12 << 11);
    assert_int_equal(rd16(p + 12), (38 << 9) | (11 << 5) | 4);
    free(data);
    free(path);
}

static void test_writer_refuses_unsafe_names(void **state)
{
    (void)state;
    char *path = tmp_path("unsafe.zip");
    zip_writer *z = zipw_new(&told);
    zipw_add(z, "../x", xstrdup("x"), 1);
    capture c;
    capture_begin(&c);
    assert_false(zipw_write(z, path, (date){2025, 3, 2}, ZIPW_REPLACE));
    char *got = capture_end(&c);
    char expected[1024];
    snprintf(expected, sizeof expected,
             "%s: error: entry '../x' has an empty, '.' or '..' component [zip]\n", path);
    assert_string_equal(got, expected);
    assert_false(fs_is_file(path));
    free(got);
    zipw_free(z);
    free(path);
}

static void test_dos_time(void **state)
{
    (void)state;
    unsigned short t, d;
    zipw_dos_time((date){2018, 12, 26}, &t, &d);
    assert_int_equal(d, (38 << 9) | (12 << 5) | 26);
    assert_int_equal(t, 12 << 11);
    zipw_dos_time((date){1970, 1, 1}, &t, &d);
    assert_int_equal(d, (0 << 9) | (1 << 5) | 1);
}

/* ---- versions ---- */

static void test_version_order(void **state)
{
    (void)state;
    const char *order[] = {"V1.0", "V1.1", "V1.2", "V1.9", "V1.10", "V1.11", "V2.0", "V10.0"};
    for (size_t i = 0; i + 1 < sizeof order / sizeof *order; i++) {
        assert_true(release_version_compare(order[i], order[i + 1]) < 0);
        assert_true(release_version_compare(order[i + 1], order[i]) > 0);
    }
    assert_int_equal(release_version_compare("V1.1", "V1.1"), 0);
    assert_true(release_version_compare("V1", "V1.0") < 0);
    /* Leading zeros: equal by value, then a total order bytewise. */
    assert_true(release_version_compare("V1.01", "V1.1") != 0);
    assert_true(release_version_compare("V1.01", "V1.2") < 0);
}

static void test_list_versions(void **state)
{
    (void)state;
    char *content = tmp_path("listed");
    vec v;
    vec_init(&v, free);
    assert_true(release_list_versions(content, &v, &told)); /* no releases/ yet */
    assert_int_equal(v.len, 0);
    const char *files[] = {"V2.0.zip",       "V1.10.zip", "V1.0.zip", "V1.1.zip",
                           ".release-x.zip", "notes.txt", "V1.9.zip"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char *p = xasprintf("%s/releases/%s", content, files[i]);
        write_text(p, "x");
        free(p);
    }
    char *dir = xasprintf("%s/releases/V3.0.zip", content); /* a folder, not a release */
    assert_true(fs_mkdir_p(dir));
    free(dir);
    assert_true(release_list_versions(content, &v, &told));
    assert_int_equal(v.len, 5);
    const char *want[] = {"V1.0", "V1.1", "V1.9", "V1.10", "V2.0"};
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(v.items[i], want[i]);
    char *zp = release_zip_path(content, "V1.10");
    char *expect = xasprintf("%s/releases/V1.10.zip", content);
    assert_string_equal(zp, expect);
    free(zp);
    free(expect);
    vec_free(&v);
    free(content);
}

/* ---- bundles and verify ---- */

static char *make_edition(const char *name)
{
    char *dir = tmp_path(name);
    char *p;
    p = fs_join(dir, "index.html");
    write_text(p, "<h1>資通安全維護計畫</h1>\n");
    free(p);
    p = fs_join(dir, "plan/basis.html");
    write_text(p, "<p>依據及目的</p>\n");
    free(p);
    p = fs_join(dir, "assets/style.css");
    write_text(p, "body { margin: 0 }\n");
    free(p);
    return dir;
}

/* Copies src to dst and changes it with libzip. */
typedef enum tamper_kind { TAMPER_BYTE, TAMPER_EXTRA, TAMPER_REMOVE } tamper_kind;

static bool tamper(const char *src, const char *dst, tamper_kind kind, const char *name)
{
    if (!fs_copy_file(src, dst))
        return false;
    int err = 0;
    zip_t *za = zip_open(dst, 0, &err);
    if (!za)
        return false;
    zip_int64_t idx = zip_name_locate(za, name, 0);
    bool ok = true;
    static char changed[1 << 16];
    static const char extra[] = "<p>not in the manifest</p>\n";
    switch (kind) {
    case TAMPER_BYTE: {
        zip_file_t *zf = idx >= 0 ? zip_fopen_index(za, (zip_uint64_t)idx, 0) : NULL;
        zip_int64_t n = zf ? zip_fread(zf, changed, sizeof changed) : -1;
        if (zf)
            zip_fclose(zf);
        if (n <= 0)
            return zip_discard(za), false;
        changed[0] ^= 0x01;
        zip_source_t *s = zip_source_buffer(za, changed, (zip_uint64_t)n, 0);
        ok = s && zip_file_replace(za, (zip_uint64_t)idx, s, 0) == 0;
        break;
    }
    case TAMPER_EXTRA: {
        zip_source_t *s = zip_source_buffer(za, extra, sizeof extra - 1, 0);
        ok = s && zip_file_add(za, name, s, 0) >= 0;
        break;
    }
    case TAMPER_REMOVE: ok = idx >= 0 && zip_delete(za, (zip_uint64_t)idx) == 0; break;
    }
    if (!ok) {
        zip_discard(za);
        return false;
    }
    return zip_close(za) == 0;
}

static char *verify_diagnostics(const char *zip, verify_result want, size_t *ok_files)
{
    capture c;
    capture_begin(&c);
    verify_result r = bundle_verify(zip, ok_files, &told);
    char *got = capture_end(&c);
    assert_int_equal(r, want);
    return got ? got : xstrdup("");
}

static void test_bundle_and_verify(void **state)
{
    (void)state;
    char *ed = make_edition("out/public");
    char *one = tmp_path("out/dist/one.zip");
    char *two = tmp_path("out/dist2/two.zip");
    size_t files = 0;
    assert_true(bundle_write_edition(ed, one, (date){2025, 3, 2}, &files, &told));
    assert_int_equal(files, 3);
    assert_true(bundle_write_edition(ed, two, (date){2025, 3, 2}, NULL, &told));
    size_t l1, l2;
    char *b1 = fs_read_file(one, 1 << 20, &l1), *b2 = fs_read_file(two, 1 << 20, &l2);
    assert_int_equal(l1, l2);
    assert_memory_equal(b1, b2, l1);
    free(b1);
    free(b2);

    /* MANIFEST.sha256: sha256sum's format, sorted by path. */
    release_archive *a = release_open(one, NULL, &told);
    assert_non_null(a);
    char *manifest = release_read(a, BUNDLE_MANIFEST, NULL);
    char h1[HASH_SHA256_HEX_SIZE], h2[HASH_SHA256_HEX_SIZE], h3[HASH_SHA256_HEX_SIZE];
    const char *css = "body { margin: 0 }\n", *idx = "<h1>資通安全維護計畫</h1>\n",
               *basis = "<p>依據及目的</p>\n";
    hash_sha256_hex(css, strlen(css), h1);
    hash_sha256_hex(idx, strlen(idx), h2);
    hash_sha256_hex(basis, strlen(basis), h3);
    char *want =
        xasprintf("%s  assets/style.css\n%s  index.html\n%s  plan/basis.html\n", h1, h2, h3);
    assert_string_equal(manifest, want);
    free(want);
    free(manifest);
    release_close(a);

    size_t ok_files = 0;
    char *got = verify_diagnostics(one, VERIFY_OK, &ok_files);
    assert_string_equal(got, "");
    assert_int_equal(ok_files, 3);
    free(got);

    char expected[2048];
    char *bad = tmp_path("bad-byte.zip");
    assert_true(tamper(one, bad, TAMPER_BYTE, "plan/basis.html"));
    got = verify_diagnostics(bad, VERIFY_FAILED, &ok_files);
    snprintf(expected, sizeof expected, "%s: error: plan/basis.html: hash mismatch [verify]\n",
             bad);
    assert_string_equal(got, expected);
    assert_int_equal(ok_files, 2);
    free(got);
    free(bad);

    bad = tmp_path("bad-extra.zip");
    assert_true(tamper(one, bad, TAMPER_EXTRA, "plan/extra.html"));
    got = verify_diagnostics(bad, VERIFY_FAILED, NULL);
    snprintf(expected, sizeof expected,
             "%s: error: plan/extra.html: extra file (in the zip, not in MANIFEST.sha256) "
             "[verify]\n",
             bad);
    assert_string_equal(got, expected);
    free(got);
    free(bad);

    bad = tmp_path("bad-remove.zip");
    assert_true(tamper(one, bad, TAMPER_REMOVE, "index.html"));
    got = verify_diagnostics(bad, VERIFY_FAILED, NULL);
    snprintf(expected, sizeof expected,
             "%s: error: index.html: missing (listed in MANIFEST.sha256, not in the zip) "
             "[verify]\n",
             bad);
    assert_string_equal(got, expected);
    free(got);
    free(bad);

    /* A byte of the stored data flipped in place: libzip's CRC check. */
    bad = tmp_path("bad-raw.zip");
    assert_true(fs_copy_file(one, bad));
    size_t len;
    char *raw = fs_read_file(bad, 1 << 20, &len);
    const unsigned char *p = (const unsigned char *)raw;
    const unsigned char *eocd = p + len - 22;
    const unsigned char *h = p + rd32(eocd + 16);
    for (unsigned i = 0; i < rd16(eocd + 10); i++) {
        size_t nl = rd16(h + 28);
        if (nl == 15 && memcmp(h + 46, "plan/basis.html", 15) == 0) {
            const unsigned char *local = p + rd32(h + 42);
            size_t data_at = (size_t)(local - p) + 30 + rd16(local + 26) + rd16(local + 28);
            raw[data_at + rd32(h + 20) / 2] ^= 0x20;
            break;
        }
        h += 46 + nl + rd16(h + 30) + rd16(h + 32);
    }
    assert_true(fs_write_file(bad, raw, len));
    free(raw);
    got = verify_diagnostics(bad, VERIFY_FAILED, NULL);
    snprintf(expected, sizeof expected, "%s: error: entry 'plan/basis.html': cannot read: ", bad);
    assert_true(strncmp(got, expected, strlen(expected)) == 0);
    free(got);
    free(bad);

    /* A zip without a manifest. */
    bad = tmp_path("no-manifest.zip");
    assert_true(tamper(one, bad, TAMPER_REMOVE, BUNDLE_MANIFEST));
    got = verify_diagnostics(bad, VERIFY_FAILED, NULL);
    snprintf(expected, sizeof expected,
             "%s: error: no MANIFEST.sha256 in the zip: nothing to verify against [verify]\n", bad);
    assert_string_equal(got, expected);
    free(got);
    free(bad);

    free(one);
    free(two);
    free(ed);
}

static void test_bundle_refuses_symlinks(void **state)
{
    (void)state;
    char *ed = make_edition("linked/public");
    char *link_path = fs_join(ed, "secret.txt");
    assert_int_equal(symlink("/etc/passwd", link_path), 0);
    char *zip = tmp_path("linked/dist/x.zip");
    capture c;
    capture_begin(&c);
    assert_false(bundle_write_edition(ed, zip, (date){2025, 3, 2}, NULL, &told));
    char *got = capture_end(&c);
    char expected[1024];
    snprintf(expected, sizeof expected,
             "%s: error: is a symbolic link: a zip holds only regular files (copy the file in "
             "its place) [zip]\n",
             link_path);
    assert_string_equal(got, expected);
    assert_false(fs_is_file(zip));
    free(got);
    free(zip);
    free(link_path);
    free(ed);
}

/* ---- the tool mode for run.sh ---- */

static int tool(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "list") == 0) {
        release_archive *a = release_open(argv[2], NULL, &told);
        if (!a)
            return 1;
        for (size_t i = 0; i < release_entry_count(a); i++)
            printf("%s\n", release_entry_at(a, i)->name);
        release_close(a);
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "cat") == 0) {
        release_archive *a = release_open(argv[2], NULL, &told);
        if (!a)
            return 1;
        size_t len;
        char *data = release_read(a, argv[3], &len);
        int rc = data ? 0 : 1;
        if (data)
            fwrite(data, 1, len, stdout);
        free(data);
        release_close(a);
        return rc;
    }
    if (argc == 6 && strcmp(argv[1], "tamper") == 0) {
        tamper_kind k;
        if (strcmp(argv[2], "byte") == 0)
            k = TAMPER_BYTE;
        else if (strcmp(argv[2], "extra") == 0)
            k = TAMPER_EXTRA;
        else if (strcmp(argv[2], "remove") == 0)
            k = TAMPER_REMOVE;
        else
            return 2;
        if (!tamper(argv[3], argv[4], k, argv[5])) {
            fprintf(stderr, "release_test: cannot tamper %s\n", argv[3]);
            return 1;
        }
        return 0;
    }
    fprintf(
        stderr,
        "usage: release_test [list ZIP | cat ZIP NAME | tamper byte|extra|remove IN OUT NAME]\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return tool(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refuses_dotdot),
        cmocka_unit_test(test_refuses_absolute),
        cmocka_unit_test(test_refuses_symlink),
        cmocka_unit_test(test_refuses_10gb_declared),
        cmocka_unit_test(test_refuses_backslash_nul_and_twice),
        cmocka_unit_test(test_refuses_counts_totals_and_ratio),
        cmocka_unit_test(test_refuses_not_a_zip),
        cmocka_unit_test(test_reads_and_extracts),
        cmocka_unit_test(test_crc_failure_is_reported),
        cmocka_unit_test(test_writer_is_deterministic),
        cmocka_unit_test(test_stamp_survives_a_dst_gap),
        cmocka_unit_test(test_writer_refuses_unsafe_names),
        cmocka_unit_test(test_dos_time),
        cmocka_unit_test(test_version_order),
        cmocka_unit_test(test_list_versions),
        cmocka_unit_test(test_bundle_and_verify),
        cmocka_unit_test(test_bundle_refuses_symlinks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

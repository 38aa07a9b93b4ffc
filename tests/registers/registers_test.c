/* Registers: loading, validation diagnostics (exact text and place), YAML
 * limits through the loader, typed access, the value tree, HTML cells,
 * tables, page models and CSV. Run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "content/site.h"
#include "core/fs.h"
#include "core/parallel.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "diag/diag.h"
#include "markdown/directive.h"
#include "registers/regtype.h"
#include "registers/registers.h"
#include "registers/view.h"
#include "render/html/body.h"
#include "render/html/register_html.h"
#include "yaml/yaml.h"

/* Where the code under test tells its diagnostics: stderr, or a capture. */
static diag_sink told;

#define FIX "tests/registers/fixtures/"

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

/* Processor time, not wall time: "fails within a second" is about the work
 * a hostile file can cause, and must not depend on what else the machine runs. */
static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A site with only a folder (registers_load needs nothing else). */
static site fake_site(const char *dir)
{
    site s;
    memset(&s, 0, sizeof s);
    s.dir = (char *)dir;
    s.config.calendar = CALENDAR_ROC;
    vec_init(&s.chapters, NULL);
    vec_init(&s.annexes, NULL);
    return s;
}

/* Loads a fixture's registers and returns its diagnostics (caller frees). */
static char *load_fixture(const char *dir, bool *ok_out)
{
    site s = fake_site(dir);
    capture c;
    capture_begin(&c);
    bool ok = registers_load(&s, &told);
    char *text = capture_end(&c);
    assert_non_null(s.registers);
    registers_free(s.registers);
    if (ok_out)
        *ok_out = ok;
    return text;
}

static void expect_diagnostics(const char *dir, const char *expected)
{
    bool ok = true;
    char *got = load_fixture(dir, &ok);
    assert_string_equal(got, expected);
    assert_false(ok);
    free(got);
}

/* ---- validation errors, one fixture each ---- */

static void test_missing_required(void **state)
{
    (void)state;
    expect_diagnostics(
        FIX "missing-required",
        FIX "missing-required/registers/things.yaml:8:5: error: row 'T-2' is missing required "
            "field 'name' [register-required]\n" FIX
            "missing-required/registers/things.yaml:9:5: error: row is missing required field "
            "'id' [register-required]\n");
}

static void test_wrong_type(void **state)
{
    (void)state;
    const char *p = FIX "wrong-type/registers/things.yaml";
    char expected[4096];
    snprintf(expected, sizeof expected,
             "%s:12:11: error: field 'when' expects a date (YYYY-MM-DD), not '2026-13-01' "
             "[register-type]\n"
             "%s:13:12: error: field 'count' expects a whole number, not 'many' [register-type]\n"
             "%s:14:9: error: field 'ok' expects true or false, not 'maybe' [register-type]\n"
             "%s:15:12: error: field 'hours' expects a number of hours (0 or more), not '-2' "
             "[register-type]\n"
             "%s:16:11: error: field 'name' expects text, not a list [register-type]\n"
             "%s:17:12: error: field 'units' expects a list of text, not '教導處' [register-type]\n",
             p, p, p, p, p, p);
    expect_diagnostics(FIX "wrong-type", expected);
}

static void test_enum_value(void **state)
{
    (void)state;
    const char *p = FIX "enum-value/registers/things.yaml";
    char expected[2048];
    snprintf(expected, sizeof expected,
             "%s:8:13: error: 'done' is not a value of field 'status' (draft, approved) "
             "[register-value]\n"
             "%s:9:17: error: '丙' is not a value of field 'checks' (甲, 乙) [register-value]\n"
             "%s:9:20: error: '甲' is ticked twice in field 'checks' [register-value]\n",
             p, p, p);
    expect_diagnostics(FIX "enum-value", expected);
}

static void test_duplicate_key(void **state)
{
    (void)state;
    expect_diagnostics(FIX "duplicate-key",
                       FIX "duplicate-key/registers/things.yaml:7:9: error: duplicate key 'T-1' in "
                           "register 'things' (first used at line 5) [register-duplicate]\n");
}

static void test_ref_missing_row(void **state)
{
    (void)state;
    expect_diagnostics(FIX "ref-missing",
                       FIX "ref-missing/registers/assets.yaml:14:16: error: field 'custodian' "
                           "refers to unknown staff 'S-09' [ref]\n");
}

static void test_ref_unknown_register(void **state)
{
    (void)state;
    expect_diagnostics(FIX "ref-register",
                       FIX "ref-register/registers/things.yaml:4:45: error: field 'owner' refers "
                           "to unknown register 'stafff' [register-schema]\n");
}

/* ---- register types ---- */

static void test_type_and_map_errors(void **state)
{
    (void)state;
    char *names = regtype_names();
    char *want = xasprintf(
        FIX "typed-errors/registers/a-staff.yaml:2:7: error: unknown register type 'staf' (types: "
            "%s) [register-type]\n"
        FIX "typed-errors/registers/b-staff.yaml:4:3: error: 'roles' is not a field of type staff "
            "(its fields: name, title, unit, categories, duties, email, phone, joined, left) "
            "[register-type]\n"
        FIX "typed-errors/registers/b-staff.yaml:5:9: error: map: this register has no field "
            "'nom' to hold staff.name [register-type]\n"
        FIX "typed-errors/registers/b-staff.yaml:6:11: error: unknown key 'feild' in a map entry "
            "(field, values) [register-schema]\n"
        FIX "typed-errors/registers/b-staff.yaml:6:9: error: a map entry needs 'field': the "
            "register's own field that holds it [register-schema]\n"
        FIX "typed-errors/registers/d-untyped.yaml:2:6: error: 'map' maps fields onto a register "
            "type: give the register a 'type' [register-type]\n"
        FIX "typed-errors/registers/c-staff.yaml:2:7: error: type 'staff' is already kept by "
            FIX "typed-errors/registers/b-staff.yaml:2; a type is kept in one register "
            "[register-type]\n",
        names);
    expect_diagnostics(FIX "typed-errors", want);
    free(want);
    free(names);
}

static void test_typed_value(void **state)
{
    (void)state;
    capture c;
    capture_begin(&c);
    site *s = xcalloc(1, sizeof *s);
    s->dir = xstrdup(FIX "typed");
    registers_load(s, &told);
    char *diags = capture_end(&c);
    assert_string_equal(diags, "");
    free(diags);

    const register_def *people = registers_of_type(s->registers, "staff");
    assert_non_null(people);
    assert_string_equal(people->name, "people");
    assert_null(registers_of_type(s->registers, "vendors"));
    /* through map and through a field of the same name */
    const register_row *p2 = register_row_get(people, "P2");
    assert_string_equal(register_cell_text(register_row_canon_cell(p2, "name")), "王老師");
    assert_non_null(register_row_canon_cell(p2, "left"));
    assert_null(register_row_canon_cell(p2, "unit"));  /* no field holds it */
    assert_non_null(register_row_canon_cell(p2, "title")); /* an int holds text: as written */

    value *v = registers_typed_value(s->registers);
    strbuf json;
    sb_init(&json);
    value_append_json(&json, v, false);
    /* the staff register: a single role read as a list of one, in the type's words */
    assert_non_null(strstr(json.data, "\"categories\":[\"資通安全長\"],\"_key\":\"P1\""));
    assert_non_null(strstr(json.data, "\"categories\":{\"own\":\"role\",\"line\":10,"
                                      "\"values\":[\"資通安全長\",\"資通安全兼辦人員\",\"一般使用者\"]}"));
    /* an int holds text as written; shoe_size is the register's own, not the type's */
    assert_non_null(strstr(json.data, "\"title\":\"1\""));
    assert_null(strstr(json.data, "shoe_size"));
    /* training: a ref to the staff type's register; checks cannot hold a text */
    assert_non_null(strstr(json.data, "\"person\":\"P2\",\"date\":{\"$date\":\"2026-03-01\"},"
                                      "\"hours\":3,\"_key\":\"1\""));
    assert_non_null(strstr(json.data, "courses.yaml's field 'kind' is checks, which cannot hold "
                                      "training.kind (text: the kind of course"));
    /* an untyped register is not there */
    assert_null(strstr(json.data, "未分類紀錄"));
    sb_free(&json);
    value_unref(v);
    registers_free(s->registers);
    free(s->dir);
    free(s);
}

static void test_unknown_field(void **state)
{
    (void)state;
    expect_diagnostics(FIX "unknown-field",
                       FIX "unknown-field/registers/things.yaml:6:5: error: unknown field "
                           "'colour' (register 'things' has no such field) [register-field]\n");
}

static void test_schema_errors(void **state)
{
    (void)state;
    const char *p = FIX "schema/registers/things.yaml";
    char expected[4096];
    snprintf(expected, sizeof expected,
             "%s:2:1: error: unknown key 'titel' in register (title, type, map, annex, "
             "audience, key, fields, items) [register-schema]\n"
             "%s:5:29: error: field 'when' has unknown type 'datetime' (text, markdown, int, "
             "number, hours, date, enum, bool, checks, list, ref, file) [register-schema]\n"
             "%s:6:35: error: unknown key 'lable' in field 'note' (label, type, required, "
             "values, register, audience) [register-schema]\n"
             "%s:7:10: error: enum field 'kind' needs 'values' [register-schema]\n",
             p, p, p, p);
    expect_diagnostics(FIX "schema", expected);
}

static void test_file_paths(void **state)
{
    (void)state;
    const char *p = FIX "file/registers/files.yaml";
    const char *ev = FIX "file/evidence";
    char expected[4096];
    snprintf(expected, sizeof expected,
             "%s:9:11: error: field 'file': file 'missing.md' not found in %s [register-file]\n"
             "%s:11:11: error: field 'file': '/etc/passwd' must be a path relative to %s, not an "
             "absolute path [register-file]\n"
             "%s:13:11: error: field 'file': '../registers/files.yaml' leaves %s (no '..' "
             "allowed) [register-file]\n"
             "%s:15:11: error: field 'file': 'sub/../present.md' leaves %s (no '..' allowed) "
             "[register-file]\n"
             "%s:17:11: error: field 'file': 'sub' in %s is not a file [register-file]\n",
             p, ev, p, ev, p, ev, p, ev, p, ev);
    expect_diagnostics(FIX "file", expected);
}

/* ---- temporary content folders ---- */

typedef struct tmpdir {
    char path[64];
} tmpdir;

static void tmp_make(tmpdir *t)
{
    strcpy(t->path, "/tmp/policygen-registers-XXXXXX");
    assert_non_null(mkdtemp(t->path));
}

static char *tmp_join(const tmpdir *t, const char *rel)
{
    return fs_join(t->path, rel);
}

static void tmp_write(const tmpdir *t, const char *rel, const char *text)
{
    char *path = tmp_join(t, rel);
    char *dir = fs_dirname(path);
    assert_true(fs_mkdir_p(dir));
    assert_true(fs_write_file(path, text, strlen(text)));
    free(dir);
    free(path);
}

static void tmp_remove(tmpdir *t)
{
    assert_true(fs_remove_tree(t->path));
}

/* A link inside evidence/ that points out of it is refused after realpath. */
static void test_file_symlink_escape(void **state)
{
    (void)state;
    tmpdir t;
    tmp_make(&t);
    tmp_write(&t, "outside.md", "secret\n");
    tmp_write(&t, "evidence/inside.md", "fine\n");
    tmp_write(&t, "registers/docs.yaml",
              "title: Docs\n"
              "fields:\n"
              "  id:   { label: 編號, type: text, required: true }\n"
              "  file: { label: 文件, type: file }\n"
              "items:\n"
              "  - id: D-1\n"
              "    file: inside.md\n"
              "  - id: D-2\n"
              "    file: escape.md\n");
    char *link = tmp_join(&t, "evidence/escape.md");
    assert_int_equal(symlink("../outside.md", link), 0);
    free(link);

    site s = fake_site(t.path);
    capture c;
    capture_begin(&c);
    bool ok = registers_load(&s, &told);
    char *got = capture_end(&c);
    char expected[2048];
    char *outside = tmp_join(&t, "outside.md");
    char *real = realpath(outside, NULL);
    snprintf(expected, sizeof expected,
             "%s/registers/docs.yaml:9:11: error: %s/evidence/escape.md leads outside "
             "%s/evidence (to %s); a symbolic link may not leave its folder [outside]\n",
             t.path, t.path, t.path, real);
    free(real);
    free(outside);
    assert_string_equal(got, expected);
    assert_false(ok);
    const register_def *docs = registers_get(s.registers, "docs");
    assert_true(register_cell_ok(register_row_cell(register_row_get(docs, "D-1"), "file")));
    assert_false(register_cell_ok(register_row_cell(register_row_get(docs, "D-2"), "file")));
    free(got);
    registers_free(s.registers);
    tmp_remove(&t);
}

/* ---- YAML limits through the loader ---- */

static void expect_fast_failure(const char *dir, const char *expected)
{
    double start = now_seconds();
    bool ok = true;
    char *got = load_fixture(dir, &ok);
    double took = now_seconds() - start;
    assert_false(ok);
    assert_string_equal(got, expected);
    assert_true(took < 1.0);
    free(got);
}

static void test_billion_laughs(void **state)
{
    (void)state;
    expect_fast_failure(FIX "billion-laughs",
                        FIX "billion-laughs/registers/laughs.yaml:7:11: error: document too large: "
                            "more than 200000 nodes (alias expansion counts) [yaml-limit]\n");
}

static void test_deep_nesting(void **state)
{
    (void)state;
    expect_fast_failure(FIX "deep", FIX "deep/registers/deep.yaml:2:65: error: nesting deeper "
                                        "than 64 levels [yaml-limit]\n");
}

static void test_50mb_register(void **state)
{
    (void)state;
    tmpdir t;
    tmp_make(&t);
    char *dir = tmp_join(&t, "registers");
    assert_true(fs_mkdir_p(dir));
    char *path = fs_join(dir, "big.yaml");
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("title: Big\nfields:\n  id: { label: 編號, type: text }\nitems:\n", f);
    const size_t target = (size_t)50 << 20;
    char row[64];
    size_t written = 0;
    for (unsigned long i = 0; written < target; i++) {
        int n = snprintf(row, sizeof row, "  - id: R-%09lu\n", i);
        fwrite(row, 1, (size_t)n, f);
        written += (size_t)n;
    }
    long size = ftell(f);
    fclose(f);

    double start = now_seconds();
    site s = fake_site(t.path);
    capture c;
    capture_begin(&c);
    bool ok = registers_load(&s, &told);
    char *got = capture_end(&c);
    double took = now_seconds() - start;
    char expected[1024];
    snprintf(expected, sizeof expected,
             "%s: error: file too large: %ld bytes (limit 16 MiB) [yaml-limit]\n", path, size);
    assert_false(ok);
    assert_string_equal(got, expected);
    assert_true(took < 1.0);
    assert_int_equal(s.registers->registers.len, 0);
    free(got);
    registers_free(s.registers);
    free(path);
    free(dir);
    tmp_remove(&t);
}

/* ---- a stage's status is its own ---- */

typedef struct status_job {
    const char *dir;
    bool ok;
    diag_sink diags; /* the job's own, held */
} status_job;

static void load_status_job(void *ctx, int worker, size_t i)
{
    (void)worker;
    status_job *j = &((status_job *)ctx)[i];
    site s = fake_site(j->dir);
    j->ok = registers_load(&s, &j->diags);
    registers_free(s.registers);
}

/* registers_load says whether it reported an error itself: not whether the
 * sink it was given (or any other) holds errors already, nor what a job
 * beside it said. The example's registers load clean into a sink that holds
 * an error; a broken fixture fails while clean loads run beside it. */
static void test_register_status_is_its_own(void **state)
{
    (void)state;
    diag_sink other = diag_to_stream(NULL);
    diag_error(&other, srcpos_file("elsewhere.md"), "test", "an earlier stage's error");
    site s = fake_site("content");
    assert_true(registers_load(&s, &other)); /* says nothing, though other holds an error */
    registers_free(s.registers);
    assert_int_equal(diag_get_counts(&other).errors, 1);

    diag_sink all = diag_to_stream(NULL);
    status_job jobs[4];
    for (size_t i = 0; i < 4; i++)
        jobs[i] = (status_job){i == 2 ? FIX "wrong-type" : "content", false, diag_buffered(&all)};
    parallel_for(4, 4, load_status_job, jobs);
    for (size_t i = 0; i < 4; i++) {
        assert_true(jobs[i].ok == (i != 2));
        assert_int_equal(diag_get_counts(&jobs[i].diags).errors, i == 2 ? 6 : 0);
        diag_replay(&jobs[i].diags);
    }
    assert_int_equal(diag_get_counts(&all).errors, 6);
}

/* ---- the example content ---- */

static void test_example_registers_load_clean(void **state)
{
    (void)state;
    site s = fake_site("content");
    capture c;
    capture_begin(&c);
    bool ok = registers_load(&s, &told);
    char *got = capture_end(&c);
    assert_string_equal(got, "");
    assert_true(ok);
    assert_int_equal(diag_get_counts(&told).errors, 0);
    assert_int_equal(diag_get_counts(&told).warnings, 0);
    free(got);

    const register_set *set = s.registers;
    assert_int_equal(set->registers.len, 29);
    /* The row counts of content/registers/README.md. */
    static const struct {
        const char *name;
        size_t rows;
    } counts[] = {{"core-business", 3}, {"staff", 15}, {"assets", 18},   {"risks", 17},
                  {"training", 57},     {"revisions", 1}, {"vendors", 5}, {"agreements", 5},
                  {"acknowledgements", 12}};
    for (size_t i = 0; i < sizeof counts / sizeof *counts; i++)
        assert_int_equal(registers_get(set, counts[i].name)->rows.len, counts[i].rows);

    /* Typed access. */
    const register_def *assets = registers_get(set, "assets");
    const register_row *hw7 = register_row_get(assets, "HW-007");
    assert_non_null(hw7);
    bool labelled = true;
    assert_true(register_cell_bool(register_row_cell(hw7, "label"), &labelled));
    assert_false(labelled);
    date d;
    assert_true(register_cell_date(register_row_cell(hw7, "inventoried"), &d));
    assert_int_equal(d.year, 2026);
    assert_int_equal(d.month, 9);
    assert_int_equal(d.day, 21);
    const register_row *custodian = register_cell_ref(register_row_cell(hw7, "custodian"));
    assert_non_null(custodian);
    assert_string_equal(custodian->key, "S-05");
    assert_string_equal(register_row_label(custodian, AUDIENCE_INTERNAL), "張志明");
    assert_int_equal(register_row_pos(hw7).line, 128);

    const register_def *staff = registers_get(set, "staff");
    const register_cell *cats = register_row_cell(register_row_get(staff, "S-02"), "categories");
    assert_true(register_cell_checked(cats, "資訊人員"));
    assert_false(register_cell_checked(cats, "主管"));
    assert_int_equal(register_cell_items(cats)->len, 2);

    double hours = 0;
    const register_def *training = registers_get(set, "training");
    assert_true(register_cell_number(register_row_cell(training->rows.items[0], "hours"), &hours));
    assert_true(hours > 0);
    long year = 0;
    const register_def *reports = registers_get(set, "implementation-reports");
    assert_true(register_cell_int(register_row_cell(register_row_get(reports, "2025"), "year"),
                                  &year));
    assert_int_equal(year, 2025);
    /* A getter of the wrong type says no. */
    assert_false(register_cell_date(register_row_cell(hw7, "name"), &d));
    assert_null(register_row_cell(hw7, "no-such-field"));
    assert_null(register_row_get(assets, "HW-999"));

    /* The current version comes from the last row of revisions. */
    revision_info rev;
    assert_true(registers_current_revision(set, &rev));
    assert_string_equal(rev.version, "V1.0");
    assert_true(rev.has_date);
    assert_int_equal(rev.date.year, 2018);
    assert_int_equal(rev.date.month, 12);
    assert_int_equal(rev.date.day, 26);
    assert_true(rev.approved);
    assert_string_equal(registers_current_version(set), "V1.0");

    /* Every evidence file the rows name exists (22 stand-ins). */
    vec files;
    vec_init(&files, NULL);
    registers_evidence_files(set, AUDIENCE_INTERNAL, &files);
    assert_int_equal(files.len, 22);
    vec_free(&files);
    vec_init(&files, NULL);
    registers_evidence_files(set, AUDIENCE_PUBLIC, &files);
    assert_int_equal(files.len, 0);
    vec_free(&files);

    registers_free(s.registers);
}

/* ---- the render fixture ---- */

typedef struct loaded {
    site site;
} loaded;

static int setup_render(void **state)
{
    loaded *l = xcalloc(1, sizeof *l);
    l->site = fake_site(FIX "render");
    capture c;
    capture_begin(&c);
    bool ok = registers_load(&l->site, &told);
    char *got = capture_end(&c);
    if (!ok || *got) {
        fprintf(stderr, "render fixture: %s", got);
        free(got);
        return -1;
    }
    free(got);
    *state = l;
    return 0;
}

static int teardown_render(void **state)
{
    loaded *l = *state;
    registers_free(l->site.registers);
    free(l);
    return 0;
}

static char *cell_html(const site *s, const char *reg_name, const char *key, const char *field,
                       audience aud, register_date_form form)
{
    const register_def *reg = registers_get(s->registers, reg_name);
    const register_row *row = register_row_get(reg, key);
    assert_non_null(row);
    const register_field *f = register_field_get(reg, field);
    assert_non_null(f);
    strbuf sb;
    sb_init(&sb);
    register_cell_html(&sb, s, row, f, "../", aud, form);
    return sb_take(&sb);
}

#define ASSERT_CELL(s, key, field, aud, form, expected)                                   \
    do {                                                                                   \
        char *html_ = cell_html((s), "records", (key), (field), (aud), (form));            \
        assert_string_equal(html_, (expected));                                            \
        free(html_);                                                                       \
    } while (0)

static void test_cell_dates(void **state)
{
    loaded *l = *state;
    site *s = &l->site;
    ASSERT_CELL(s, "R-1", "date", AUDIENCE_PUBLIC, REGISTER_DATE_SHORT, "107/12/26");
    ASSERT_CELL(s, "R-1", "date", AUDIENCE_PUBLIC, REGISTER_DATE_LONG, "中華民國 107 年 12 月 26 日");
    ASSERT_CELL(s, "R-2", "date", AUDIENCE_PUBLIC, REGISTER_DATE_SHORT, "115/03/02");
    s->config.calendar = CALENDAR_GREGORIAN;
    ASSERT_CELL(s, "R-1", "date", AUDIENCE_PUBLIC, REGISTER_DATE_SHORT, "2018/12/26");
    ASSERT_CELL(s, "R-1", "date", AUDIENCE_PUBLIC, REGISTER_DATE_LONG, "2018 年 12 月 26 日");
    s->config.calendar = CALENDAR_ROC;
}

static void test_cell_types(void **state)
{
    loaded *l = *state;
    site *s = &l->site;
    const audience pub = AUDIENCE_PUBLIC;
    const register_date_form sh = REGISTER_DATE_SHORT;
    ASSERT_CELL(s, "R-1", "checks", pub, sh, "☑ 已簽核<br>\n☐ 已歸檔<br>\n☑ 已公告");
    ASSERT_CELL(s, "R-2", "checks", pub, sh, "");
    ASSERT_CELL(s, "R-1", "hours", pub, sh, "1.5 小時");
    ASSERT_CELL(s, "R-2", "hours", pub, sh, "3 小時");
    ASSERT_CELL(s, "R-1", "score", pub, sh, "85.25");
    ASSERT_CELL(s, "R-1", "count", pub, sh, "12");
    ASSERT_CELL(s, "R-1", "done", pub, sh, "是");
    ASSERT_CELL(s, "R-2", "done", pub, sh, "否");
    ASSERT_CELL(s, "R-1", "kind", pub, sh, "甲類");
    ASSERT_CELL(s, "R-1", "units", pub, sh, "教導處<br>\n總務處");
    ASSERT_CELL(s, "R-1", "note", pub, sh, "第一行<br>\n第二行 &lt;b&gt;, &quot;引號&quot;");
    ASSERT_CELL(s, "R-1", "summary", pub, sh,
                "<strong>重要</strong> 事項 &lt;script&gt;alert(1)&lt;/script&gt; "
                "<a href=\"https://example.org\">連結</a>");
    /* Markdown evidence is a page of its own, named by its title when it has one. */
    ASSERT_CELL(s, "R-1", "file", pub, sh,
                "<a class=\"evidence\" href=\"../evidence/sign%20sheet.html\">sign sheet.md</a>");
    map_init(&s->evidence_titles, free);
    map_set(&s->evidence_titles, "sign sheet.md", xstrdup("簽到表 <正本>"));
    ASSERT_CELL(s, "R-1", "file", pub, sh,
                "<a class=\"evidence\" href=\"../evidence/sign%20sheet.html\">簽到表 &lt;正本&gt;</a>");
    map_free(&s->evidence_titles);
    memset(&s->evidence_titles, 0, sizeof s->evidence_titles);
    /* Hidden from the audience. */
    ASSERT_CELL(s, "R-1", "secret", AUDIENCE_STAFF, sh, "（不公開）");
    ASSERT_CELL(s, "R-1", "secret", AUDIENCE_INTERNAL, sh, "機密");
}

static void test_cell_refs(void **state)
{
    loaded *l = *state;
    site *s = &l->site;
    const register_date_form sh = REGISTER_DATE_SHORT;
    ASSERT_CELL(s, "R-1", "person", AUDIENCE_STAFF, sh,
                "<a href=\"../registers/people.html#S-01\">魏川淵</a>");
    /* The key is %-encoded in the link; the label is escaped. */
    ASSERT_CELL(s, "R-2", "person", AUDIENCE_STAFF, sh,
                "<a href=\"../registers/people.html#S%2002\">陳 &quot;素梅&quot; &lt;b&gt;</a>");
    /* The people register is staff-only: a public page shows no key or name of it. */
    ASSERT_CELL(s, "R-1", "person", AUDIENCE_PUBLIC, sh, "（不公開）");
}

static void test_table_html(void **state)
{
    loaded *l = *state;
    site *s = &l->site;
    const register_def *reg = registers_get(s->registers, "records");
    ydoc *opts = yaml_load_buffer(
        "tests/chapter.md", "columns: [id, date, secret]\nwhere: { kind: 乙類 }\nsort: -date\n",
        strlen("columns: [id, date, secret]\nwhere: { kind: 乙類 }\nsort: -date\n"), 8, NULL,
        &told);
    assert_non_null(opts);
    register_view v;
    register_view_init(&v);
    capture c;
    capture_begin(&c);
    assert_true(
        register_view_parse(&v, reg, opts->root, (srcpos){"tests/chapter.md", 7, 1}, &told));
    char *diags = capture_end(&c);
    assert_string_equal(diags, "");
    free(diags);

    strbuf sb;
    sb_init(&sb);
    register_table_html(&sb, s, reg, &v, "../", AUDIENCE_STAFF);
    assert_string_equal(sb.data,
                        "<div class=\"table-wrap\" tabindex=\"0\"><table class=\"register cards\" data-register=\"records\">\n"
                        "<thead>\n<tr><th scope=\"col\" class=\"w2\">編號</th><th scope=\"col\" class=\"w5\">日期</th>"
                        "<th scope=\"col\" class=\"w5\">內部註記</th></tr>\n</thead>\n<tbody>\n"
                        "<tr><td data-label=\"編號\">R-2</td><td class=\"date\" data-label=\"日期\">115/03/02</td>"
                        "<td data-label=\"內部註記\">（不公開）</td></tr>\n"
                        "<tr><td data-label=\"編號\">R-3</td><td class=\"date\" data-label=\"日期\">113/07/01</td>"
                        "<td data-label=\"內部註記\">（不公開）</td></tr>\n"
                        "</tbody>\n</table></div>\n");

    /* The same view on the register's own page anchors its rows, as a list. */
    sb_clear(&sb);
    v.anchors = true;
    v.layout = REGISTER_LAYOUT_LIST;
    register_table_html(&sb, s, reg, &v, "../", AUDIENCE_INTERNAL);
    assert_string_equal(sb.data,
                        "<div class=\"register-list\" data-register=\"records\">\n"
                        "<dl class=\"register-row\" id=\"R-2\">\n"
                        "<dt>編號</dt><dd>R-2</dd>\n"
                        "<dt>日期</dt><dd>中華民國 115 年 3 月 2 日</dd>\n"
                        "<dt>內部註記</dt><dd></dd>\n"
                        "</dl>\n"
                        "<dl class=\"register-row\" id=\"R-3\">\n"
                        "<dt>編號</dt><dd>R-3</dd>\n"
                        "<dt>日期</dt><dd>中華民國 113 年 7 月 1 日</dd>\n"
                        "<dt>內部註記</dt><dd>另一則</dd>\n"
                        "</dl>\n"
                        "</div>\n");

    /* A register hidden from the audience renders only the notice. */
    sb_clear(&sb);
    register_view plain;
    register_view_init(&plain);
    register_table_html(&sb, s, registers_get(s->registers, "people"), &plain, "../",
                        AUDIENCE_PUBLIC);
    assert_string_equal(sb.data, "<p class=\"register-hidden\">（不公開）</p>\n");

    /* Default columns leave out what the audience may not see; no anchors. */
    sb_clear(&sb);
    register_table_html(&sb, s, reg, &plain, "../", AUDIENCE_PUBLIC);
    assert_null(strstr(sb.data, "內部註記"));
    assert_null(strstr(sb.data, "機密"));
    assert_null(strstr(sb.data, " id="));
    assert_non_null(strstr(sb.data, "<td class=\"num\" data-label=\"時數\">1.5 小時</td>"));
    register_view_free(&plain);

    sb_free(&sb);
    register_view_free(&v);
    ydoc_free(opts);
}

static void test_view_where_and_sort(void **state)
{
    loaded *l = *state;
    const register_def *reg = registers_get(l->site.registers, "records");
    const char *text = "where: { done: false, checks: 已公告 }\n";
    ydoc *opts = yaml_load_buffer("t.md", text, strlen(text), 1, NULL, &told);
    register_view v;
    register_view_init(&v);
    assert_true(register_view_parse(&v, reg, opts->root, (srcpos){"t.md", 1, 1}, &told));
    vec rows;
    vec_init(&rows, NULL);
    register_view_rows(&v, reg, &rows);
    assert_int_equal(rows.len, 0); /* R-1 is done; R-2 ticks nothing */
    vec_free(&rows);
    register_view_free(&v);
    ydoc_free(opts);

    text = "where: { secret: ~ }\nsort: hours\n";
    opts = yaml_load_buffer("t.md", text, strlen(text), 1, NULL, &told);
    register_view_init(&v);
    assert_true(register_view_parse(&v, reg, opts->root, (srcpos){"t.md", 1, 1}, &told));
    vec_init(&rows, NULL);
    register_view_rows(&v, reg, &rows);
    assert_int_equal(rows.len, 1);
    assert_string_equal(((const register_row *)rows.items[0])->key, "R-2");
    vec_free(&rows);
    register_view_free(&v);
    ydoc_free(opts);

    /* Sorting puts empty cells last and keeps file order on ties. */
    text = "sort: -hours\n";
    opts = yaml_load_buffer("t.md", text, strlen(text), 1, NULL, &told);
    register_view_init(&v);
    assert_true(register_view_parse(&v, reg, opts->root, (srcpos){"t.md", 1, 1}, &told));
    vec_init(&rows, NULL);
    register_view_rows(&v, reg, &rows);
    assert_int_equal(rows.len, 3);
    assert_string_equal(((const register_row *)rows.items[0])->key, "R-2");
    assert_string_equal(((const register_row *)rows.items[1])->key, "R-1");
    assert_string_equal(((const register_row *)rows.items[2])->key, "R-3");
    vec_free(&rows);
    register_view_free(&v);
    ydoc_free(opts);
}

static void test_view_option_errors(void **state)
{
    loaded *l = *state;
    const register_def *reg = registers_get(l->site.registers, "records");
    const char *text = "columns: [id, colour]\n"
                       "where: { shape: round, date: yesterday, kind: 丙類 }\n"
                       "sort: -size\n"
                       "layout: grid\n"
                       "foo: 1\n";
    /* The block's body starts on line 11 of the chapter. */
    ydoc *opts = yaml_load_buffer("content/plan/05-assets.md", text, strlen(text), 11, NULL, &told);
    assert_non_null(opts);
    register_view v;
    register_view_init(&v);
    capture c;
    capture_begin(&c);
    assert_false(register_view_parse(&v, reg, opts->root,
                                     (srcpos){"content/plan/05-assets.md", 10, 1}, &told));
    char *got = capture_end(&c);
    const char *p = "content/plan/05-assets.md";
    char expected[4096];
    snprintf(expected, sizeof expected,
             "%s:11:15: error: unknown column 'colour': register 'records' has no such field "
             "[register-option]\n"
             "%s:12:10: error: where: unknown field 'shape': register 'records' has no such field "
             "[register-option]\n"
             "%s:12:30: error: where: field 'date' is a date (YYYY-MM-DD), not 'yesterday' "
             "[register-option]\n"
             "%s:12:47: error: where: '丙類' is not a value of field 'kind' [register-option]\n"
             "%s:13:7: error: sort: unknown field 'size': register 'records' has no such field "
             "[register-option]\n"
             "%s:14:9: error: layout must be table or list, not 'grid' [register-option]\n"
             "%s:15:1: error: unknown option 'foo' (columns, merge, where, sort, layout) "
             "[register-option]\n",
             p, p, p, p, p, p, p);
    assert_string_equal(got, expected);
    free(got);
    /* Quietly: the same options report nothing. */
    register_view_free(&v);
    register_view_init(&v);
    capture_begin(&c);
    assert_false(register_view_parse(&v, reg, opts->root, (srcpos){p, 10, 1}, NULL));
    got = capture_end(&c);
    assert_string_equal(got, "");
    free(got);
    /* What was right is kept. */
    assert_int_equal(v.columns.len, 1);
    register_view_free(&v);
    ydoc_free(opts);
}

static void test_directives(void **state)
{
    loaded *l = *state;
    site *s = &l->site;
    document doc;
    memset(&doc, 0, sizeof doc);
    doc.path = "content/plan/05-assets.md";
    vec_init(&doc.directives, NULL);
    const char *text = "columns: [id, kind]\nwhere: { kind: 甲類 }\n";
    directive good = {.kind = DIRECTIVE_REGISTER, .arg = "records", .pos = {doc.path, 20, 1}};
    good.options = yaml_load_buffer(doc.path, text, strlen(text), 21, NULL, &told);
    directive unknown = {.kind = DIRECTIVE_REGISTER, .arg = "recrods", .pos = {doc.path, 30, 1}};
    directive revisions = {.kind = DIRECTIVE_REVISIONS, .pos = {doc.path, 40, 1}};
    vec_push(&doc.directives, &good);
    vec_push(&doc.directives, &unknown);
    vec_push(&doc.directives, &revisions);
    vec_push(&s->chapters, &doc);

    capture c;
    capture_begin(&c);
    assert_false(register_directives_check(s, &told));
    char *got = capture_end(&c);
    assert_string_equal(got,
                        "content/plan/05-assets.md:30:1: error: unknown register 'recrods' "
                        "[register-option]\n"
                        "content/plan/05-assets.md:40:1: error: the revisions directive needs "
                        "registers/revisions.yaml [register-option]\n");
    free(got);

    html_body_options opts = {.site = s, .audience = AUDIENCE_PUBLIC, .root = "../"};
    strbuf sb;
    sb_init(&sb);
    render_register_directive(&sb, &opts, &good);
    assert_string_equal(sb.data,
                        "<div class=\"table-wrap\" tabindex=\"0\"><table class=\"register cards\" data-register=\"records\">\n"
                        "<thead>\n<tr><th scope=\"col\" class=\"w2\">編號</th><th scope=\"col\" class=\"w2\">類別</th></tr>\n"
                        "</thead>\n<tbody>\n<tr><td data-label=\"編號\">R-1</td><td data-label=\"類別\">甲類</td></tr>\n</tbody>\n"
                        "</table></div>\n");
    sb_clear(&sb);
    render_register_directive(&sb, &opts, &unknown);
    assert_string_equal(sb.data, "");
    sb_free(&sb);

    ydoc_free(good.options);
    vec_free(&doc.directives);
    s->chapters.len = 0;
    vec_free(&s->chapters);
    vec_init(&s->chapters, NULL);
}

static void test_annex_links(void **state)
{
    loaded *l = *state;
    site *s = &l->site;
    /* records.yaml says `annex: record-form`, which this site lacks. */
    capture c;
    capture_begin(&c);
    assert_false(registers_check_site(s, &told));
    char *got = capture_end(&c);
    assert_string_equal(got, FIX "render/registers/records.yaml:2:8: error: register 'records' "
                                 "fills unknown annex 'record-form' [register-schema]\n");
    free(got);

    /* With the annex, only its own `register: nope` is wrong. */
    document annex;
    memset(&annex, 0, sizeof annex);
    annex.kind = DOCUMENT_ANNEX;
    annex.path = "content/annexes/03-record-form.md";
    annex.id = "record-form";
    annex.title = "紀錄表";
    annex.number = 3;
    annex.register_name = "nope";
    const char *front = "id: record-form\ntitle: 紀錄表\nregister: nope\n";
    annex.front = yaml_load_buffer(annex.path, front, strlen(front), 2, NULL, &told);
    vec_init(&annex.directives, NULL);
    vec_push(&s->annexes, &annex);
    capture_begin(&c);
    assert_false(registers_check_site(s, &told));
    got = capture_end(&c);
    assert_string_equal(got, "content/annexes/03-record-form.md:4:11: error: annex 'record-form' "
                             "names unknown register 'nope' [register-schema]\n");
    free(got);

    annex.register_name = "records";
    capture_begin(&c);
    assert_true(registers_check_site(s, &told));
    got = capture_end(&c);
    assert_string_equal(got, "");
    free(got);

    /* The page links the annex it fills. */
    value *page = register_page_value(s, registers_get(s->registers, "records"), AUDIENCE_PUBLIC, NULL);
    strbuf sb;
    sb_init(&sb);
    value_append_json(&sb, value_map_get(page, "annex"), false);
    assert_string_equal(sb.data, "{\"id\":\"record-form\",\"number\":3,\"title\":\"紀錄表\","
                                 "\"href\":\"../annexes/record-form.html\"}");
    sb_free(&sb);
    value_unref(page);

    ydoc_free(annex.front);
    vec_free(&annex.directives);
    vec_free(&s->annexes);
    vec_init(&s->annexes, NULL);
}

static void test_csv(void **state)
{
    loaded *l = *state;
    const register_def *reg = registers_get(l->site.registers, "records");
    char *csv = register_csv(reg, AUDIENCE_PUBLIC, true);
    assert_non_null(csv);
    assert_string_equal(
        csv,
        "\xEF\xBB\xBF"
        "編號,日期,時數,分數,人數,完成,類別,檢核,單位,說明,摘要,負責人,文件\r\n"
        "R-1,107/12/26,1.5,85.25,12,是,甲類,已簽核、已公告,教導處、總務處,"
        "\"第一行\n第二行 <b>, \"\"引號\"\"\","
        "**重要** 事項 <script>alert(1)</script> [連結](https://example.org),（不公開）,"
        "sign sheet.md\r\n"
        "R-2,115/03/02,3,,,否,乙類,,,\"'=SUM(A1:A2)\",,（不公開）,\r\n"
        "R-3,113/07/01,,,,,乙類,,,,,,\r\n");
    free(csv);

    csv = register_csv(reg, AUDIENCE_INTERNAL, false);
    assert_non_null(strstr(csv, ",內部註記\r\n"));
    assert_non_null(strstr(csv, "R-1,2018/12/26,"));
    assert_non_null(strstr(csv, ",S-01,sign sheet.md,機密\r\n"));
    free(csv);

    assert_null(register_csv(registers_get(l->site.registers, "people"), AUDIENCE_PUBLIC, true));
}

static void test_to_value(void **state)
{
    loaded *l = *state;
    value *v = registers_to_value(l->site.registers, AUDIENCE_STAFF);
    strbuf sb;
    sb_init(&sb);
    value_append_json(&sb, value_map_get(v, "records"), false);
    assert_string_equal(
        sb.data,
        "{\"title\":\"紀錄\",\"key\":\"id\",\"annex\":\"record-form\",\"rows\":["
        "{\"id\":\"R-1\",\"date\":{\"$date\":\"2018-12-26\"},\"hours\":1.5,\"score\":85.25,"
        "\"count\":12,\"done\":true,\"kind\":\"甲類\",\"checks\":[\"已簽核\",\"已公告\"],"
        "\"units\":[\"教導處\",\"總務處\"],\"note\":\"第一行\\n第二行 <b>, \\\"引號\\\"\\n\","
        "\"summary\":\"**重要** 事項 <script>alert(1)</script> [連結](https://example.org)\","
        "\"person\":\"S-01\",\"file\":\"sign sheet.md\","
        "\"_file\":\"tests/registers/fixtures/render/registers/records.yaml\",\"_line\":20},"
        "{\"id\":\"R-2\",\"date\":{\"$date\":\"2026-03-02\"},\"hours\":3,\"done\":false,"
        "\"kind\":\"乙類\",\"note\":\"=SUM(A1:A2)\",\"person\":\"S 02\","
        "\"_file\":\"tests/registers/fixtures/render/registers/records.yaml\",\"_line\":36},"
        "{\"id\":\"R-3\",\"date\":{\"$date\":\"2024-07-01\"},\"kind\":\"乙類\","
        "\"_file\":\"tests/registers/fixtures/render/registers/records.yaml\",\"_line\":43}]}");
    /* The staff edition sees the people register, but not its internal phone field. */
    sb_clear(&sb);
    value_append_json(&sb, value_map_get(v, "people"), false);
    assert_null(strstr(sb.data, "phone"));
    assert_non_null(strstr(sb.data, "魏川淵"));
    value_unref(v);

    /* The public edition does not see the people register at all. */
    v = registers_to_value(l->site.registers, AUDIENCE_PUBLIC);
    assert_null(value_map_get(v, "people"));
    assert_non_null(value_map_get(v, "records"));
    value_unref(v);
    sb_free(&sb);
}

static void test_page_and_index_values(void **state)
{
    loaded *l = *state;
    site *s = &l->site;
    const register_def *reg = registers_get(s->registers, "records");
    value *page = register_page_value(s, reg, AUDIENCE_PUBLIC, NULL);
    assert_non_null(page);
    assert_string_equal(value_as_string(value_map_get(page, "title")), "紀錄");
    assert_string_equal(value_as_string(value_map_get(page, "csv_href")), "records.csv");
    assert_null(value_map_get(page, "annex")); /* no annex record-form in this site */
    assert_int_equal(value_list_len(value_map_get(page, "columns")), 13);
    value *rows = value_map_get(page, "rows");
    assert_int_equal(value_list_len(rows), 3);
    value *cells = value_map_get(value_list_get(rows, 0), "cells");
    assert_string_equal(value_as_string(value_map_get(value_list_get(cells, 1), "html")),
                        "107/12/26");
    const char *table = value_as_string(value_map_get(page, "table"));
    assert_non_null(strstr(table, "<tr id=\"R-1\">"));
    assert_non_null(strstr(table, "<tr id=\"R-3\">"));
    value_unref(page);
    assert_null(register_page_value(s, registers_get(s->registers, "people"), AUDIENCE_PUBLIC, NULL));

    value *index = register_index_value(s, AUDIENCE_PUBLIC);
    strbuf sb;
    sb_init(&sb);
    value_append_json(&sb, index, false);
    assert_string_equal(sb.data,
                        "{\"title\":\"紀錄及清冊\",\"registers\":[{\"name\":\"records\",\"title\":"
                        "\"紀錄\",\"row_count\":3,\"href\":\"records.html\",\"csv_href\":"
                        "\"records.csv\"}],\"count\":1,\"any\":true}");
    sb_free(&sb);
    value_unref(index);
}

int main(void)
{
    told = diag_to_stream(stderr);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_status_is_its_own),
        cmocka_unit_test(test_missing_required),
        cmocka_unit_test(test_wrong_type),
        cmocka_unit_test(test_enum_value),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_ref_missing_row),
        cmocka_unit_test(test_ref_unknown_register),
        cmocka_unit_test(test_unknown_field),
        cmocka_unit_test(test_schema_errors),
        cmocka_unit_test(test_type_and_map_errors),
        cmocka_unit_test(test_typed_value),
        cmocka_unit_test(test_file_paths),
        cmocka_unit_test(test_file_symlink_escape),
        cmocka_unit_test(test_billion_laughs),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_50mb_register),
        cmocka_unit_test(test_example_registers_load_clean),
        cmocka_unit_test_setup_teardown(test_cell_dates, setup_render, teardown_render),
        cmocka_unit_test_setup_teardown(test_cell_types, setup_render, teardown_render),
        cmocka_unit_test_setup_teardown(test_cell_refs, setup_render, teardown_render),
        cmocka_unit_test_setup_teardown(test_table_html, setup_render, teardown_render),
        cmocka_unit_test_setup_teardown(test_view_where_and_sort, setup_render, teardown_render),
        cmocka_unit_test_setup_teardown(test_view_option_errors, setup_render, teardown_render),
        cmocka_unit_test_setup_teardown(test_directives, setup_render, teardown_render),
        cmocka_unit_test_setup_teardown(test_annex_links, setup_render, teardown_render),
        cmocka_unit_test_setup_teardown(test_csv, setup_render, teardown_render),
        cmocka_unit_test_setup_teardown(test_to_value, setup_render, teardown_render),
        cmocka_unit_test_setup_teardown(test_page_and_index_values, setup_render, teardown_render),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

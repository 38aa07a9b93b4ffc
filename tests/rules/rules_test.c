/* Tests of the rule engine: the sandbox, limits, dates, flags and site data.
 * Fixtures are read from $RULES_FIXTURES, default tests/rules/fixtures (run
 * from the repository root). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "core/strbuf.h"
#include "core/xalloc.h"
#include "diag/diag.h"
#include "rules/date.h"
#include "registers/regtype.h"
#include "rules/plugin.h"
#include "rules/rules.h"

/* Where the code under test tells its diagnostics: stderr, or a capture. */
static diag_sink told;

static const date TODAY = {2026, 11, 5};

static const char *fixture_dir(void)
{
    const char *dir = getenv("RULES_FIXTURES");
    return dir && *dir ? dir : "tests/rules/fixtures";
}

static char *fixture(const char *name)
{
    return xasprintf("%s/%s", fixture_dir(), name);
}

/* One call of rules_run with its diagnostics captured. Its wall time is
 * kept for the tests of the time limits, which bound it loosely (a tenfold
 * margin): they guard against a rule that is never stopped, not against a
 * slow or busy machine. */
typedef struct run {
    rules_result result;
    char *diags;
    size_t diags_len;
    double seconds;
} run;

static void run_inputs(run *r, const rules_inputs *in)
{
    memset(r, 0, sizeof *r);
    FILE *stream = open_memstream(&r->diags, &r->diags_len);
    assert_non_null(stream);
    told = diag_to_stream(stream);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    rules_finish(rules_start(in), &r->result, &told);
    clock_gettime(CLOCK_MONOTONIC, &end);
    told.stream = stderr;
    fclose(stream);
    r->seconds = (double)(end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
}

/* The typed registers come from the test site's "registers" entry (which
 * site_push itself ignores); require loads from fixtures/lib. */
static void run_paths(run *r, const char *const *paths, size_t n, const value *site,
                      const value *params, const rules_limits *limits)
{
    char *lib = fixture("lib");
    rules_inputs in = {.paths = paths,
                       .count = n,
                       .site = site,
                       .registers = site ? value_map_get(site, "registers") : NULL,
                       .registers_dir = "content/registers",
                       .lib_dir = lib,
                       .today = TODAY,
                       .params = params,
                       .limits = limits};
    run_inputs(r, &in);
    free(lib);
}

/* Runs the named fixtures (NULL-terminated list). */
static void run_fixtures(run *r, const value *site, const value *params, const rules_limits *limits,
                         ...)
{
    vec paths;
    vec_init(&paths, free);
    va_list ap;
    va_start(ap, limits);
    for (const char *name; (name = va_arg(ap, const char *));)
        vec_push(&paths, fixture(name));
    va_end(ap);
    run_paths(r, (const char *const *)paths.items, paths.len, site, params, limits);
    vec_free(&paths);
}

static void run_free(run *r)
{
    rules_result_free(&r->result);
    free(r->diags);
}

/* The diagnostics expected, with "@" standing for the fixture directory. */
static void assert_diags(const run *r, const char *expected)
{
    strbuf want;
    sb_init(&want);
    for (const char *c = expected; *c; c++) {
        if (*c == '@')
            sb_append(&want, fixture_dir());
        else
            sb_appendc(&want, *c);
    }
    assert_string_equal(r->diags, want.data);
    sb_free(&want);
}

static const rule_flag *find_flag(const run *r, const char *rule_id, const char *message)
{
    for (size_t i = 0; i < r->result.flags.len; i++) {
        const rule_flag *f = r->result.flags.items[i];
        if (strcmp(f->rule_id, rule_id) == 0 && strcmp(f->message, message) == 0)
            return f;
    }
    return NULL;
}

static const rule_info *find_rule(const run *r, const char *id)
{
    for (size_t i = 0; i < r->result.rules.len; i++) {
        const rule_info *info = r->result.rules.items[i];
        if (strcmp(info->id, id) == 0)
            return info;
    }
    return NULL;
}

/* The site the tests share: registers by type, as registers_typed_value
 * gives them: two management reviews, two training rows, one drill, and a
 * staff register whose roles field cannot hold the canonical list. */
static value *typed_row(const char *key, const char *file, int line)
{
    value *row = value_map();
    value_map_set_string(row, "_key", key);
    rules_row_set_place(row, file, line);
    return row;
}

/* fields: "canonical=own" pairs, or "canonical!problem". */
static value *typed_register(const char *name, const char *title, const char *const *fields,
                             value *rows)
{
    value *reg = value_map();
    value_map_set_string(reg, "name", name);
    value_map_set_string(reg, "title", title);
    char *file = xasprintf("content/registers/%s.yaml", name);
    value_map_set_string(reg, "file", file);
    free(file);
    value_map_set_number(reg, "line", 2);
    value_map_set_string(reg, "key", "id");
    value *fv = value_map();
    for (size_t i = 0; fields[i]; i++) {
        const char *sep = strpbrk(fields[i], "=!");
        char *canonical = xstrndup(fields[i], (size_t)(sep - fields[i]));
        value *f = value_map();
        value_map_set_string(f, *sep == '=' ? "own" : "problem", sep + 1);
        if (*sep == '!')
            value_map_set_string(f, "own", "role");
        value_map_set_number(f, "line", 5);
        value_map_set(fv, canonical, f);
        free(canonical);
    }
    value_map_set(reg, "fields", fv);
    value_map_set(reg, "rows", rows);
    return reg;
}

static value *make_site(void)
{
    value *site = value_map();
    value *org = value_map();
    value_map_set_string(org, "name", "基隆市隆聖國民小學");
    value_map_set_string(org, "level", "D");
    value_map_set(site, "organization", org);
    value *flags = value_map();
    value_map_set_bool(flags, "public", true);
    value_map_set_bool(flags, "draft", false);
    value_map_set(site, "flags", flags);
    value_map_set(site, "nothing", value_null());

    const char *reviews_file = "content/registers/management-reviews.yaml";
    value *reviews = value_list();
    value *now = typed_row("MR-2026", reviews_file, 4);
    value_map_set(now, "date", rules_date_value((date){2026, 3, 2}));
    value_list_push(reviews, now);
    value *old = typed_row("MR-2025", reviews_file, 12);
    value_map_set(old, "date", rules_date_value((date){2025, 10, 20}));
    value *items = value_list();
    value_list_push(items, value_string("policy"));
    value_list_push(items, value_string("goals"));
    value_map_set(old, "agenda", items);
    value_list_push(reviews, old);
    static const char *const review_fields[] = {"date=date", "agenda=items", NULL};
    value *registers = value_map();
    value *review_reg = typed_register("reviews", "管理審查會議紀錄", review_fields, reviews);
    value *agenda = value_map_get(value_map_get(review_reg, "fields"), "agenda");
    value *options = value_list();
    value_list_push(options, value_string("policy"));
    value_list_push(options, value_string("goals"));
    value_map_set(agenda, "values", options);
    value_map_set(registers, "management-reviews", review_reg);

    value *training = value_list();
    value *t1 = typed_row("T-1", "content/registers/training.yaml", 3);
    value_map_set_number(t1, "hours", 6);
    value_list_push(training, t1);
    value *t2 = typed_row("T-2", "content/registers/training.yaml", 5);
    value_map_set_number(t2, "hours", 1.5);
    value_list_push(training, t2);
    static const char *const training_fields[] = {"hours=hours", NULL};
    value_map_set(registers, "training", typed_register("training", "訓練", training_fields, training));

    value *drills = value_list();
    value *drill = typed_row("D-1", "content/registers/drills.yaml", 3);
    value_map_set_string(drill, "kind", "social-engineering");
    value_list_push(drills, drill);
    static const char *const drill_fields[] = {"kind=kind", NULL};
    value_map_set(registers, "drills", typed_register("drills", "演練", drill_fields, drills));

    static const char *const staff_fields[] = {
        "name=name", "categories!content/registers/staff.yaml's field 'role' is bool", NULL};
    value_map_set(registers, "staff", typed_register("staff", "人員", staff_fields, value_list()));
    value_map_set(site, "registers", registers);
    return site;
}

static rules_limits in_process_limits(void)
{
    rules_limits limits = rules_default_limits();
    limits.in_process = true;
    return limits;
}

/* ---- the sandbox: each escape is one diagnostic at its line ---- */

typedef struct bad_case {
    const char *fixture;
    const char *diag; /* "@" is the fixture directory */
} bad_case;

static const bad_case bad_cases[] = {
    {"io-open.lua", "@/io-open.lua:7: error: rule 'io-open' failed: attempt to index a nil "
                    "value (global 'io') [rule-error]\n"},
    {"os-execute.lua", "@/os-execute.lua:7: error: rule 'os-execute' failed: attempt to index "
                       "a nil value (global 'os') [rule-error]\n"},
    {"require.lua", "@/require.lua:1: error: rule plugin failed: require: no helper module "
                    "'socket' (@/lib/socket.lua) [rule-error]\n"},
    {"load.lua", "@/load.lua:7: error: rule 'load' failed: attempt to call a nil value (global "
                 "'load') [rule-error]\n"},
    {"loadstring.lua", "@/loadstring.lua:7: error: rule 'loadstring' failed: attempt to call a "
                       "nil value (global 'loadstring') [rule-error]\n"},
    {"dofile.lua", "@/dofile.lua:7: error: rule 'dofile' failed: attempt to call a nil value "
                   "(global 'dofile') [rule-error]\n"},
    {"string-dump.lua", "@/string-dump.lua:7: error: rule 'string-dump' failed: attempt to call "
                        "a nil value (field 'dump') [rule-error]\n"},
    {"boom.lua", "@/boom.lua:7: error: rule 'boom' failed: boom [rule-error]\n"},
    {"error-table.lua", "@/error-table.lua:8: error: rule 'error-table' failed: (error object is "
                        "a table value) [rule-error]\n"},
    {"memory-bomb.lua", "@/memory-bomb.lua:7: error: rule 'memory-bomb' stopped: exceeded the "
                        "memory limit of 64 MiB [rule-memory]\n"},
    {"loop.lua", "@/loop.lua:7: error: rule 'loop' stopped: exceeded the instruction limit of "
                 "10000000 [rule-timeout]\n"},
    {"loop-pcall.lua", "@/loop-pcall.lua:9: error: rule 'loop-pcall' stopped: exceeded the "
                       "instruction limit of 10000000 [rule-timeout]\n"},
    {"loop-xpcall.lua", "@/loop-xpcall.lua:8: error: rule 'loop-xpcall' stopped: exceeded the "
                        "instruction limit of 10000000 [rule-timeout]\n"},
    {"loop-load.lua", "@/loop-load.lua:1: error: rule plugin stopped: exceeded the instruction "
                      "limit of 10000000 [rule-timeout]\n"},
    {"not-a-rule.lua", "@/not-a-rule.lua:3: error: rule plugin failed: a plugin must end with "
                       "`return rule { ... }`, but this one returned number [rule-error]\n"},
    {"syntax-error.lua", "@/syntax-error.lua:5: error: cannot load rule: '}' expected (to close "
                         "'{' at line 1) near 'source' [rule-load]\n"},
    {"bad-severity.lua", "@/bad-severity.lua:1: error: rule plugin failed: rule: field "
                         "'severity' must be one of error, warning, info (got 'fatal') "
                         "[rule-error]\n"},
    {"unknown-field.lua", "@/unknown-field.lua:1: error: rule plugin failed: rule: unknown field "
                          "'sources' (known: id, title, severity, source, kind, check, needs, "
                          "params, plan) [rule-error]\n"},
    {"bad-kind.lua", "@/bad-kind.lua:1: error: rule plugin failed: rule: field 'kind' must be "
                     "one of duty, document (got 'paperwork') [rule-error]\n"},
    {"bad-status.lua", "@/bad-status.lua:7: error: rule 'bad-status' failed: flag: field "
                       "'status' must be one of missing, overdue, due-soon, ok (got 'late') "
                       "[rule-error]\n"},
    {"flag-at-load.lua", "@/flag-at-load.lua:1: error: rule plugin failed: flag: flags can only "
                         "be raised while a rule's check runs [rule-error]\n"},
    {"gc-loop.lua", "@/gc-loop.lua:9: error: rule 'gc-loop' failed: setmetatable: __gc "
                    "metamethods are not available to rules [rule-error]\n"},
};

/* Each bad plugin, beside a good one: one diagnostic, the good flag kept,
 * within a second; the same in a child process and in this one. */
static void check_bad_cases(const rules_limits *limits)
{
    value *site = make_site();
    for (size_t i = 0; i < sizeof bad_cases / sizeof *bad_cases; i++) {
        run r;
        run_fixtures(&r, site, NULL, limits, bad_cases[i].fixture, "good.lua", NULL);
        print_message("%s: %.3f s\n", bad_cases[i].fixture, r.seconds);
        assert_diags(&r, bad_cases[i].diag);
        assert_int_equal(diag_get_counts(&told).errors, 1);
        assert_int_equal(r.result.failed, 1);
        assert_true(r.seconds < 10.0);
        assert_int_equal(r.result.flags.len, 1);
        assert_non_null(find_flag(&r, "good", "held on 2026-03-02"));
        const rule_info *bad = r.result.rules.items[0];
        assert_int_equal(bad->outcome, RULE_FAILED);
        assert_non_null(bad->error);
        run_free(&r);
    }
    value_unref(site);
}

static void test_bad_plugins_isolated(void **state)
{
    (void)state;
    rules_limits limits = rules_default_limits();
    check_bad_cases(&limits);
}

static void test_bad_plugins_in_process(void **state)
{
    (void)state;
    rules_limits limits = in_process_limits();
    check_bad_cases(&limits);
}

/* All of them in one run: one diagnostic each, in order, and the good rule
 * (run last) still raises its flag. */
static void test_bad_plugins_in_one_run(void **state)
{
    (void)state;
    value *site = make_site();
    size_t n = sizeof bad_cases / sizeof *bad_cases;
    vec paths;
    vec_init(&paths, free);
    strbuf expected;
    sb_init(&expected);
    for (size_t i = 0; i < n; i++) {
        vec_push(&paths, fixture(bad_cases[i].fixture));
        sb_append(&expected, bad_cases[i].diag);
    }
    vec_push(&paths, fixture("good.lua"));
    run r;
    run_paths(&r, (const char *const *)paths.items, paths.len, site, NULL, NULL);
    assert_diags(&r, expected.data);
    assert_int_equal(r.result.failed, (int)n);
    assert_int_equal(r.result.rules.len, n + 1);
    assert_int_equal(r.result.flags.len, 1);
    assert_non_null(find_flag(&r, "good", "held on 2026-03-02"));
    run_free(&r);
    sb_free(&expected);
    vec_free(&paths);
    value_unref(site);
}

static int collect_bytes(lua_State *L, const void *p, size_t size, void *ud)
{
    (void)L;
    sb_appendn(ud, p, size);
    return 0;
}

/* A precompiled chunk is refused before Lua sees it (mode "t" would refuse it
 * too), with its own message. */
static void test_bytecode_refused(void **state)
{
    (void)state;
    lua_State *L = luaL_newstate();
    assert_int_equal(luaL_loadstring(L, "return rule { id = 'bytecode', title = 't', severity = "
                                        "'error', source = 't', check = function() end }"),
                     LUA_OK);
    strbuf bytes;
    sb_init(&bytes);
    assert_int_equal(lua_dump(L, collect_bytes, &bytes, 0), 0);
    lua_close(L);
    assert_memory_equal(bytes.data, LUA_SIGNATURE, 4);

    char dir[] = "/tmp/rules-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = xasprintf("%s/bytecode.lua", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite(bytes.data, 1, bytes.len, f);
    fclose(f);

    value *site = make_site();
    char *good = fixture("good.lua");
    const char *paths[] = {path, good};
    run r;
    run_paths(&r, paths, 2, site, NULL, NULL);
    char *expected = xasprintf("%s: error: cannot load rule: precompiled Lua (bytecode) is not "
                               "accepted; a rule must be Lua source text [rule-load]\n",
                               path);
    assert_string_equal(r.diags, expected);
    assert_non_null(find_flag(&r, "good", "held on 2026-03-02"));
    const rule_info *info = r.result.rules.items[0];
    assert_string_equal(info->id, "bytecode");
    assert_false(info->declared);
    run_free(&r);

    free(expected);
    free(good);
    value_unref(site);
    unlink(path);
    rmdir(dir);
    free(path);
    sb_free(&bytes);
}

/* ---- limits ---- */

static void test_memory_limits(void **state)
{
    (void)state;
    rules_limits limits = rules_default_limits();
    limits.max_memory = 16 * 1024 * 1024;
    run r;
    run_fixtures(&r, NULL, NULL, &limits, "memory-growth.lua", "memory-caught.lua", NULL);
    assert_diags(&r, "@/memory-growth.lua:9: error: rule 'memory-growth' stopped: exceeded the "
                     "memory limit of 16 MiB [rule-memory]\n");
    /* A rule may catch a refused allocation and go on. */
    assert_non_null(find_flag(&r, "memory-caught", "caught: not enough memory"));
    assert_true(r.seconds < 10.0);
    run_free(&r);

    /* Too little memory even for the state. */
    limits.max_memory = 1024;
    run_fixtures(&r, NULL, NULL, &limits, "good.lua", NULL);
    assert_diags(&r, "@/good.lua: error: rule plugin stopped: exceeded the memory limit of 1024 "
                     "bytes creating its Lua state [rule-memory]\n");
    run_free(&r);
}

static void test_instruction_limit_is_configurable(void **state)
{
    (void)state;
    rules_limits limits = rules_default_limits();
    limits.max_instructions = 100000;
    run r;
    run_fixtures(&r, NULL, NULL, &limits, "loop.lua", NULL);
    assert_diags(&r, "@/loop.lua:7: error: rule 'loop' stopped: exceeded the instruction limit "
                     "of 100000 [rule-timeout]\n");
    assert_true(r.seconds < 5.0);
    run_free(&r);
}

static void test_time_limit_in_lua(void **state)
{
    (void)state;
    rules_limits limits = rules_default_limits();
    limits.max_instructions = 1000LL * 1000 * 1000 * 1000;
    limits.max_millis = 100;
    run r;
    run_fixtures(&r, NULL, NULL, &limits, "loop-pcall.lua", NULL);
    assert_diags(&r, "@/loop-pcall.lua:9: error: rule 'loop-pcall' stopped: exceeded the time "
                     "limit of 100 ms [rule-timeout]\n");
    assert_true(r.seconds < 10.0);
    run_free(&r);
}

/* Backtracking in C cannot be counted; the child is killed and the line it
 * was running is reported. */
static void test_time_limit_in_c(void **state)
{
    (void)state;
    rules_limits limits = rules_default_limits();
    limits.max_millis = 300;
    value *site = make_site();
    run r;
    run_fixtures(&r, site, NULL, &limits, "pattern-bomb.lua", "good.lua", NULL);
    assert_diags(&r, "@/pattern-bomb.lua:9: error: rule 'pattern-bomb' stopped: exceeded the "
                     "time limit of 300 ms (inside a library function, where the instruction "
                     "count cannot reach) [rule-timeout]\n");
    assert_non_null(find_flag(&r, "good", "held on 2026-03-02"));
    const rule_info *info = find_rule(&r, "pattern-bomb");
    assert_non_null(info);
    assert_true(info->declared);
    assert_null(info->title);
    assert_true(r.seconds < 10.0);
    run_free(&r);
    value_unref(site);
}

/* Metatables work as usual; a __gc added after setmetatable never runs (so
 * closing the state cannot hang either). */
static void test_metatables_without_finalizers(void **state)
{
    (void)state;
    for (int in_process = 0; in_process <= 1; in_process++) {
        rules_limits limits = rules_default_limits();
        limits.in_process = in_process;
        run r;
        run_fixtures(&r, NULL, NULL, &limits, "metatables.lua", NULL);
        assert_string_equal(r.diags, "");
        assert_non_null(find_flag(&r, "metatables", "metatables ok"));
        assert_true(r.seconds < 5.0);
        run_free(&r);
    }
}

/* ---- dates ---- */

static void assert_date(date d, int y, int m, int day)
{
    assert_int_equal(d.year, y);
    assert_int_equal(d.month, m);
    assert_int_equal(d.day, day);
}

static void test_date_arithmetic(void **state)
{
    (void)state;
    date d;
    assert_true(rules_date_add_months((date){2024, 1, 31}, 1, &d));
    assert_date(d, 2024, 2, 29);
    assert_true(rules_date_add_months((date){2023, 1, 31}, 1, &d));
    assert_date(d, 2023, 2, 28);
    assert_true(rules_date_add_months((date){2024, 3, 31}, -1, &d));
    assert_date(d, 2024, 2, 29);
    assert_true(rules_date_add_months((date){2025, 1, 31}, 12, &d));
    assert_date(d, 2026, 1, 31);
    assert_true(rules_date_add_months((date){2026, 1, 15}, -13, &d));
    assert_date(d, 2024, 12, 15);
    assert_false(rules_date_add_months((date){9999, 12, 1}, 1, &d));
    assert_false(rules_date_add_months((date){1, 1, 1}, -1, &d));

    assert_date(rules_date_end_of_quarter((date){2026, 1, 1}), 2026, 3, 31);
    assert_date(rules_date_end_of_quarter((date){2026, 5, 10}), 2026, 6, 30);
    assert_date(rules_date_end_of_quarter((date){2026, 9, 30}), 2026, 9, 30);
    assert_date(rules_date_end_of_quarter((date){2026, 12, 1}), 2026, 12, 31);
    assert_date(rules_date_end_of_month((date){2024, 2, 1}), 2024, 2, 29);
    assert_date(rules_date_end_of_month((date){1900, 2, 1}), 1900, 2, 28);
    assert_date(rules_date_end_of_month((date){2000, 2, 1}), 2000, 2, 29);

    assert_int_equal(rules_date_to_days((date){1970, 1, 1}), 0);
    assert_int_equal(rules_date_to_days((date){2000, 3, 1}), 11017);
    assert_int_equal(rules_date_to_days((date){1969, 12, 31}), -1);
    /* Every day from year 1 to 9999 survives the round trip, in order. */
    long first = rules_date_to_days((date){1, 1, 1}),
         last = rules_date_to_days((date){9999, 12, 31});
    date previous = rules_date_from_days(first);
    assert_date(previous, 1, 1, 1);
    for (long n = first + 1; n <= last; n++) {
        date day = rules_date_from_days(n);
        assert_true(date_valid(day));
        assert_int_equal(rules_date_to_days(day), n);
        date next;
        assert_true(rules_date_add_days(previous, 1, &next));
        assert_memory_equal(&next, &day, sizeof day);
        previous = day;
    }
    assert_false(rules_date_add_days((date){9999, 12, 31}, 1, &d));
    assert_true(rules_date_add_days((date){2026, 3, 1}, -365, &d));
    assert_date(d, 2025, 3, 1);
}

static void test_date_value(void **state)
{
    (void)state;
    value *v = rules_date_value((date){2026, 10, 31});
    assert_int_equal(v->as.map.len, 1);
    assert_string_equal(value_as_string(value_map_get(v, "$date")), "2026-10-31");
    value_unref(v);
}

/* The Lua side: dates.lua asserts each helper; a failure would be a
 * diagnostic at the failing line. */
static void test_dates_in_lua(void **state)
{
    (void)state;
    run r;
    run_fixtures(&r, NULL, NULL, NULL, "dates.lua", NULL);
    assert_string_equal(r.diags, "");
    const rule_flag *f = find_flag(&r, "dates", "dates ok");
    assert_non_null(f);
    assert_string_equal(f->due, "2026-12-31");
    run_free(&r);
}

/* A date in a longer concatenation: Lua 5.4.4 crashed here while a return
 * hook was set. */
static void test_date_in_concatenation(void **state)
{
    (void)state;
    run r;
    run_fixtures(&r, NULL, NULL, NULL, "concat-date.lua", NULL);
    assert_string_equal(r.diags, "");
    assert_int_equal(r.result.flags.len, 1);
    const rule_flag *f = r.result.flags.items[0];
    assert_memory_equal(f->message, "aV(", 3);
    assert_int_equal(strlen(f->message), strlen("aV(2026-01-01)"));
    run_free(&r);
}

/* ---- flags ---- */

static void test_flag_fields_defaults_and_order(void **state)
{
    (void)state;
    value *site = make_site();
    run r;
    run_fixtures(&r, site, NULL, NULL, "flags.lua", "good.lua", NULL);
    assert_string_equal(r.diags, "");
    /* by due date (undated last), then rule id, then message */
    const char *order[][2] = {
        {"flags", "fine"}, {"flags", "also late"},  {"flags", "late"},
        {"flags", "soon"}, {"flags", "never done"}, {"good", "held on 2026-03-02"},
    };
    assert_int_equal(r.result.flags.len, 6);
    for (size_t i = 0; i < 6; i++) {
        const rule_flag *f = r.result.flags.items[i];
        assert_string_equal(f->rule_id, order[i][0]);
        assert_string_equal(f->message, order[i][1]);
    }
    const rule_flag *f = find_flag(&r, "flags", "never done");
    assert_int_equal(f->status, FLAG_MISSING);
    assert_int_equal(f->severity, DIAG_WARNING); /* the rule's */
    assert_null(f->due);
    assert_null(f->file);
    assert_int_equal(f->line, 0);
    assert_null(f->section);
    assert_null(f->owner);

    f = find_flag(&r, "flags", "late");
    assert_int_equal(f->status, FLAG_OVERDUE);
    assert_int_equal(f->severity, DIAG_INFO); /* given */
    assert_string_equal(f->due, "2026-10-31");
    assert_string_equal(f->owner, "資安長 王大明");

    f = find_flag(&r, "flags", "soon");
    assert_int_equal(f->status, FLAG_DUE_SOON);
    assert_int_equal(f->severity, DIAG_WARNING);
    assert_string_equal(f->due, "2026-11-30"); /* from a string */
    assert_string_equal(f->section, "management-review");

    f = find_flag(&r, "flags", "fine");
    assert_int_equal(f->status, FLAG_OK);
    assert_int_equal(f->severity, DIAG_INFO);
    assert_string_equal(f->file, "content/registers/management-reviews.yaml");
    assert_int_equal(f->line, 4);

    f = find_flag(&r, "good", "held on 2026-03-02");
    assert_int_equal(f->severity, DIAG_INFO);
    assert_string_equal(f->file, "content/registers/management-reviews.yaml");
    assert_int_equal(f->line, 4);

    assert_string_equal(flag_status_name(FLAG_DUE_SOON), "due-soon");
    const rule_info *info = find_rule(&r, "flags");
    assert_int_equal(info->outcome, RULE_RAN);
    assert_int_equal(info->flag_count, 5);
    assert_int_equal(info->kind, RULE_KIND_DOCUMENT);
    assert_int_equal(find_rule(&r, "good")->kind, RULE_KIND_DUTY); /* the default */
    assert_string_equal(rule_kind_name(RULE_KIND_DOCUMENT), "document");
    run_free(&r);
    value_unref(site);
}

static void test_bad_flags(void **state)
{
    (void)state;
    static const char *cases[][2] = {
        {"unknown-field", "@/flag-cases.lua:9: error: rule 'flag-cases' failed: flag: unknown "
                          "field 'stauts' (known: message, status, due, severity, row, section, at, "
                          "owner) "
                          "[rule-error]\n"},
        {"no-message", "@/flag-cases.lua:10: error: rule 'flag-cases' failed: flag: field "
                       "'message' must be a non-empty string (got nil) [rule-error]\n"},
        {"bad-due", "@/flag-cases.lua:11: error: rule 'flag-cases' failed: flag: field 'due' "
                    "must be a date (got the string 'next week') [rule-error]\n"},
        {"bad-row", "@/flag-cases.lua:12: error: rule 'flag-cases' failed: flag: field 'row' "
                    "must be a row of site.registers (got a table the rule made) "
                    "[rule-error]\n"},
        {"bad-severity", "@/flag-cases.lua:13: error: rule 'flag-cases' failed: flag: field "
                         "'severity' must be one of error, warning, info (got 'fatal') "
                         "[rule-error]\n"},
        {"not-a-table", "@/flag-cases.lua:14: error: rule 'flag-cases' failed: bad argument #1 "
                        "to 'flag' (table expected, got string) [rule-error]\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        value *params = value_map();
        value *mine = value_map();
        value_map_set_string(mine, "case", cases[i][0]);
        value_map_set(params, "flag-cases", mine);
        run r;
        run_fixtures(&r, NULL, params, NULL, "flag-cases.lua", NULL);
        assert_diags(&r, cases[i][1]);
        assert_int_equal(r.result.flags.len, 0);
        run_free(&r);
        value_unref(params);
    }
}

/* ---- site data and parameters ---- */

static void test_site_data(void **state)
{
    (void)state;
    value *site = make_site();
    value *params = value_map();
    value *mine = value_map();
    value_map_set_number(mine, "window", 30);
    value *roles = value_list();
    value_list_push(roles, value_string("資安兼辦人員"));
    value_list_push(roles, value_string("資訊人員"));
    value_map_set(mine, "roles", roles);
    value_map_set(params, "site", mine);
    value *theirs = value_map();
    value_map_set_number(theirs, "month", 3); /* good's due date becomes 2026-03-31 */
    value_map_set(params, "good", theirs);

    value *no_reviews = value_map();
    value_map_set(no_reviews, "registers", value_map()); /* good's need is optional */

    run r;
    run_fixtures(&r, site, params, NULL, "site.lua", NULL);
    assert_string_equal(r.diags, "");
    const rule_flag *f = find_flag(&r, "site", "site ok");
    assert_non_null(f);
    assert_int_equal(f->line, 12);
    run_free(&r);

    /* good, without a review this year and past its due date */
    run_fixtures(&r, no_reviews, params, NULL, "good.lua", NULL);
    assert_string_equal(r.diags, "");
    f = find_flag(&r, "good", "本年度管理審查會議尚未召開（期限 2026-03-31）");
    assert_non_null(f);
    assert_int_equal(f->status, FLAG_OVERDUE);
    assert_int_equal(f->severity, DIAG_ERROR);
    assert_string_equal(f->due, "2026-03-31");
    run_free(&r);

    /* no site at all: registers still read as empty */
    run_fixtures(&r, NULL, NULL, NULL, "good.lua", NULL);
    assert_string_equal(r.diags, "");
    assert_non_null(find_flag(&r, "good", "本年度管理審查會議尚未召開（期限 2026-10-31）"));
    run_free(&r);

    value_unref(no_reviews);
    value_unref(params);
    value_unref(site);
}

static void test_bad_date_in_site_data(void **state)
{
    (void)state;
    value *site = make_site();
    value *bad = value_map();
    value_map_set_string(bad, "$date", "2026-02-30");
    value_map_set(site, "when", bad);
    run r;
    run_fixtures(&r, site, NULL, NULL, "good.lua", NULL);
    assert_diags(&r, "@/good.lua: error: rule 'good' failed: site data: a {\"$date\": ...} "
                     "value must hold \"YYYY-MM-DD\", not '2026-02-30' [rule-error]\n");
    run_free(&r);
    value_unref(site);
}

/* ---- needs ---- */

static const rule_need *find_need(const rule_info *info, const char *type, const char *field)
{
    for (size_t i = 0; i < info->needs.len; i++) {
        const rule_need *n = info->needs.items[i];
        if (strcmp(n->type, type) == 0 &&
            (field ? n->field && strcmp(n->field, field) == 0 : !n->field))
            return n;
    }
    return NULL;
}

static void test_needs_unmet(void **state)
{
    (void)state;
    value *site = make_site();
    run r;
    run_fixtures(&r, site, NULL, NULL, "needs-missing-register.lua", "needs-missing-field.lua",
                 "needs-bad-field.lua", "needs-optional.lua", NULL);
    assert_string_equal(r.diags, ""); /* check.c reports unchecked rules */
    assert_int_equal(r.result.unchecked, 3);

    const rule_info *info = find_rule(&r, "needs-missing-register");
    assert_int_equal(info->outcome, RULE_UNCHECKED);
    assert_string_equal(rule_outcome_name(info->outcome), "unchecked");
    const rule_need *n = find_need(info, "incidents", NULL);
    assert_true(n->blocking && !n->met);
    assert_string_equal(n->file, "content/registers");
    assert_non_null(strstr(n->message, "needs a register of type incidents (資通安全事件紀錄), "
                                       "and no register declares `type: incidents`"));
    /* its fields say nothing more: the register's need covers them */
    assert_false(find_need(info, "incidents", "aware")->blocking);

    info = find_rule(&r, "needs-missing-field");
    assert_int_equal(info->outcome, RULE_UNCHECKED);
    assert_true(find_need(info, "drills", NULL)->met);
    n = find_need(info, "drills", "date");
    assert_true(n->blocking);
    assert_string_equal(n->message,
                        "needs drills.date (date: 演練日期), and content/registers/drills.yaml has "
                        "no field that holds it: add a field 'date', or map one of yours (map: { "
                        "date: YOUR_FIELD })");
    assert_string_equal(n->file, "content/registers/drills.yaml");
    assert_int_equal(n->line, 2);

    info = find_rule(&r, "needs-bad-field");
    assert_int_equal(info->outcome, RULE_UNCHECKED);
    n = find_need(info, "staff", "categories");
    assert_string_equal(n->message, "needs staff.categories, but content/registers/staff.yaml's "
                                    "field 'role' is bool");
    assert_int_equal(n->line, 5);
    n = find_need(info, "staff", "name");
    assert_true(n->met);
    assert_string_equal(n->by, "content/registers/staff.yaml: name");

    /* optional needs the site lacks do not keep a rule from running */
    info = find_rule(&r, "needs-optional");
    assert_int_equal(info->outcome, RULE_RAN);
    n = find_need(info, "incidents", NULL);
    assert_true(!n->met && !n->blocking && n->message);
    n = find_need(info, "drills", "date");
    assert_true(!n->met && !n->blocking);
    assert_non_null(find_flag(&r, "needs-optional", "ran"));
    assert_null(find_flag(&r, "needs-missing-field", "ran"));
    run_free(&r);
    value_unref(site);
}

static void test_needs_declared_only(void **state)
{
    (void)state;
    value *site = make_site();
    run r;
    run_fixtures(&r, site, NULL, NULL, "undeclared.lua", "bad-needs.lua", NULL);
    char *names = regtype_names();
    char *want = xasprintf(
        "@/undeclared.lua:10: error: rule 'undeclared' failed: drills.id: this rule does not read "
        "that field (declare it: needs = { [\"drills\"] = { ..., \"id\" } }) [rule-error]\n"
        "@/bad-needs.lua:1: error: rule plugin failed: rule: needs: unknown register type "
        "'people' (types: %s) [rule-error]\n",
        names);
    assert_diags(&r, want);
    free(want);
    free(names);
    run_free(&r);
    value_unref(site);
}

static void test_flag_places_and_cap(void **state)
{
    (void)state;
    value *site = make_site();
    static const char *cases[][2] = {
        {"fake-row", "@/places.lua:11: error: rule 'places' failed: flag: field 'row' must be a "
                     "row of site.registers (got a table the rule made) [rule-error]\n"},
        {"both", "@/places.lua:13: error: rule 'places' failed: flag: give 'row' (a register "
                 "row) or 'at' (a place in the plan), not both [rule-error]\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        value *params = value_map();
        value *mine = value_map();
        value_map_set_string(mine, "case", cases[i][0]);
        value_map_set(params, "places", mine);
        run r;
        run_fixtures(&r, site, params, NULL, "places.lua", NULL);
        assert_diags(&r, cases[i][1]);
        run_free(&r);
        value_unref(params);
    }

    /* a place in the plan (the host checks it is one), and a NUL in the message */
    run r;
    run_fixtures(&r, site, NULL, NULL, "places.lua", NULL);
    assert_string_equal(r.diags, "");
    const rule_flag *f = r.result.flags.items[0];
    assert_string_equal(f->message, "a\\x00b");
    assert_string_equal(f->file, "content/plan/01-basis.md");
    assert_int_equal(f->line, 3);
    run_free(&r);

    /* at most RULES_MAX_FLAGS flags; the rest are counted */
    value *params = value_map();
    value *mine = value_map();
    value_map_set_string(mine, "case", "many");
    value_map_set(params, "places", mine);
    run_fixtures(&r, site, params, NULL, "places.lua", NULL);
    assert_int_equal(r.result.flags.len, RULES_MAX_FLAGS);
    assert_int_equal(find_rule(&r, "places")->dropped, 1500 - RULES_MAX_FLAGS);
    run_free(&r);
    value_unref(params);

    /* a name site.yaml gives that the rule does not declare */
    params = value_map();
    mine = value_map();
    value_map_set_string(mine, "cas", "plan");
    value_map_set(params, "places", mine);
    run_fixtures(&r, site, params, NULL, "places.lua", NULL);
    const rule_info *info = find_rule(&r, "places");
    assert_int_equal(info->unknown_params.len, 1);
    assert_string_equal(info->unknown_params.items[0], "cas");
    assert_string_equal(info->params, "{\"case\":\"plan\"}");
    run_free(&r);
    value_unref(params);
    value_unref(site);
}

static void test_require(void **state)
{
    (void)state;
    run r;
    run_fixtures(&r, NULL, NULL, NULL, "uses-lib.lua", NULL);
    assert_diags(&r, "@/uses-lib.lua:11: error: rule 'uses-lib' failed: require: '../rules' is "
                     "not a helper module's name (a-z, 0-9, '-', '_') [rule-error]\n");
    run_free(&r);
}

/* ---- the list of rules ---- */

static void test_rule_list_duplicates_and_names(void **state)
{
    (void)state;
    value *site = make_site();
    run r;
    run_fixtures(&r, site, NULL, NULL, "good.lua", "good-again.lua", "misnamed.lua", "boom.lua",
                 "missing.lua", NULL);
    assert_diags(&r, "@/good-again.lua: error: rule 'good' is defined by an earlier plugin too; "
                     "this one is skipped [rule-duplicate]\n"
                     "@/misnamed.lua: warning: rule id 'other-name' differs from its file name "
                     "'misnamed.lua', so a content folder cannot override it by file "
                     "[rule-id]\n"
                     "@/boom.lua:7: error: rule 'boom' failed: boom [rule-error]\n"
                     "@/missing.lua: error: cannot load rule: cannot read the file: No such "
                     "file or directory [rule-load]\n");
    assert_int_equal(r.result.rules.len, 5);
    assert_null(find_flag(&r, "good", "from the duplicate"));
    assert_non_null(find_flag(&r, "other-name", "still runs"));

    const rule_info *good = r.result.rules.items[0];
    assert_true(good->declared);
    assert_string_equal(good->id, "good");
    assert_string_equal(good->title, "年度資通安全管理審查會議");
    assert_string_equal(good->source, "計畫 壹拾伍、三、1");
    assert_int_equal(good->severity, DIAG_ERROR);
    assert_int_equal(good->outcome, RULE_RAN);
    assert_int_equal(good->flag_count, 1);
    assert_null(good->error);

    const rule_info *again = r.result.rules.items[1];
    assert_int_equal(again->outcome, RULE_SKIPPED);

    const rule_info *boom = r.result.rules.items[3];
    assert_int_equal(boom->outcome, RULE_FAILED);
    assert_non_null(strstr(boom->error, "boom.lua:7: boom\nstack traceback:"));

    const rule_info *missing = r.result.rules.items[4];
    assert_false(missing->declared);
    assert_string_equal(missing->id, "missing");
    assert_null(missing->title);
    assert_int_equal(r.result.failed, 2);
    run_free(&r);
    value_unref(site);
}

static void test_invalid_today(void **state)
{
    (void)state;
    char *path = fixture("good.lua");
    const char *paths[] = {path};
    rules_result result;
    FILE *stream = tmpfile();
    told = diag_to_stream(stream);
    rules_inputs in = {.paths = paths, .count = 1, .today = (date){2026, 2, 30}};
    rules_run(&in, &result, &told);
    told.stream = stderr;
    char text[200] = "";
    rewind(stream);
    size_t n = fread(text, 1, sizeof text - 1, stream);
    text[n] = '\0';
    fclose(stream);
    assert_string_equal(text, "policygen: error: today (2026-02-30) is not a valid date "
                              "[rule-today]\n");
    assert_int_equal(result.rules.len, 0);
    rules_result_free(&result);
    free(path);
}

/* ---- lazy parts and worker processes ---- */

static void push_extra(lua_State *L, void *ctx)
{
    int *made = ctx;
    (*made)++;
    lua_createtable(L, 0, 2);
    lua_pushinteger(L, *made);
    lua_setfield(L, -2, "made");
    lua_pushliteral(L, "push");
    lua_setfield(L, -2, "from");
}

static void push_broken(lua_State *L, void *ctx)
{
    (void)ctx;
    luaL_error(L, "broken on purpose");
}

/* Host code that takes the rule's process down with it. */
static void push_kill(lua_State *L, void *ctx)
{
    (void)L;
    (void)ctx;
    raise(SIGKILL);
}

static void push_exit(lua_State *L, void *ctx)
{
    (void)L;
    (void)ctx;
    _exit(3);
}

/* Runs the named fixtures (a NULL-terminated array) with the lazy parts
 * above and the given limits. */
static void run_with_parts(run *r, const char *const *names, const rules_limits *limits,
                           int *made)
{
    vec paths;
    vec_init(&paths, free);
    for (size_t i = 0; names[i]; i++)
        vec_push(&paths, fixture(names[i]));
    value *site = make_site();
    value_map_set_string(site, "extra", "hidden by the lazy part");
    const rules_lazy lazy[] = {
        {"extra", push_extra, made},
        {"broken", push_broken, NULL},
        {"kill", push_kill, NULL},
        {"exit", push_exit, NULL},
    };
    rules_inputs in = {.paths = (const char *const *)paths.items,
                       .count = paths.len,
                       .site = site,
                       .registers = value_map_get(site, "registers"),
                       .lazy = lazy,
                       .lazy_count = sizeof lazy / sizeof *lazy,
                       .today = TODAY,
                       .limits = limits};
    run_inputs(r, &in);
    value_unref(site);
    vec_free(&paths);
}

/* A lazy part is built by the rule that reads it, in that rule's process,
 * once; an error while building it is the rule's, at the line that read it. */
static void test_lazy_parts(void **state)
{
    (void)state;
    static const char *const names[] = {"lazy.lua", "lazy-error.lua", "good.lua", NULL};
    for (int in_process = 0; in_process <= 1; in_process++) {
        rules_limits limits = rules_default_limits();
        limits.in_process = in_process;
        int made = 0;
        run r;
        run_with_parts(&r, names, &limits, &made);
        assert_diags(&r, "@/lazy-error.lua:10: error: rule 'lazy-error' failed: broken on "
                         "purpose [rule-error]\n");
        assert_non_null(find_flag(&r, "lazy", "lazy ok"));
        assert_non_null(find_flag(&r, "good", "held on 2026-03-02"));
        /* Here only for the rule that read it; in a worker, never here. */
        assert_int_equal(made, in_process ? 1 : 0);
        run_free(&r);
    }
}

/* A worker that dies inside a rule: that rule is reported at the line it was
 * running, with what it had declared, and the rules after it run in a new
 * worker, with one worker or several. */
static void test_worker_dies(void **state)
{
    (void)state;
    static const char *const names[] = {"host-kill.lua", "good.lua", "host-exit.lua",
                                        "flags.lua", "boom.lua", NULL};
    for (int workers = 1; workers <= 2; workers++) {
        rules_limits limits = rules_default_limits();
        limits.workers = workers;
        int made = 0;
        run r;
        run_with_parts(&r, names, &limits, &made);
        assert_diags(&r, "@/host-kill.lua:9: error: rule 'host-kill' failed: the rule's "
                         "process was killed by signal 9 (Killed) [rule-error]\n"
                         "@/host-exit.lua:9: error: rule 'host-exit' failed: the rule's "
                         "process exited with status 3 [rule-error]\n"
                         "@/boom.lua:7: error: rule 'boom' failed: boom [rule-error]\n");
        assert_int_equal(r.result.failed, 3);
        assert_int_equal(r.result.rules.len, 5);
        assert_int_equal(r.result.flags.len, 6); /* good's and flags' */
        assert_non_null(find_flag(&r, "good", "held on 2026-03-02"));
        assert_null(find_flag(&r, "host-kill", "survived"));
        const rule_info *killed = find_rule(&r, "host-kill");
        assert_true(killed->declared);
        assert_int_equal(killed->outcome, RULE_FAILED);
        assert_int_equal(killed->severity, DIAG_ERROR);
        assert_null(killed->title);
        const rule_info *exited = find_rule(&r, "host-exit");
        assert_int_equal(exited->severity, DIAG_WARNING);
        assert_int_equal(find_rule(&r, "flags")->flag_count, 5);
        run_free(&r);
    }
}

/* A rule stuck in C overruns; its worker is killed, and the rules after it
 * still run, also when it was the only worker. */
static void test_timeout_in_worker(void **state)
{
    (void)state;
    rules_limits limits = rules_default_limits();
    limits.max_millis = 300;
    limits.workers = 1;
    value *site = make_site();
    run r;
    run_fixtures(&r, site, NULL, &limits, "pattern-bomb.lua", "good.lua", "flags.lua",
                 "misnamed.lua", NULL);
    assert_diags(&r, "@/pattern-bomb.lua:9: error: rule 'pattern-bomb' stopped: exceeded the "
                     "time limit of 300 ms (inside a library function, where the instruction "
                     "count cannot reach) [rule-timeout]\n"
                     "@/misnamed.lua: warning: rule id 'other-name' differs from its file name "
                     "'misnamed.lua', so a content folder cannot override it by file "
                     "[rule-id]\n");
    assert_non_null(find_flag(&r, "good", "held on 2026-03-02"));
    assert_non_null(find_flag(&r, "other-name", "still runs"));
    assert_int_equal(find_rule(&r, "flags")->flag_count, 5);
    assert_true(r.seconds < 15.0);
    run_free(&r);
    value_unref(site);
}

/* Line events stop once check has run a while; the line of a failure is
 * then read from the stack: where an error without a position is raised,
 * where an allocation is refused, where host code takes the worker down and,
 * when the parent asks before killing it, where a worker is stuck in C. */
static void test_lines_after_long_runs(void **state)
{
    (void)state;
    static const char *const names[] = {"late-bomb.lua", "late-error.lua", "late-memory.lua",
                                        "late-kill.lua", "good.lua", NULL};
    rules_limits limits = rules_default_limits();
    limits.max_millis = 300;
    int made = 0;
    run r;
    run_with_parts(&r, names, &limits, &made);
    assert_diags(&r, "@/late-bomb.lua:14: error: rule 'late-bomb' stopped: exceeded the time "
                     "limit of 300 ms (inside a library function, where the instruction count "
                     "cannot reach) [rule-timeout]\n"
                     "@/late-error.lua:14: error: rule 'late-error' failed: (error object is a "
                     "table value) [rule-error]\n"
                     "@/late-memory.lua:14: error: rule 'late-memory' stopped: exceeded the "
                     "memory limit of 64 MiB [rule-memory]\n"
                     "@/late-kill.lua:14: error: rule 'late-kill' failed: the rule's process was "
                     "killed by signal 9 (Killed) [rule-error]\n");
    assert_non_null(find_flag(&r, "good", "held on 2026-03-02"));
    run_free(&r);
}

/* Without a pipe for a worker (no file descriptors left), the rules run in
 * this process, with the same results. */
static void test_without_workers(void **state)
{
    (void)state;
    static const char *const names[] = {"lazy.lua", "boom.lua", "good.lua", NULL};
    struct rlimit saved;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
    int lowest_free = dup(0);
    assert_true(lowest_free >= 0);
    close(lowest_free);
    /* One descriptor left: enough to read a plugin, too few for a pipe. */
    struct rlimit tight = {(rlim_t)lowest_free + 1, saved.rlim_max};
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &tight), 0);
    int made = 0;
    run r;
    run_with_parts(&r, names, NULL, &made);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
    assert_diags(&r, "@/boom.lua:7: error: rule 'boom' failed: boom [rule-error]\n");
    assert_non_null(find_flag(&r, "lazy", "lazy ok"));
    assert_non_null(find_flag(&r, "good", "held on 2026-03-02"));
    assert_int_equal(made, 1); /* built here: the rules ran in this process */
    run_free(&r);
}

/* Everything a run reports, as text. */
static char *describe_run(const run *r)
{
    strbuf out;
    sb_init(&out);
    sb_append(&out, r->diags);
    for (size_t i = 0; i < r->result.rules.len; i++) {
        const rule_info *info = r->result.rules.items[i];
        sb_printf(&out, "rule %s %s %d %s|%s %d %d %zu %s\n", info->path, info->id,
                  info->declared, info->title ? info->title : "-",
                  info->source ? info->source : "-", info->severity, info->outcome,
                  info->flag_count, info->error ? info->error : "-");
    }
    for (size_t i = 0; i < r->result.flags.len; i++) {
        const rule_flag *f = r->result.flags.items[i];
        sb_printf(&out, "flag %s %d %d %s|%s %s:%d %s %s\n", f->rule_id, f->severity, f->status,
                  f->message, f->due ? f->due : "-", f->file ? f->file : "-", f->line,
                  f->section ? f->section : "-", f->owner ? f->owner : "-");
    }
    sb_printf(&out, "failed %d\n", r->result.failed);
    return sb_take(&out);
}

/* The same rules give the same results (diagnostics in the same order)
 * however many workers share them and whichever finishes first; in this
 * process too, for the rules that cannot take a process down. */
static void test_results_do_not_depend_on_workers(void **state)
{
    (void)state;
    static const char *const all[] = {
        "host-kill.lua", "good.lua",      "loop.lua",          "flags.lua",
        "boom.lua",      "misnamed.lua",  "pattern-bomb.lua",  "good-again.lua",
        "host-exit.lua", "not-a-rule.lua", "memory-bomb.lua",  "lazy-error.lua",
        NULL};
    static const char *const harmless[] = {"good.lua",       "loop.lua",       "flags.lua",
                                           "boom.lua",       "misnamed.lua",   "good-again.lua",
                                           "not-a-rule.lua", "memory-bomb.lua", "lazy-error.lua",
                                           NULL};
    char *first = NULL;
    for (int workers = 1; workers <= 8; workers *= 2) {
        rules_limits limits = rules_default_limits();
        /* Long enough that the instruction limit stops loop.lua first even on
         * a busy machine (a time limit would word the stop otherwise), short
         * enough for pattern-bomb.lua, which only the clock stops. */
        limits.max_millis = 3000;
        limits.workers = workers;
        int made = 0;
        run r;
        run_with_parts(&r, all, &limits, &made);
        char *text = describe_run(&r);
        assert_int_equal(r.result.failed, 8);
        if (first)
            assert_string_equal(text, first);
        else
            first = text;
        if (text != first)
            free(text);
        run_free(&r);
    }
    free(first);

    char *isolated = NULL;
    for (int in_process = 0; in_process <= 1; in_process++) {
        rules_limits limits = rules_default_limits();
        limits.in_process = in_process;
        int made = 0;
        run r;
        run_with_parts(&r, harmless, &limits, &made);
        char *text = describe_run(&r);
        if (isolated) {
            assert_string_equal(text, isolated);
            free(text);
        } else {
            isolated = text;
        }
        run_free(&r);
    }
    free(isolated);
}

/* ---- outcomes crossing the process boundary ---- */

static void test_outcome_round_trip(void **state)
{
    (void)state;
    plugin_outcome o, back;
    plugin_outcome_init(&o);
    o.declared = true;
    o.decl.id = xstrdup("r");
    o.decl.title = xstrdup("標題");
    o.decl.source = xstrdup("s:1;2");
    o.decl.severity = DIAG_WARNING;
    o.decl.plan = xstrdup("controls/備份");
    rule_need *need = xcalloc(1, sizeof *need);
    *need = (rule_need){.type = xstrdup("staff"), .field = xstrdup("name"), .optional = true,
                        .blocking = true, .message = xstrdup("needs;3:x"), .file = xstrdup("f"),
                        .line = 7};
    vec_push(&o.decl.needs, need);
    o.unchecked = true;
    o.dropped = 12;
    vec_push(&o.unknown_params, xstrdup("intervl"));
    o.decl.kind = RULE_KIND_DOCUMENT;
    plugin_outcome_fail(&o, STAGE_CHECK, SANDBOX_MEMORY, 12, xstrdup("m"), NULL);
    rule_flag *f = xcalloc(1, sizeof *f);
    *f = (rule_flag){
        xstrdup("r"), DIAG_INFO, FLAG_DUE_SOON, xstrdup("a\nb;3:x"), xstrdup("2026-01-31"),
        NULL,         0,         xstrdup("sec"),       xstrdup("總務處 林;1:")};
    vec_push(&o.flags, f);

    strbuf enc;
    sb_init(&enc);
    plugin_outcome_encode(&o, &enc);
    plugin_outcome_init(&back);
    assert_true(plugin_outcome_decode(enc.data, enc.len, &back));
    assert_true(back.declared);
    assert_string_equal(back.decl.title, "標題");
    assert_string_equal(back.decl.source, "s:1;2");
    assert_int_equal(back.decl.severity, DIAG_WARNING);
    assert_string_equal(back.decl.plan, "controls/備份");
    assert_int_equal(back.decl.needs.len, 1);
    const rule_need *n = back.decl.needs.items[0];
    assert_string_equal(n->type, "staff");
    assert_string_equal(n->field, "name");
    assert_true(n->optional && n->blocking && !n->met);
    assert_string_equal(n->message, "needs;3:x");
    assert_int_equal(n->line, 7);
    assert_true(back.unchecked);
    assert_int_equal(back.dropped, 12);
    assert_string_equal(back.unknown_params.items[0], "intervl");
    assert_int_equal(back.decl.kind, RULE_KIND_DOCUMENT);
    assert_true(back.failed);
    assert_int_equal(back.error.kind, SANDBOX_MEMORY);
    assert_int_equal(back.error.line, 12);
    assert_null(back.error.detail);
    assert_int_equal(back.flags.len, 1);
    const rule_flag *g = back.flags.items[0];
    assert_string_equal(g->message, "a\nb;3:x");
    assert_string_equal(g->due, "2026-01-31");
    assert_null(g->file);
    assert_string_equal(g->section, "sec");
    assert_string_equal(g->owner, "總務處 林;1:");
    plugin_outcome_free(&back);

    /* Every truncation (a child killed while writing) is refused cleanly. */
    for (size_t len = 0; len < enc.len; len++) {
        plugin_outcome_init(&back);
        assert_false(plugin_outcome_decode(enc.data, len, &back));
        assert_int_equal(back.flags.len, 0);
        assert_null(back.decl.id);
        plugin_outcome_free(&back);
    }
    sb_free(&enc);
    plugin_outcome_free(&o);
}

int main(void)
{
    told = diag_to_stream(stderr);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_plugins_isolated),
        cmocka_unit_test(test_bad_plugins_in_process),
        cmocka_unit_test(test_bad_plugins_in_one_run),
        cmocka_unit_test(test_bytecode_refused),
        cmocka_unit_test(test_memory_limits),
        cmocka_unit_test(test_instruction_limit_is_configurable),
        cmocka_unit_test(test_time_limit_in_lua),
        cmocka_unit_test(test_time_limit_in_c),
        cmocka_unit_test(test_metatables_without_finalizers),
        cmocka_unit_test(test_date_arithmetic),
        cmocka_unit_test(test_date_value),
        cmocka_unit_test(test_dates_in_lua),
        cmocka_unit_test(test_date_in_concatenation),
        cmocka_unit_test(test_flag_fields_defaults_and_order),
        cmocka_unit_test(test_bad_flags),
        cmocka_unit_test(test_site_data),
        cmocka_unit_test(test_bad_date_in_site_data),
        cmocka_unit_test(test_needs_unmet),
        cmocka_unit_test(test_needs_declared_only),
        cmocka_unit_test(test_flag_places_and_cap),
        cmocka_unit_test(test_require),
        cmocka_unit_test(test_rule_list_duplicates_and_names),
        cmocka_unit_test(test_invalid_today),
        cmocka_unit_test(test_lazy_parts),
        cmocka_unit_test(test_worker_dies),
        cmocka_unit_test(test_timeout_in_worker),
        cmocka_unit_test(test_lines_after_long_runs),
        cmocka_unit_test(test_without_workers),
        cmocka_unit_test(test_results_do_not_depend_on_workers),
        cmocka_unit_test(test_outcome_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

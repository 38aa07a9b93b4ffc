/* serve's parts without a server: which paths may be served and how they are
 * opened (never through a link, never above the root), the types, what is
 * put into a page, the addresses that are loopback, and the watch (new
 * folders watched, hidden files ignored). tests/serve/run.sh runs the server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/fs.h"
#include "core/xalloc.h"
#include "serve/files.h"
#include "serve/http.h"
#include "serve/page.h"
#include "serve/watch.h"

static void test_path_ok(void **state)
{
    (void)state;
    const char *good[] = {"/", "/index.html", "/public/", "/public/plan/scope.html",
                          "/public/evidence/2026 紀錄.pdf", "/a..b/c.d", NULL};
    for (int i = 0; good[i]; i++)
        assert_true(serve_path_ok(good[i]));
    const char *refused[] = {"",           "index.html",   "/..",          "/../etc/passwd",
                             "/public/..", "/public/../x", "/./index.html", "/public/.",
                             "//etc",      "/public//x",   "/.policygen-output",
                             "/public/.hidden/x", "/a\\..\\b", NULL};
    for (int i = 0; refused[i]; i++)
        assert_false(serve_path_ok(refused[i]));
}

/* root/index.html, root/public/index.html, root/public/a.css, and links out. */
static char *make_tree(void)
{
    char tmpl[] = "/tmp/serve-test-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char *root = xasprintf("%s/root", tmpl);
    char *p = xasprintf("%s/public", root);
    assert_true(fs_mkdir_p(p));
    free(p);
    const char *files[] = {"index.html", "public/index.html", "public/a.css", NULL};
    for (int i = 0; files[i]; i++) {
        char *f = fs_join(root, files[i]);
        assert_true(fs_write_file(f, "x", 1));
        free(f);
    }
    char *outside = xasprintf("%s/secret.txt", tmpl);
    assert_true(fs_write_file(outside, "secret", 6));
    char *link = xasprintf("%s/public/link.txt", root);
    assert_int_equal(symlink(outside, link), 0);
    free(link);
    link = xasprintf("%s/public/up", root);
    assert_int_equal(symlink(tmpl, link), 0);
    free(link);
    link = xasprintf("%s/public/inside.css", root); /* even one that stays inside */
    assert_int_equal(symlink("a.css", link), 0);
    free(link);
    free(outside);
    return root;
}

static serve_lookup lookup(const char *root, const char *path, const char **name)
{
    int fd;
    struct stat st;
    serve_lookup r = serve_open(root, path, &fd, &st, name);
    if (r == SERVE_FOUND) {
        assert_true(fd >= 0);
        assert_true(S_ISREG(st.st_mode));
        close(fd);
    } else {
        assert_int_equal(fd, -1);
    }
    return r;
}

static void test_open(void **state)
{
    (void)state;
    char *root = make_tree();
    const char *name = NULL;
    assert_int_equal(lookup(root, "/", &name), SERVE_FOUND);
    assert_string_equal(name, "index.html");
    assert_int_equal(lookup(root, "/public/", &name), SERVE_FOUND);
    assert_string_equal(name, "index.html");
    assert_int_equal(lookup(root, "/public/a.css", &name), SERVE_FOUND);
    assert_string_equal(name, "a.css");
    assert_int_equal(lookup(root, "/public", &name), SERVE_DIRECTORY);
    assert_int_equal(lookup(root, "/public/nothing.html", &name), SERVE_NOT_FOUND);
    assert_int_equal(lookup(root, "/public/a.css/x", &name), SERVE_NOT_FOUND);
    assert_int_equal(lookup(root, "/nothing/", &name), SERVE_NOT_FOUND);
    assert_int_equal(lookup(root, "/public/link.txt", &name), SERVE_SYMLINK);
    assert_int_equal(lookup(root, "/public/inside.css", &name), SERVE_SYMLINK);
    assert_int_equal(lookup(root, "/public/up/secret.txt", &name), SERVE_SYMLINK);
    assert_int_equal(lookup(root, "/public/up/", &name), SERVE_SYMLINK);
    assert_int_equal(lookup(root, "/../secret.txt", &name), SERVE_BAD_PATH);
    assert_int_equal(lookup(root, "/public/../../secret.txt", &name), SERVE_BAD_PATH);
    char *top = fs_dirname(root);
    fs_remove_tree(top);
    free(top);
    free(root);
}

static void test_types(void **state)
{
    (void)state;
    assert_string_equal(serve_content_type("plan/all.html"), "text/html; charset=utf-8");
    assert_string_equal(serve_content_type("INDEX.HTML"), "text/html; charset=utf-8");
    assert_string_equal(serve_content_type("assets/style.css"), "text/css; charset=utf-8");
    assert_string_equal(serve_content_type("registers/staff.csv"), "text/csv; charset=utf-8");
    assert_string_equal(serve_content_type("status/calendar.ics"), "text/calendar; charset=utf-8");
    assert_string_equal(serve_content_type("status/flags.json"), "application/json");
    assert_string_equal(serve_content_type("pdf/isms-plan-V1.0.pdf"), "application/pdf");
    assert_string_equal(serve_content_type("evidence/photo.jpeg"), "image/jpeg");
    assert_string_equal(serve_content_type("evidence/README"), "application/octet-stream");
    assert_string_equal(serve_content_type(".css"), "application/octet-stream");
    assert_string_equal(serve_content_type("v1.0/notes"), "application/octet-stream");
    assert_true(serve_type_is_html(serve_content_type("a.htm")));
    assert_false(serve_type_is_html(serve_content_type("a.svg")));
}

static char *inject(const char *html, const serve_status *st)
{
    size_t len;
    char *out = serve_page_inject(html, strlen(html), st, &len);
    assert_int_equal(strlen(out), len);
    return out;
}

static void test_inject(void **state)
{
    (void)state;
    serve_status good = {.build_id = "42-3", .has_output = true};
    char *out = inject("<html><head><title>t</title></head><body class=\"x\"><p>a</p></body></html>",
                       &good);
    assert_string_equal(
        out, "<html><head><title>t</title><link rel=\"stylesheet\" href=\"/_policygen/serve.css\">"
             "<script src=\"/_policygen/reload.js\" data-build=\"42-3\" defer></script>\n"
             "</head><body class=\"x\"><p>a</p></body></html>");
    free(out);

    /* A failed build: its diagnostics, escaped, one a line, after <body>. */
    serve_status failed = {.build_id = "42-4",
                           .has_output = true,
                           .diagnostics = "c/r.yaml:3:5: error: unknown field '<b>' [register-field]\n"
                                          "c/p.md:7: warning: a & b [x]\ncheck: 1 error\n"};
    out = inject("<!DOCTYPE html><HTML><HEAD></HEAD><BODY>\n<main>m</main></BODY></HTML>", &failed);
    const char *box = strstr(out, "<BODY>\n<section id=\"policygen-serve\" role=\"alert\">");
    assert_non_null(box);
    assert_non_null(strstr(out, "data-build=\"42-4\" defer></script>\n</HEAD>"));
    assert_non_null(strstr(box, "The pages served are from the last good build."));
    assert_non_null(strstr(box, "<li class=\"error\">c/r.yaml:3:5: error: unknown field &#39;&lt;b&gt;&#39; "
                                "[register-field]</li>\n"
                                "<li class=\"warning\">c/p.md:7: warning: a &amp; b [x]</li>\n"
                                "<li class=\"note\">check: 1 error</li>\n</ol>\n</section>\n\n<main>"));
    assert_null(strstr(out, "<b>"));
    free(out);

    /* No head or body: the tags first; "<bodyx>" is no body tag. */
    out = inject("<p>bare</p><bodyx>", &good);
    assert_string_equal(out, "<link rel=\"stylesheet\" href=\"/_policygen/serve.css\">"
                             "<script src=\"/_policygen/reload.js\" data-build=\"42-3\" defer>"
                             "</script>\n<p>bare</p><bodyx>");
    free(out);
}

static void test_message_page(void **state)
{
    (void)state;
    serve_status building = {.build_id = "7-0", .building = true};
    char *page = serve_page_message(&building, "404 <Not> found", "Nothing at /a&b.");
    assert_non_null(strstr(page, "<h1>404 &lt;Not&gt; found</h1>"));
    assert_non_null(strstr(page, "<p>Nothing at /a&amp;b.</p>"));
    assert_non_null(strstr(page, "class=\"building\""));
    assert_non_null(strstr(page, "data-build=\"7-0\""));
    free(page);
    serve_status failed = {.build_id = "7-1", .diagnostics = "x: error: y\n"};
    page = serve_page_message(&failed, "The build failed", NULL);
    assert_non_null(strstr(page, "There is no good build yet."));
    assert_non_null(strstr(page, "<li class=\"error\">x: error: y</li>"));
    free(page);
    const char *type;
    const char *js = serve_asset("reload.js", &type);
    assert_non_null(js);
    assert_string_equal(type, "text/javascript; charset=utf-8");
    assert_non_null(strstr(js, "new EventSource('" SERVE_EVENTS "')"));
    assert_non_null(serve_asset("serve.css", &type));
    assert_null(serve_asset("events", &type));
    assert_null(serve_asset("../serve.css", &type));
}

static void test_address(void **state)
{
    (void)state;
    serve_address a;
    assert_true(serve_address_parse("127.0.0.1", 8000, &a));
    assert_true(a.loopback);
    assert_false(a.ipv6);
    assert_true(serve_address_parse("127.1.2.3", 0, &a));
    assert_true(a.loopback);
    assert_true(serve_address_parse("::1", 0, &a));
    assert_true(a.loopback && a.ipv6);
    assert_true(serve_address_parse("[::1]", 0, &a));
    assert_true(a.loopback && a.ipv6);
    assert_true(serve_address_parse("0.0.0.0", 0, &a));
    assert_false(a.loopback);
    assert_true(serve_address_parse("192.168.1.10", 0, &a));
    assert_false(a.loopback);
    assert_true(serve_address_parse("::", 0, &a));
    assert_false(a.loopback);
    assert_true(serve_address_parse("::ffff:127.0.0.1", 0, &a));
    assert_false(a.loopback); /* a mapped address listens on IPv6 too: warned about */
    assert_false(serve_address_parse("localhost", 0, &a));
    assert_false(serve_address_parse("127.0.0.1:80", 0, &a));
    assert_false(serve_address_parse("", 0, &a));
}

/* Reads the watch until it tells of a change (or a second passes). */
static int changes(serve_watch *w, char **first)
{
    int n = 0;
    for (int i = 0; i < 100 && n == 0; i++) {
        n = serve_watch_read(w, first);
        if (!n)
            usleep(10000);
    }
    return n;
}

static void test_watch(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/serve-watch-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char *old = fs_join(tmpl, "plan");
    assert_true(fs_mkdir_p(old));
    diag_sink diags = diag_to_stream(stderr);
    serve_watch *w = serve_watch_new(&diags);
    assert_non_null(w);
    assert_true(serve_watch_add(w, tmpl));
    char *missing = fs_join(tmpl, "no-such-folder");
    assert_true(serve_watch_add(w, missing)); /* skipped */
    free(missing);

    /* A file in a folder there at the start. */
    char *first = NULL;
    char *f = fs_join(old, "01.md");
    assert_true(fs_write_file(f, "a", 1));
    assert_true(changes(w, &first) > 0);
    assert_string_equal(first, f);
    free(first);
    free(f);

    /* Hidden files and backups are not changes. */
    char *swp = fs_join(old, ".01.md.swp"), *backup = fs_join(old, "01.md~");
    assert_true(fs_write_file(swp, "s", 1));
    assert_true(fs_write_file(backup, "b", 1));
    usleep(50000);
    first = NULL;
    assert_int_equal(serve_watch_read(w, &first), 0);
    assert_null(first);
    free(swp);
    free(backup);

    /* A folder made later, and a file in a folder inside it. */
    char *deep = xasprintf("%s/new/deeper", tmpl);
    assert_true(fs_mkdir_p(deep));
    assert_true(changes(w, NULL) > 0);
    usleep(50000);
    serve_watch_read(w, NULL);
    f = fs_join(deep, "x.yaml");
    assert_true(fs_write_file(f, "x", 1));
    first = NULL;
    assert_true(changes(w, &first) > 0);
    assert_string_equal(first, f);
    free(first);
    free(f);
    free(deep);

    /* Nothing in a hidden folder (.git) is watched. */
    char *git = fs_join(tmpl, ".git");
    assert_true(fs_mkdir_p(git));
    usleep(50000);
    assert_int_equal(serve_watch_read(w, NULL), 0);
    f = fs_join(git, "index");
    assert_true(fs_write_file(f, "i", 1));
    usleep(50000);
    assert_int_equal(serve_watch_read(w, NULL), 0);
    free(f);
    free(git);

    serve_watch_free(w);
    fs_remove_tree(tmpl);
    free(old);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_ok),     cmocka_unit_test(test_open),
        cmocka_unit_test(test_types),       cmocka_unit_test(test_inject),
        cmocka_unit_test(test_message_page), cmocka_unit_test(test_address),
        cmocka_unit_test(test_watch),
    };
    return cmocka_run_group_tests_name("serve", tests, NULL, NULL);
}

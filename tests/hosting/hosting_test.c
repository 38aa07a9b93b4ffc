/* The pieces of hosting and publicity that take text from site.yaml: address
 * ranges, base URLs, mailboxes; XML escaping; name-based UUIDs; and that
 * every way of writing the configuration sends the same headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "content/site.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "feed/feed.h"
#include "hosting/hosting.h"

/* The diagnostics of what the tests load: counted, not printed. */
static diag_sink quiet;

static void address_ranges(void **state)
{
    (void)state;
    const char *good[] = {"10.0.0.0/8", "163.19.163.0/24", "127.0.0.1", "0.0.0.0/0", "::1",
                          "2001:db8::/32", "fd00::/128", "192.168.1.1/32"};
    const char *bad[] = {"", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0/8", "10.0.0.0/8/8",
                         "2001:db8::/129", "intranet", "10.0.0.0/-1", "10.0.0.0/1x",
                         "10.0.0.0 /8", "::1/0008", "1.2.3.4.5"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_true(site_address_range_valid(good[i]));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(site_address_range_valid(bad[i]));
}

static void base_urls(void **state)
{
    (void)state;
    struct {
        const char *in, *out;
    } cases[] = {
        {"https://intra.example.org/isms/staff/", "https://intra.example.org/isms/staff/"},
        {"https://intra.example.org/isms", "https://intra.example.org/isms/"},
        {"http://127.0.0.1:8080", "http://127.0.0.1:8080/"},
        {"http://[::1]:8080/x/", "http://[::1]:8080/x/"},
        {"ftp://example.org/", NULL},
        {"https://", NULL},
        {"https://example.org/a b/", NULL},
        {"https://example.org/?q=1", NULL},
        {"https://example.org/#top", NULL},
        {"https://example.org/\"x", NULL},
        {"https://example.org:/", NULL},
        {"https://example.org:123456/", NULL},
        {"https://exa_mple.org/", NULL},
        {"javascript:alert(1)", NULL},
        {"http://[::1\"];]/", NULL},
        {"http://[]/", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = site_base_url(cases[i].in);
        if (cases[i].out)
            assert_string_equal(got, cases[i].out);
        else
            assert_null(got);
        free(got);
    }
}

static void mailboxes(void **state)
{
    (void)state;
    assert_true(site_mailbox_valid("it@lsps.example.org"));
    assert_true(site_mailbox_valid("隆聖國小資訊組 <it@lsps.example.org>"));
    assert_false(site_mailbox_valid("it at school"));
    assert_false(site_mailbox_valid("a@b@c"));
    assert_false(site_mailbox_valid("<it@example.org>"));
    assert_false(site_mailbox_valid("Name <it@example.org"));
    assert_false(site_mailbox_valid("Name <i t@example.org>"));
    assert_false(site_mailbox_valid("Na>me <it@example.org>"));
    assert_false(site_mailbox_valid("@example.org"));
    assert_false(site_mailbox_valid("it@"));
    assert_false(site_mailbox_valid("\"Q\" <it@example.org>"));
}

static void xml_escaping(void **state)
{
    (void)state;
    strbuf sb;
    sb_init(&sb);
    const char in[] = "a<b>&\"c'\x01\x1f\td\ne\r";
    sb_append_xml(&sb, in, sizeof in - 1);
    assert_string_equal(sb.data, "a&lt;b&gt;&amp;&quot;c&#39;\td\ne\r");
    sb_free(&sb);
}

static void uuids(void **state)
{
    (void)state;
    char a[FEED_UUID_SIZE], b[FEED_UUID_SIZE], c[FEED_UUID_SIZE];
    feed_uuid("policygen feed\nschool\nplan\nstaff", a);
    feed_uuid("policygen feed\nschool\nplan\nstaff", b);
    feed_uuid("policygen feed\nschool\nplan\npublic", c);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_int_equal(strlen(a), 36);
    assert_int_equal(a[14], '5');                       /* version 5 */
    assert_non_null(strchr("89ab", a[19]));             /* the RFC variant */
    assert_int_equal(a[8], '-');
    assert_int_equal(a[23], '-');
}

/* A site with only what hosting reads. */
static site *bare_site(void)
{
    site *s = xcalloc(1, sizeof *s);
    s->config.org_name = xstrdup("測試國小");
    s->config.doc_title = xstrdup("資通安全維護計畫");
    s->config.doc_id = xstrdup("plan");
    s->config_path = xstrdup("site.yaml");
    for (int a = 0; a < 3; a++)
        vec_init(&s->config.hosting[a].allow, free);
    return s;
}

static void bare_free(site *s)
{
    free(s->config.org_name);
    free(s->config.doc_title);
    free(s->config.doc_id);
    free(s->config_path);
    for (int a = 0; a < 3; a++) {
        vec_free(&s->config.hosting[a].allow);
        free(s->config.hosting[a].url);
    }
    free(s);
}

/* Every server's configuration names the same security headers. */
static void same_headers(void **state)
{
    (void)state;
    site *s = bare_site();
    char *ht = hosting_htaccess(s, AUDIENCE_PUBLIC);
    char *wc = hosting_web_config(s, AUDIENCE_PUBLIC);
    hosting_options o = {.server = HOSTING_NGINX, .edition = AUDIENCE_PUBLIC};
    char *nginx = hosting_server_config(s, &o, &quiet);
    const char *names[] = {"Content-Security-Policy", "X-Content-Type-Options",
                           "Referrer-Policy", "X-Frame-Options", "Cache-Control"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char *a = xasprintf("Header always set %s \"", names[i]);
        char *b = xasprintf("<add name=\"%s\" value=\"", names[i]);
        char *c = xasprintf("add_header %s \"", names[i]);
        assert_non_null(strstr(ht, a));
        assert_non_null(strstr(wc, b));
        assert_non_null(strstr(nginx, c));
        free(a);
        free(b);
        free(c);
    }
    assert_non_null(strstr(ht, "frame-ancestors 'none'"));
    assert_non_null(strstr(wc, "frame-ancestors &#39;none&#39;")); /* XML-escaped */
    assert_non_null(strstr(nginx, "frame-ancestors 'none'"));
    free(ht);
    free(wc);
    free(nginx);
    bare_free(s);
}

/* A staff edition without access control: refused in place, and refused
 * for a listener others reach unless asked for; loopback is fine. */
static void staff_refusals(void **state)
{
    (void)state;
    site *s = bare_site();
    char *ht = hosting_htaccess(s, AUDIENCE_STAFF);
    assert_non_null(strstr(ht, "\nRequire all denied\n"));
    free(ht);
    hosting_options o = {.server = HOSTING_APACHE, .edition = AUDIENCE_STAFF};
    assert_null(hosting_server_config(s, &o, &quiet));
    o.listen = "127.0.0.1:8080";
    char *loop = hosting_server_config(s, &o, &quiet);
    assert_non_null(loop);
    assert_non_null(strstr(loop, "<VirtualHost 127.0.0.1:8080>"));
    free(loop);
    o.listen = "0.0.0.0:8080";
    assert_null(hosting_server_config(s, &o, &quiet));
    o.allow_open = true;
    char *open = hosting_server_config(s, &o, &quiet);
    assert_non_null(strstr(open, "Require all granted"));
    free(open);
    /* With address ranges it is not open: no flag needed. */
    vec_push(&s->config.hosting[AUDIENCE_STAFF].allow, xstrdup("10.0.0.0/8"));
    o.allow_open = false;
    char *ranged = hosting_server_config(s, &o, &quiet);
    assert_non_null(strstr(ranged, "Require ip 10.0.0.0/8"));
    free(ranged);
    char *wc = hosting_web_config(s, AUDIENCE_STAFF);
    assert_non_null(strstr(wc, "<add ipAddress=\"10.0.0.0\" subnetMask=\"255.0.0.0\" allowed=\"true\" />"));
    free(wc);
    bare_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(address_ranges), cmocka_unit_test(base_urls),
        cmocka_unit_test(mailboxes),      cmocka_unit_test(xml_escaping),
        cmocka_unit_test(uuids),          cmocka_unit_test(same_headers),
        cmocka_unit_test(staff_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#include "feed/feed.h"

#include <nettle/sha1.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/xalloc.h"

void feed_uuid(const char *name, char out[FEED_UUID_SIZE])
{
    /* policygen's own namespace (a random UUID, fixed once) */
    static const unsigned char NS[16] = {0x6f, 0x1c, 0x2a, 0x90, 0x5b, 0x3e, 0x4d, 0x27,
                                         0x9a, 0x44, 0x0e, 0x8d, 0x71, 0xc2, 0x5f, 0x13};
    struct sha1_ctx ctx;
    unsigned char d[SHA1_DIGEST_SIZE];
    sha1_init(&ctx);
    sha1_update(&ctx, sizeof NS, NS);
    sha1_update(&ctx, strlen(name), (const unsigned char *)name);
    sha1_digest(&ctx, sizeof d, d);
    d[6] = (unsigned char)((d[6] & 0x0f) | 0x50); /* version 5 */
    d[8] = (unsigned char)((d[8] & 0x3f) | 0x80); /* RFC variant */
    snprintf(out, FEED_UUID_SIZE,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", d[0], d[1],
             d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14],
             d[15]);
}

static void text(strbuf *sb, const char *s)
{
    sb_append_xml(sb, s, strlen(s));
}

static const char *string_of(const value *row, const char *key)
{
    const char *s = value_as_string(value_map_get(row, key));
    return s && *s ? s : NULL;
}

/* A date of the revisions register as an Atom date: the start of that day
 * in Taiwan, where the plan is approved. */
static void atom_date(strbuf *sb, const char *iso)
{
    sb_printf(sb, "%sT00:00:00+08:00", iso);
}

/* href (relative to the edition's root) as the feed shows it. */
static void link(strbuf *sb, const char *in, const char *base, const char *rel, const char *href,
                 const char *type, const char *title)
{
    sb_printf(sb, "%s<link rel=\"%s\"", in, rel);
    if (type)
        sb_printf(sb, " type=\"%s\"", type);
    sb_append(sb, " href=\"");
    if (base)
        text(sb, base);
    text(sb, href);
    sb_append(sb, "\"");
    if (title) {
        sb_append(sb, " title=\"");
        text(sb, title);
        sb_append(sb, "\"");
    }
    sb_append(sb, "/>\n");
}

char *feed_atom(const site *s, audience edition, const value *page)
{
    const value *rows = value_map_get(page, "rows");
    const site_config *c = &s->config;
    const char *base = c->hosting[edition].url;
    /* The newest date of any row: when the feed last changed. */
    const char *updated = NULL;
    for (size_t i = 0; i < value_list_len(rows); i++) {
        const char *d = string_of(value_list_get(rows, i), "date_iso");
        if (d && (!updated || strcmp(d, updated) > 0))
            updated = d;
    }
    if (!updated)
        return NULL;
    strbuf sb;
    sb_init(&sb);
    sb_append(&sb, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                   "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-Hant-TW\">\n");
    char *name = xasprintf("policygen feed\n%s\n%s\n%s", c->org_name, c->doc_id,
                           audience_name(edition));
    char uuid[FEED_UUID_SIZE];
    feed_uuid(name, uuid);
    sb_printf(&sb, "  <id>urn:uuid:%s</id>\n  <title>", uuid);
    text(&sb, c->org_name);
    sb_append(&sb, " ");
    text(&sb, c->doc_title);
    sb_printf(&sb, "（%s）</title>\n", site_edition_label(s, edition));
    sb_append(&sb, "  <subtitle>各版次之核定日期與修訂內容</subtitle>\n  <updated>");
    atom_date(&sb, updated);
    sb_append(&sb, "</updated>\n  <author>\n    <name>");
    text(&sb, c->org_name);
    sb_append(&sb, "</name>\n  </author>\n");
    if (base)
        link(&sb, "  ", base, "self", FEED_FILE, "application/atom+xml", NULL);
    link(&sb, "  ", base, "alternate", "index.html", "text/html", NULL);
    sb_append(&sb, "  <generator>policygen</generator>\n");
    for (size_t i = 0; i < value_list_len(rows); i++) {
        const value *row = value_list_get(rows, i);
        const char *version = string_of(row, "version");
        const char *date = string_of(row, "date_iso");
        if (!version || !date || !value_truthy(value_map_get(row, "approved")))
            continue;
        char *entry_name = xasprintf("%s\n%s", name, version);
        feed_uuid(entry_name, uuid);
        free(entry_name);
        sb_printf(&sb, "  <entry>\n    <id>urn:uuid:%s</id>\n    <title>", uuid);
        text(&sb, c->doc_title);
        sb_append(&sb, " ");
        text(&sb, version);
        const char *date_long = string_of(row, "date_long");
        if (date_long) {
            sb_append(&sb, "（");
            text(&sb, date_long);
            sb_append(&sb, "核定）");
        }
        sb_append(&sb, "</title>\n    <updated>");
        atom_date(&sb, date);
        sb_append(&sb, "</updated>\n");
        /* The version itself: the current one is the edition, a released
         * one its frozen copy, any other the revision history. */
        const char *release = string_of(row, "release_href");
        char *href = value_truthy(value_map_get(row, "current")) ? xstrdup("index.html")
                     : release ? xasprintf("versions/%s", release)
                               : xstrdup("versions/index.html");
        link(&sb, "    ", base, "alternate", href, "text/html", NULL);
        free(href);
        const char *changes = string_of(row, "changes_href");
        if (changes) {
            char *rel = xasprintf("versions/%s", changes);
            link(&sb, "    ", base, "related", rel, "text/html", "與前一版次之差異");
            free(rel);
        }
        const char *summary = string_of(row, "changes");
        if (summary) {
            sb_append(&sb, "    <summary type=\"text\">");
            text(&sb, summary);
            sb_append(&sb, "</summary>\n");
        }
        sb_append(&sb, "  </entry>\n");
    }
    sb_append(&sb, "</feed>\n");
    free(name);
    return sb_take(&sb);
}

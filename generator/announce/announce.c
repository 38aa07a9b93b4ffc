#include "announce/announce.h"

#include <cmark-gfm.h>
#include <errno.h>
#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build/build.h"
#include "core/fs.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "diag/diag.h"
#include "feed/feed.h"
#include "markdown/tree.h"
#include "registers/registers.h"
#include "render/html/body.h"
#include "render/pdf/pdf.h"

/* The header that marks a file as an announcement policygen wrote. */
#define MAILER "policygen announce"

/* One link of the announcement: its label and where it goes (relative to
 * the edition's root). */
typedef struct mail_link {
    const char *label;
    char *href;
} mail_link;

/* What both parts say, made once. */
typedef struct mail {
    const site *site;
    audience edition;
    const char *base;   /* the edition's URL, ending in '/' */
    char *subject;
    char *opening;      /* the first paragraph */
    const char *changes;
    const char *acknowledge;
    char *signature;
    mail_link links[7];
    int nlinks;
} mail;

static void add_link(mail *m, const char *label, char *href)
{
    m->links[m->nlinks++] = (mail_link){label, href};
}

/* The display name of a mailbox ("隆聖國小資訊組 <it@…>"), or NULL. */
static char *display_name(const char *mailbox)
{
    const char *lt = strchr(mailbox, '<');
    if (!lt)
        return NULL;
    size_t n = (size_t)(lt - mailbox);
    while (n && mailbox[n - 1] == ' ')
        n--;
    return n ? xstrndup(mailbox, n) : NULL;
}

static bool mail_init(mail *m, const site *s, audience edition, const char *base, diag_sink *diags)
{
    const site_config *c = &s->config;
    revision_info rev;
    if (!s->registers || !registers_current_revision(s->registers, &rev) || !rev.version) {
        diag_error(diags, srcpos_file(s->dir), "announce",
                   "no current version to announce: registers/revisions.yaml has no rows");
        return false;
    }
    if (!rev.approved) {
        diag_error(diags, register_row_pos(rev.row), "announce",
                   "version %s is a draft: only an approved version is announced to staff",
                   rev.version);
        return false;
    }
    if (!c->announce_from) {
        diag_error(diags,
                   c->announce_node ? ynode_pos(c->announce_node) : srcpos_file(s->config_path),
                   "announce", "the e-mail needs a sender: give site.yaml announce: from");
        return false;
    }
    memset(m, 0, sizeof *m);
    m->site = s;
    m->edition = edition;
    m->base = base;
    m->subject = xasprintf("【%s】%s %s 公告，請同仁閱讀", c->org_short_name, c->doc_title,
                           rev.version);
    char day[64] = "";
    if (rev.has_date)
        date_format_long(rev.date, c->calendar == CALENDAR_ROC, day, sizeof day);
    m->opening = *day ? xasprintf("本校「%s」%s 已於%s核定，公告如下，請同仁撥冗閱讀%s。",
                                  c->doc_title, rev.version, day, site_edition_label(s, edition))
                      : xasprintf("本校「%s」%s 已核定，公告如下，請同仁撥冗閱讀%s。",
                                  c->doc_title, rev.version, site_edition_label(s, edition));
    m->acknowledge = c->announce_acknowledge ? c->announce_acknowledge
                                             : "閱讀後請依本校規定完成閱讀確認。";
    char *name = display_name(c->announce_from);
    m->signature = name ? xasprintf("%s　%s", c->org_name, name) : xstrdup(c->org_name);
    free(name);
    add_link(m, site_edition_label(s, edition), xstrdup("index.html"));
    if (edition >= AUDIENCE_STAFF && s->digest)
        add_link(m, "同仁須知", xstrdup("staff/index.html"));
    add_link(m, "計畫全文", xstrdup("plan/all.html"));
    add_link(m, "計畫 PDF", pdf_plan_path(s, edition));
    if (edition == AUDIENCE_STAFF)
        add_link(m, "宣導單 PDF", pdf_handout_path(s));
    add_link(m, "修訂紀錄及各版次差異", xstrdup("versions/index.html"));
    add_link(m, "訂閱修訂公告（Atom）", xstrdup(FEED_FILE));
    return true;
}

static void mail_free(mail *m)
{
    free(m->subject);
    free(m->opening);
    free(m->signature);
    for (int i = 0; i < m->nlinks; i++)
        free(m->links[i].href);
}

/* ---- the plain text part ---- */

static char *text_part(const mail *m)
{
    const site *s = m->site;
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "各位同仁好：\n\n%s\n\n", m->opening);
    sb_printf(&sb, "一、修訂內容\n\n%s\n\n", *m->changes ? m->changes : "（未載明）");
    sb_append(&sb, "二、請同仁配合辦理\n\n");
    sb_printf(&sb, "1. 閱讀%s：%sindex.html\n", site_edition_label(m->site, m->edition), m->base);
    sb_printf(&sb, "2. %s\n", m->acknowledge);
    if (s->digest) {
        sb_printf(&sb, "3. 遵守以下「%s」：\n\n", s->digest->title);
        /* The tree's own memory goes with it: the text is malloc's. */
        md_tree *tree = md_tree_open(s->digest);
        char *digest = cmark_render_plaintext_with_mem(tree->root, CMARK_OPT_DEFAULT, 0,
                                                       cmark_get_default_mem_allocator());
        md_tree_close(tree);
        sb_append(&sb, digest);
        free(digest);
    }
    sb_append(&sb, "\n三、相關連結\n\n");
    for (int i = 0; i < m->nlinks; i++)
        sb_printf(&sb, "- %s：%s%s\n", m->links[i].label, m->base, m->links[i].href);
    sb_printf(&sb, "\n%s\n", m->signature);
    return sb_take(&sb);
}

/* ---- the HTML part ---- */

static void html(strbuf *sb, const char *s)
{
    sb_append_html(sb, s, strlen(s));
}

static char *html_part(const mail *m)
{
    const site *s = m->site;
    strbuf sb;
    sb_init(&sb);
    sb_append(&sb, "<!DOCTYPE html>\n<html lang=\"zh-Hant-TW\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<title>");
    html(&sb, m->subject);
    sb_append(&sb, "</title>\n</head>\n<body>\n<p>各位同仁好：</p>\n<p>");
    html(&sb, m->opening);
    sb_append(&sb, "</p>\n<h2>修訂內容</h2>\n<p>");
    html(&sb, *m->changes ? m->changes : "（未載明）");
    sb_append(&sb, "</p>\n<h2>請同仁配合辦理</h2>\n<ol>\n<li>閱讀<a href=\"");
    html(&sb, m->base);
    sb_append(&sb, "index.html\">");
    html(&sb, site_edition_label(m->site, m->edition));
    sb_append(&sb, "</a>。</li>\n<li>");
    html(&sb, m->acknowledge);
    sb_append(&sb, "</li>\n");
    if (s->digest) {
        sb_append(&sb, "<li>遵守以下「");
        html(&sb, s->digest->title);
        sb_append(&sb, "」。</li>\n");
    }
    sb_append(&sb, "</ol>\n");
    if (s->digest) {
        sb_append(&sb, "<h2>");
        html(&sb, s->digest->title);
        sb_append(&sb, "</h2>\n");
        /* Links of the digest lead into the edition, absolutely. */
        html_body_options o = {.site = s, .audience = m->edition, .root = m->base};
        html_render_body(&sb, s->digest, &o);
    }
    sb_append(&sb, "<h2>相關連結</h2>\n<ul>\n");
    for (int i = 0; i < m->nlinks; i++) {
        sb_append(&sb, "<li><a href=\"");
        html(&sb, m->base);
        html(&sb, m->links[i].href);
        sb_append(&sb, "\">");
        html(&sb, m->links[i].label);
        sb_append(&sb, "</a></li>\n");
    }
    sb_append(&sb, "</ul>\n<p>");
    html(&sb, m->signature);
    sb_append(&sb, "</p>\n</body>\n</html>\n");
    return sb_take(&sb);
}

/* ---- the message ---- */

static GMimeTextPart *mime_text(const char *subtype, const char *text)
{
    GMimeTextPart *part = g_mime_text_part_new_with_subtype(subtype);
    g_mime_text_part_set_text(part, text);
    g_mime_text_part_set_charset(part, "utf-8");
    /* Lines of Chinese run long: base64 keeps every line within the limit. */
    g_mime_part_set_content_encoding(GMIME_PART(part), GMIME_CONTENT_ENCODING_BASE64);
    return part;
}

static void add_addresses(GMimeMessage *msg, GMimeAddressType type, const char *mailboxes)
{
    InternetAddressList *list = internet_address_list_parse(NULL, mailboxes);
    if (!list)
        return;
    internet_address_list_append(g_mime_message_get_addresses(msg, type), list);
    g_object_unref(list);
}

char *announce_message(const site *s, audience edition, const char *base_url, date today,
                       const char *changes, diag_sink *diags)
{
    mail m;
    if (!mail_init(&m, s, edition, base_url, diags))
        return NULL;
    m.changes = changes ? changes : "";
    const site_config *c = &s->config;
    char *plain = text_part(&m), *rich = html_part(&m);

    /* The day, the version and the edition make the message's identity. */
    char iso[16];
    date_format_iso(today, iso, sizeof iso);
    const char *version = registers_current_version(s->registers);
    char *name = xasprintf("policygen announce\n%s\n%s\n%s\n%s\n%s", c->org_name, c->doc_id,
                           audience_name(edition), version, iso);
    char uuid[FEED_UUID_SIZE];
    feed_uuid(name, uuid);
    free(name);
    const char *at = strrchr(c->announce_from, '@');
    char *domain = xstrndup(at + 1, strcspn(at + 1, ">"));
    char *message_id = xasprintf("%s@%s", uuid, domain);
    char *boundary = xasprintf("=_policygen_%s", uuid);

    g_mime_init();
    GMimeMessage *msg = g_mime_message_new(TRUE);
    g_mime_object_set_header(GMIME_OBJECT(msg), "X-Mailer", MAILER, NULL);
    add_addresses(msg, GMIME_ADDRESS_TYPE_FROM, c->announce_from);
    if (c->announce_to)
        add_addresses(msg, GMIME_ADDRESS_TYPE_TO, c->announce_to);
    g_mime_message_set_subject(msg, m.subject, "utf-8");
    GTimeZone *tz = g_time_zone_new_offset(8 * 3600);
    GDateTime *when = g_date_time_new(tz, today.year, today.month, today.day, 8, 0, 0);
    g_mime_message_set_date(msg, when);
    g_date_time_unref(when);
    g_time_zone_unref(tz);
    g_mime_message_set_message_id(msg, message_id);
    g_mime_object_set_header(GMIME_OBJECT(msg), "Content-Language", "zh-Hant-TW", NULL);

    GMimeMultipart *alt = g_mime_multipart_new_with_subtype("alternative");
    g_mime_multipart_set_boundary(alt, boundary);
    GMimeTextPart *text = mime_text("plain", plain), *page = mime_text("html", rich);
    g_mime_multipart_add(alt, GMIME_OBJECT(text));
    g_mime_multipart_add(alt, GMIME_OBJECT(page));
    g_object_unref(text);
    g_object_unref(page);
    g_mime_message_set_mime_part(msg, GMIME_OBJECT(alt));
    g_object_unref(alt);

    GMimeFormatOptions *fo = g_mime_format_options_new();
    g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
    char *out = g_mime_object_to_string(GMIME_OBJECT(msg), fo);
    char *result = xstrdup(out);
    g_free(out);
    g_mime_format_options_free(fo);
    g_object_unref(msg);
    g_mime_shutdown();

    free(boundary);
    free(message_id);
    free(domain);
    free(plain);
    free(rich);
    mail_free(&m);
    return result;
}

/* ---- the command ---- */

/* Whether path may be written: it does not exist, or it is an
 * announcement policygen wrote (its headers name MAILER). */
static bool replaceable(const char *path)
{
    if (access(path, F_OK) != 0)
        return true;
    size_t len;
    char *old = fs_read_file(path, (size_t)1 << 20, &len);
    if (!old)
        return false;
    /* A header line of its own, before the blank line that ends the headers. */
    bool ours = false;
    for (char *line = old; *line && !ours;) {
        size_t n = strcspn(line, "\r\n");
        if (n == 0)
            break;
        ours = n == strlen("X-Mailer: " MAILER) && strncmp(line, "X-Mailer: " MAILER, n) == 0;
        line += n;
        line += *line == '\r' ? 1 : 0;
        line += *line == '\n' ? 1 : 0;
    }
    free(old);
    return ours;
}

static bool write_out(const char *path, const char *data, diag_sink *diags)
{
    if (strcmp(path, "-") == 0)
        return fputs(data, stdout) >= 0 && fflush(stdout) == 0;
    /* Beside the target, then renamed over it: never half a message. */
    char *tmp = xasprintf("%s.tmp-%ld", path, (long)getpid());
    bool ok = fs_write_file(tmp, data, strlen(data)) && rename(tmp, path) == 0;
    if (!ok) {
        diag_error(diags, srcpos_file(path), "write", "cannot write the announcement: %s",
                   strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return ok;
}

announce_result announce_write(const announce_options *opts, diag_sink *diags)
{
    srcpos cli = {"policygen announce", 0, 0};
    if (!opts->output) {
        diag_error(diags, cli, "usage", "announce needs -o FILE.eml (or -o - for standard output)");
        return ANNOUNCE_USAGE;
    }
    if (strcmp(opts->output, "-") != 0 && !replaceable(opts->output)) {
        diag_error(diags, srcpos_file(opts->output), "output",
                   "exists and is not an announcement policygen wrote: not replaced");
        return ANNOUNCE_USAGE;
    }
    char *base = NULL;
    if (opts->base_url && !(base = site_base_url(opts->base_url))) {
        diag_error(diags, cli, "usage",
                   "--base-url must be an http:// or https:// address with a host, not '%s'",
                   opts->base_url);
        return ANNOUNCE_USAGE;
    }
    build_options bo = {.content_dir = opts->content_dir, .data_dir = opts->data_dir};
    xref_table *xref = NULL;
    site *s = build_load(&bo, &xref, diags);
    if (!s) {
        free(base);
        return ANNOUNCE_CONTENT;
    }
    announce_result result = ANNOUNCE_CONTENT;
    const char *edition = opts->edition;
    if (!edition) {
        edition = s->config.editions.items[0];
        for (size_t i = 0; i < s->config.editions.len; i++)
            if (strcmp(s->config.editions.items[i], "staff") == 0)
                edition = "staff";
    }
    bool listed = false;
    for (size_t i = 0; i < s->config.editions.len; i++)
        listed = listed || strcmp(s->config.editions.items[i], edition) == 0;
    audience aud;
    if (!listed || !audience_parse(edition, &aud)) {
        diag_error(diags, srcpos_file(s->config_path), "edition",
                   "no edition '%s': site.yaml lists the editions to build", edition);
        result = ANNOUNCE_USAGE;
    } else if (!base && !s->config.hosting[aud].url) {
        diag_error(diags, srcpos_file(s->config_path), "announce",
                   "no URL for the %s edition: give --base-url or site.yaml hosting: %s: url",
                   edition, edition);
        result = ANNOUNCE_USAGE;
    } else {
        date today = opts->today_set ? opts->today : date_today();
        char *changes = build_version_changes(&bo, s, aud, diags);
        char *message = announce_message(s, aud, base ? base : s->config.hosting[aud].url, today,
                                         changes, diags);
        if (message && write_out(opts->output, message, diags))
            result = ANNOUNCE_OK;
        free(message);
        free(changes);
    }
    free(base);
    xref_table_free(xref);
    site_free(s);
    return result;
}

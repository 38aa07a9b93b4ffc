#include "hosting/hosting.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/xalloc.h"
#include "diag/diag.h"
#include "feed/feed.h"

/* ---- what every server sends (one table each) ---- */

/* The edition's own files only: pages load the theme's stylesheet and
 * scripts and the edition's images; nothing inline, nothing from elsewhere,
 * never inside another site's frame. */
#define HOSTING_CSP                                                                                \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "  \
    "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; "              \
    "frame-ancestors 'none'"

typedef struct header {
    const char *name, *value;
} header;

static const header HEADERS[] = {
    {"Content-Security-Policy", HOSTING_CSP},
    {"X-Content-Type-Options", "nosniff"},
    /* Links to other sites (laws, the supervising authority) do not carry
     * the intranet's addresses with them. */
    {"Referrer-Policy", "same-origin"},
    /* frame-ancestors for browsers that predate it */
    {"X-Frame-Options", "DENY"},
};
#define N_HEADERS (sizeof HEADERS / sizeof *HEADERS)

typedef struct file_type {
    const char *ext;
    const char *type;
    bool text; /* sent with "; charset=utf-8" */
} file_type;

/* What an edition holds: pages, the theme's assets, registers as CSV,
 * status/ as JSON and iCalendar, the feed, evidence and PDFs. */
static const file_type TYPES[] = {
    {"html", "text/html", true},        {"css", "text/css", true},
    {"js", "text/javascript", true},    {"csv", "text/csv", true},
    {"ics", "text/calendar", true},     {"json", "application/json", true},
    {"xml", "application/xml", true},   {"md", "text/markdown", true},
    {"txt", "text/plain", true},        {"svg", "image/svg+xml", false},
    {"pdf", "application/pdf", false},  {"png", "image/png", false},
    {"jpg", "image/jpeg", false},       {"jpeg", "image/jpeg", false},
    {"gif", "image/gif", false},        {"webp", "image/webp", false},
    {"ico", "image/vnd.microsoft.icon", false}, {"woff", "font/woff", false},
    {"woff2", "font/woff2", false},     {"zip", "application/zip", false},
};
#define N_TYPES (sizeof TYPES / sizeof *TYPES)

/* The feed is the one .xml file an edition makes: readers want its own type. */
#define FEED_TYPE "application/atom+xml; charset=utf-8"

/* Pages change with every release and are checked on every visit (the build
 * keeps an unchanged file's time, so that is cheap); the theme's files are
 * kept a day. Nothing of a staff or internal edition goes into shared caches. */
static const char *page_cache(audience a)
{
    return a == AUDIENCE_PUBLIC ? "no-cache" : "private, no-cache";
}

static const char *asset_cache(audience a)
{
    return a == AUDIENCE_PUBLIC ? "public, max-age=86400" : "private, max-age=86400";
}

static char *type_of(const file_type *t)
{
    return t->text ? xasprintf("%s; charset=utf-8", t->type) : xstrdup(t->type);
}

bool hosting_server_parse(const char *name, hosting_server *out)
{
    static const char *const NAMES[] = {"nginx", "apache", "iis"};
    for (int i = 0; i < 3; i++)
        if (strcmp(name, NAMES[i]) == 0) {
            *out = (hosting_server)i;
            return true;
        }
    return false;
}

/* ---- who may read the edition ---- */

typedef enum access_mode {
    ACCESS_OPEN,       /* anyone who reaches the server */
    ACCESS_RESTRICTED, /* site.yaml's allow ranges and/or basic authentication */
    ACCESS_DENIED,     /* nobody: a staff or internal edition with no access control */
} access_mode;

static bool has_access_control(const site_hosting *h)
{
    return h->allow.len > 0 || h->auth_realm;
}

/* Where the edition's files go when they are unpacked as they are. */
static access_mode in_place_access(const site *s, audience a)
{
    const site_hosting *h = &s->config.hosting[a];
    if (has_access_control(h))
        return ACCESS_RESTRICTED;
    return a == AUDIENCE_PUBLIC ? ACCESS_OPEN : ACCESS_DENIED;
}


/* "a.b.c.d/n" as IIS wants it: address and dotted mask (IPv6: prefix length). */
static void iis_range(const char *range, char *addr, size_t addr_size, char *mask,
                      size_t mask_size)
{
    const char *slash = strchr(range, '/');
    size_t len = slash ? (size_t)(slash - range) : strlen(range);
    if (len >= addr_size)
        len = addr_size - 1;
    memcpy(addr, range, len);
    addr[len] = '\0';
    bool v6 = strchr(addr, ':') != NULL;
    int bits = slash ? atoi(slash + 1) : v6 ? 128 : 32;
    if (v6) {
        snprintf(mask, mask_size, "%d", bits);
        return;
    }
    unsigned long m = bits == 0 ? 0 : (0xffffffffUL << (32 - bits)) & 0xffffffffUL;
    snprintf(mask, mask_size, "%lu.%lu.%lu.%lu", (m >> 24) & 255, (m >> 16) & 255, (m >> 8) & 255,
             m & 255);
}

/* ---- Apache: the same directives in .htaccess and in <Directory> ---- */

static void apache_access(strbuf *sb, const site_hosting *h, access_mode mode, const char *indent)
{
    switch (mode) {
    case ACCESS_OPEN:
        sb_printf(sb, "%sRequire all granted\n", indent);
        return;
    case ACCESS_DENIED:
        sb_printf(sb,
                  "%s# No access control in site.yaml (hosting: EDITION: allow or auth):\n"
                  "%s# nobody may read this edition here.\n"
                  "%sRequire all denied\n",
                  indent, indent, indent);
        return;
    case ACCESS_RESTRICTED:
        break;
    }
    if (h->auth_realm) {
        sb_printf(sb, "%sAuthType Basic\n%sAuthName \"%s\"\n", indent, indent, h->auth_realm);
        if (h->auth_user_file)
            sb_printf(sb, "%sAuthUserFile \"%s\"\n", indent, h->auth_user_file);
        else
            sb_printf(sb, "%s# AuthUserFile: give site.yaml hosting: EDITION: auth: user_file\n",
                      indent);
    }
    bool both = h->allow.len && h->auth_realm;
    const char *in = indent;
    char deeper[32];
    if (both) {
        sb_printf(sb, "%s# from an allowed address and signed in\n%s<RequireAll>\n", indent, indent);
        snprintf(deeper, sizeof deeper, "%s    ", indent);
        in = deeper;
    }
    if (h->allow.len) {
        sb_printf(sb, "%sRequire ip", in);
        for (size_t i = 0; i < h->allow.len; i++)
            sb_printf(sb, " %s", (const char *)h->allow.items[i]);
        sb_appendc(sb, '\n');
    }
    if (h->auth_realm)
        sb_printf(sb, "%sRequire valid-user\n", in);
    if (both)
        sb_printf(sb, "%s</RequireAll>\n", indent);
}

/* Types, the hosting files refused, headers and caching. */
static void apache_common(strbuf *sb, audience a, const char *in)
{
    sb_printf(sb, "%sAddDefaultCharset utf-8\n", in);
    for (size_t i = 0; i < N_TYPES; i++) {
        char *t = type_of(&TYPES[i]);
        sb_printf(sb, "%sAddType \"%s\" .%s\n", in, t, TYPES[i].ext);
        free(t);
    }
    sb_printf(sb, "%s<Files \"%s\">\n%s    ForceType \"%s\"\n%s</Files>\n", in, FEED_FILE, in,
              FEED_TYPE, in);
    sb_printf(sb,
              "%s# the hosting files (and any dot file) are not served\n"
              "%s<FilesMatch \"^(\\.|web\\.config$)\">\n%s    Require all denied\n%s</FilesMatch>\n",
              in, in, in, in);
    for (size_t i = 0; i < N_HEADERS; i++)
        sb_printf(sb, "%sHeader always set %s \"%s\"\n", in, HEADERS[i].name, HEADERS[i].value);
    sb_printf(sb, "%sHeader always set Cache-Control \"%s\"\n", in, page_cache(a));
    sb_printf(sb, "%s<If \"%%{REQUEST_URI} =~ m#/assets/[^/]+$#\">\n", in);
    sb_printf(sb, "%s    Header always set Cache-Control \"%s\"\n%s</If>\n", in, asset_cache(a), in);
}

char *hosting_htaccess(const site *s, audience a)
{
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb,
              "# Apache settings for the %s (%s) edition, written by policygen (see README.md,\n"
              "# \"Hosting\"). They need mod_headers (a2enmod headers) and, for this folder,\n"
              "# AllowOverride AuthConfig FileInfo Indexes\n"
              "# Options=Indexes,FollowSymLinks,SymLinksIfOwnerMatch (or All).\n",
              audience_name(a), site_edition_label(s, a));
    /* No listings, and no symbolic link leads out of the edition. */
    sb_append(&sb, "Options -Indexes -FollowSymLinks -SymLinksIfOwnerMatch\n"
                   "DirectoryIndex index.html\n");
    apache_access(&sb, &s->config.hosting[a], in_place_access(s, a), "");
    apache_common(&sb, a, "");
    return sb_take(&sb);
}

/* ---- IIS ---- */

static void iis_access(strbuf *sb, const site_hosting *h, access_mode mode)
{
    if (mode == ACCESS_OPEN)
        return;
    if (mode == ACCESS_DENIED || h->allow.len) {
        sb_append(sb, "      <ipSecurity allowUnlisted=\"false\">\n");
        if (mode == ACCESS_DENIED)
            sb_append(sb, "        <!-- no access control in site.yaml (hosting: EDITION: allow or "
                          "auth): nobody may read this edition here -->\n");
        for (size_t i = 0; mode == ACCESS_RESTRICTED && i < h->allow.len; i++) {
            char addr[64], mask[32];
            iis_range(h->allow.items[i], addr, sizeof addr, mask, sizeof mask);
            sb_printf(sb, "        <add ipAddress=\"%s\" subnetMask=\"%s\" allowed=\"true\" />\n",
                      addr, mask);
        }
        sb_append(sb, "      </ipSecurity>\n");
    }
    if (mode == ACCESS_RESTRICTED && h->auth_realm) {
        sb_append(sb, "      <authentication>\n"
                      "        <anonymousAuthentication enabled=\"false\" />\n"
                      "        <basicAuthentication enabled=\"true\" realm=\"");
        sb_append_xml(sb, h->auth_realm, strlen(h->auth_realm));
        sb_append(sb, "\" />\n      </authentication>\n");
    }
}

static void iis_headers(strbuf *sb, const char *cache, const char *in)
{
    sb_printf(sb, "%s<httpProtocol>\n%s  <customHeaders>\n", in, in);
    sb_printf(sb, "%s    <remove name=\"X-Powered-By\" />\n", in);
    for (size_t i = 0; i < N_HEADERS; i++) {
        sb_printf(sb, "%s    <remove name=\"%s\" />\n%s    <add name=\"%s\" value=\"", in,
                  HEADERS[i].name, in, HEADERS[i].name);
        sb_append_xml(sb, HEADERS[i].value, strlen(HEADERS[i].value));
        sb_append(sb, "\" />\n");
    }
    sb_printf(sb, "%s    <remove name=\"Cache-Control\" />\n", in);
    sb_printf(sb, "%s    <add name=\"Cache-Control\" value=\"%s\" />\n", in, cache);
    sb_printf(sb, "%s  </customHeaders>\n%s</httpProtocol>\n", in, in);
}

/* The web.config for an edition with the given access; preface is an XML
 * comment after the declaration, or NULL. */
static char *web_config(const site *s, audience a, access_mode mode, const char *preface)
{
    const site_hosting *h = &s->config.hosting[a];
    strbuf sb;
    sb_init(&sb);
    sb_append(&sb, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    sb_printf(&sb,
              "<!-- IIS settings for the %s (%s) edition, written by policygen (see README.md,\n"
              "     \"Hosting\"). Access control needs the IP and Domain Restrictions and Basic\n"
              "     Authentication role services, and their sections unlocked for the site. -->\n",
              audience_name(a), site_edition_label(s, a));
    if (preface)
        sb_append(&sb, preface);
    sb_append(&sb, "<configuration>\n  <system.webServer>\n");
    sb_append(&sb, "    <directoryBrowse enabled=\"false\" />\n"
                   "    <defaultDocument enabled=\"true\">\n"
                   "      <files>\n        <clear />\n        <add value=\"index.html\" />\n"
                   "      </files>\n    </defaultDocument>\n");
    sb_append(&sb, "    <staticContent>\n");
    for (size_t i = 0; i < N_TYPES; i++) {
        char *t = type_of(&TYPES[i]);
        sb_printf(&sb,
                  "      <remove fileExtension=\".%s\" />\n"
                  "      <mimeMap fileExtension=\".%s\" mimeType=\"%s\" />\n",
                  TYPES[i].ext, TYPES[i].ext, t);
        free(t);
    }
    sb_append(&sb, "    </staticContent>\n");
    iis_headers(&sb, page_cache(a), "    ");
    sb_append(&sb, "    <security>\n      <requestFiltering>\n        <hiddenSegments>\n"
                   "          <add segment=\".htaccess\" />\n"
                   "        </hiddenSegments>\n      </requestFiltering>\n");
    iis_access(&sb, h, mode);
    sb_append(&sb, "    </security>\n  </system.webServer>\n");
    sb_append(&sb, "  <location path=\"assets\">\n    <system.webServer>\n");
    iis_headers(&sb, asset_cache(a), "      ");
    sb_append(&sb, "    </system.webServer>\n  </location>\n");
    sb_printf(&sb,
              "  <location path=\"%s\">\n    <system.webServer>\n      <staticContent>\n"
              "        <remove fileExtension=\".xml\" />\n"
              "        <mimeMap fileExtension=\".xml\" mimeType=\"%s\" />\n"
              "      </staticContent>\n    </system.webServer>\n  </location>\n",
              FEED_FILE, FEED_TYPE);
    sb_append(&sb, "</configuration>\n");
    return sb_take(&sb);
}

char *hosting_web_config(const site *s, audience a)
{
    return web_config(s, a, in_place_access(s, a), NULL);
}

/* ---- `policygen hosting`: complete server blocks ---- */

typedef struct listener {
    char addr[64]; /* "" for every address; IPv6 without brackets */
    int port;
    bool loopback;
} listener;

static bool parse_listen(const char *spec, listener *l)
{
    memset(l, 0, sizeof *l);
    const char *port = spec;
    if (spec[0] == '[') {
        const char *end = strchr(spec, ']');
        if (!end || end[1] != ':' || (size_t)(end - spec - 1) >= sizeof l->addr)
            return false;
        memcpy(l->addr, spec + 1, (size_t)(end - spec - 1));
        port = end + 2;
        unsigned char buf[16];
        if (inet_pton(AF_INET6, l->addr, buf) != 1)
            return false;
        static const unsigned char LOOP6[16] = {[15] = 1};
        l->loopback = memcmp(buf, LOOP6, 16) == 0;
    } else if (strchr(spec, ':')) {
        const char *colon = strchr(spec, ':');
        if ((size_t)(colon - spec) >= sizeof l->addr)
            return false;
        memcpy(l->addr, spec, (size_t)(colon - spec));
        port = colon + 1;
        unsigned char buf[4];
        if (strcmp(l->addr, "*") == 0)
            l->addr[0] = '\0';
        else if (inet_pton(AF_INET, l->addr, buf) != 1)
            return false;
        else
            l->loopback = buf[0] == 127;
    }
    if (!*port || strlen(port) > 5)
        return false;
    int n = 0;
    for (const char *p = port; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        n = n * 10 + (*p - '0');
    }
    if (n < 1 || n > 65535)
        return false;
    l->port = n;
    return true;
}

/* "ADDR:PORT" as each server writes it; every address when addr is "". */
static char *listen_text(const listener *l, const char *every)
{
    if (!l->addr[0])
        return xasprintf("%s%d", every, l->port);
    if (strchr(l->addr, ':'))
        return xasprintf("[%s]:%d", l->addr, l->port);
    return xasprintf("%s:%d", l->addr, l->port);
}

/* The host and path of the edition's URL ("intra.example.org", "/isms/");
 * without one, no host and "/". */
static void url_parts(const char *url, char **host, char **path)
{
    *host = NULL;
    *path = xstrdup("/");
    if (!url)
        return;
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    const char *slash = strchr(p, '/');
    size_t hl = slash ? (size_t)(slash - p) : strlen(p);
    const char *colon = memchr(p, ':', hl);
    if (*p == '[') /* [IPv6]:port */
        colon = memchr(p, ']', hl) ? memchr(memchr(p, ']', hl), ':', hl) : NULL;
    *host = xstrndup(p, colon ? (size_t)(colon - p) : hl);
    if (slash) {
        free(*path);
        *path = xstrdup(slash);
    }
}

static bool root_valid(const char *root, hosting_server server)
{
    if (server == HOSTING_IIS) {
        bool drive = ((root[0] >= 'A' && root[0] <= 'Z') || (root[0] >= 'a' && root[0] <= 'z')) &&
                     root[1] == ':' && root[2] == '\\';
        if ((!drive && strncmp(root, "\\\\", 2) != 0) || strstr(root, "--"))
            return false; /* "--" may not stand in the XML comment that shows it */
    } else if (root[0] != '/') {
        return false;
    }
    for (const unsigned char *p = (const unsigned char *)root; *p; p++)
        if (*p < 0x21 || *p == 0x7f || strchr("\"';{}#$<>&|`", *p) ||
            (*p == '\\' && server != HOSTING_IIS))
            return false;
    return true;
}

/* root without a trailing separator (but "/" stays). */
static char *trim_root(const char *root)
{
    size_t n = strlen(root);
    while (n > 1 && (root[n - 1] == '/' || root[n - 1] == '\\'))
        n--;
    return xstrndup(root, n);
}

/* A staff or internal edition served without access control says so. */
static void open_note(strbuf *sb, audience a, access_mode mode, const char *in)
{
    if (a != AUDIENCE_PUBLIC && mode == ACCESS_OPEN)
        sb_printf(sb, "%s# no access control: anyone who reaches this listener may read the %s "
                      "edition\n", in, audience_name(a));
}

static void nginx_headers(strbuf *sb, const char *cache, const char *in)
{
    for (size_t i = 0; i < N_HEADERS; i++)
        sb_printf(sb, "%sadd_header %s \"%s\" always;\n", in, HEADERS[i].name, HEADERS[i].value);
    sb_printf(sb, "%sadd_header Cache-Control \"%s\" always;\n", in, cache);
}

static void nginx_access(strbuf *sb, const site_hosting *h, access_mode mode, const char *in)
{
    if (mode == ACCESS_DENIED) {
        sb_printf(sb, "%sdeny all;\n", in);
        return;
    }
    if (mode != ACCESS_RESTRICTED)
        return;
    for (size_t i = 0; i < h->allow.len; i++)
        sb_printf(sb, "%sallow %s;\n", in, (const char *)h->allow.items[i]);
    if (h->allow.len)
        sb_printf(sb, "%sdeny all;\n", in);
    if (h->auth_realm) {
        sb_printf(sb, "%sauth_basic \"%s\";\n", in, h->auth_realm);
        if (h->auth_user_file)
            sb_printf(sb, "%sauth_basic_user_file %s;\n", in, h->auth_user_file);
    }
    if (h->allow.len && h->auth_realm)
        sb_printf(sb, "%ssatisfy all; # from an allowed address and signed in\n", in);
}

static void nginx_config(strbuf *sb, const site *s, audience a, access_mode mode,
                         const listener *l, const char *root)
{
    const site_hosting *h = &s->config.hosting[a];
    char *host, *path;
    url_parts(h->url, &host, &path);
    sb_printf(sb, "# nginx: the %s (%s) edition of %s %s, written by policygen hosting.\n",
              audience_name(a), site_edition_label(s, a), s->config.org_name, s->config.doc_title);
    sb_append(sb, "# Put it in /etc/nginx/sites-available/, link it from sites-enabled/, then\n"
                  "# nginx -t && nginx -s reload. The edition's files go into the folder below.\n");
    if (h->url && strncmp(h->url, "https://", 8) == 0)
        sb_append(sb, "# The edition's URL is https: add `ssl` to listen and the school's\n"
                      "# ssl_certificate and ssl_certificate_key.\n");
    sb_append(sb, "server {\n");
    char *ln = listen_text(l, "");
    sb_printf(sb, "    listen %s;\n", ln);
    free(ln);
    if (!l->addr[0])
        sb_printf(sb, "    listen [::]:%d;\n", l->port);
    sb_printf(sb, "    server_name %s;\n", host ? host : "_");
    sb_append(sb, "    server_tokens off;\n\n");
    bool sub = strcmp(path, "/") != 0;
    if (sub) {
        sb_printf(sb, "    location ^~ %s {\n", path);
        sb_printf(sb, "        alias %s/;\n", strcmp(root, "/") == 0 ? "" : root);
    } else {
        sb_printf(sb, "    root %s;\n\n    location / {\n", root);
    }
    const char *in = "        ";
    sb_printf(sb, "%sindex index.html;\n%sautoindex off;\n%sdisable_symlinks on;\n", in, in, in);
    open_note(sb, a, mode, in);
    nginx_access(sb, h, mode, in);
    sb_printf(sb, "%stypes {\n", in);
    for (size_t i = 0; i < N_TYPES; i++)
        sb_printf(sb, "%s    %s %s;\n", in, TYPES[i].type, TYPES[i].ext);
    sb_printf(sb, "%s}\n%sdefault_type application/octet-stream;\n", in, in);
    sb_printf(sb, "%scharset utf-8;\n%scharset_types", in, in);
    for (size_t i = 0; i < N_TYPES; i++) {
        bool seen = false;
        for (size_t k = 0; k < i; k++)
            seen = seen || strcmp(TYPES[k].type, TYPES[i].type) == 0;
        if (TYPES[i].text && !seen && strcmp(TYPES[i].type, "text/html") != 0)
            sb_printf(sb, " %s", TYPES[i].type);
    }
    sb_append(sb, ";\n");
    nginx_headers(sb, page_cache(a), in);
    sb_printf(sb, "\n%s# the hosting files (and any dot file) are not served\n", in);
    sb_printf(sb, "%slocation ~ /(\\.|web\\.config$) {\n%s    return 404;\n%s}\n", in, in, in);
    sb_printf(sb, "%slocation ~ /assets/[^/]+$ {\n", in);
    nginx_headers(sb, asset_cache(a), "            ");
    sb_printf(sb, "%s}\n", in);
    sb_printf(sb, "%slocation ~ /%s$ {\n%s    types { }\n%s    default_type \"%s\";\n", in,
              "feed\\.xml", in, in, FEED_TYPE);
    nginx_headers(sb, page_cache(a), "            ");
    sb_printf(sb, "%s}\n    }\n", in);
    if (sub)
        sb_append(sb, "\n    location / {\n        return 404;\n    }\n");
    sb_append(sb, "}\n");
    free(host);
    free(path);
}

static void apache_config(strbuf *sb, const site *s, audience a, access_mode mode,
                          const listener *l, const char *root)
{
    const site_hosting *h = &s->config.hosting[a];
    char *host, *path;
    url_parts(h->url, &host, &path);
    char *ln = listen_text(l, "*:");
    sb_printf(sb, "# Apache: the %s (%s) edition of %s %s, written by policygen hosting.\n",
              audience_name(a), site_edition_label(s, a), s->config.org_name, s->config.doc_title);
    sb_append(sb, "# Put it in /etc/apache2/sites-available/, then a2enmod headers, a2ensite\n"
                  "# and apachectl configtest && apachectl graceful. The edition's files go into\n"
                  "# the folder below; its .htaccess is not read (AllowOverride None), as every\n"
                  "# setting is here.\n");
    sb_printf(sb, "# ports.conf needs `Listen %s` if it has not got it.\n", ln + (l->addr[0] ? 0 : 2));
    if (h->url && strncmp(h->url, "https://", 8) == 0)
        sb_append(sb, "# The edition's URL is https: add SSLEngine on and the school's certificate.\n");
    sb_printf(sb, "<VirtualHost %s>\n", ln);
    free(ln);
    if (host)
        sb_printf(sb, "    ServerName %s\n", host);
    sb_append(sb, "    ServerSignature Off\n");
    bool sub = strcmp(path, "/") != 0;
    const char *r = strcmp(root, "/") == 0 ? "" : root;
    if (sub)
        sb_printf(sb, "    Alias \"%s\" \"%s/\"\n", path, r);
    else
        sb_printf(sb, "    DocumentRoot \"%s\"\n", root);
    sb_printf(sb, "    <Directory \"%s\">\n", root);
    sb_append(sb, "        Options None\n        AllowOverride None\n"
                  "        DirectoryIndex index.html\n");
    open_note(sb, a, mode, "        ");
    apache_access(sb, h, mode, "        ");
    apache_common(sb, a, "        ");
    sb_append(sb, "    </Directory>\n</VirtualHost>\n");
    free(host);
    free(path);
}

static char *iis_preface(const site *s, audience a, const listener *l, const char *root)
{
    char *host, *path;
    url_parts(s->config.hosting[a].url, &host, &path);
    if (host && strstr(host, "--")) { /* "--" may not stand in an XML comment */
        free(host);
        host = NULL;
    }
    char *site_name = xasprintf("%s-%s", s->config.doc_id, audience_name(a));
    char *binding = l->addr[0] ? (strchr(l->addr, ':') ? xasprintf("[%s]", l->addr)
                                                       : xstrdup(l->addr))
                               : xstrdup("*");
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb,
              "<!-- policygen hosting iis: this file is the edition's own web.config (it is in\n"
              "     the edition's folder already). To serve the folder as a site of its own:\n"
              "       appcmd add site /name:\"%s\" /bindings:\"http/%s:%d:%s\" "
              "/physicalPath:\"%s\"\n",
              site_name, binding, l->port, host ? host : "", root);
    if (strcmp(path, "/") != 0)
        sb_printf(&sb,
                  "     or, under an existing site, as the application %s:\n"
                  "       appcmd add app /site.name:\"SITE\" /path:\"%.*s\" /physicalPath:\"%s\"\n",
                  path, (int)strlen(path) - 1, path, root);
    if (has_access_control(&s->config.hosting[a]))
        sb_append(&sb, "     and unlock the access control sections for it:\n"
                       "       appcmd unlock config -section:system.webServer/security/ipSecurity\n"
                       "       appcmd unlock config -section:system.webServer/security/authentication/basicAuthentication\n"
                       "       appcmd unlock config -section:system.webServer/security/authentication/anonymousAuthentication\n");
    sb_append(&sb, "-->\n");
    free(binding);
    free(site_name);
    free(host);
    free(path);
    return sb_take(&sb);
}

char *hosting_server_config(const site *s, const hosting_options *o, diag_sink *diags)
{
    srcpos cli = {"policygen hosting", 0, 0};
    listener l;
    if (!parse_listen(o->listen ? o->listen : "80", &l)) {
        diag_error(diags, cli, "hosting",
                   "--listen takes PORT, ADDRESS:PORT or [IPV6-ADDRESS]:PORT with a numeric "
                   "address, not '%s'",
                   o->listen);
        return NULL;
    }
    const site_config *c = &s->config;
    const char *id = c->doc_id;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.')) {
            diag_error(diags, cli, "hosting",
                       "document.id '%s' has characters a server configuration cannot hold: give "
                       "--root",
                       id);
            return NULL;
        }
    char *root = o->root ? trim_root(o->root)
                 : o->server == HOSTING_IIS
                     ? xasprintf("C:\\inetpub\\%s\\%s", id, audience_name(o->edition))
                     : xasprintf("/var/www/%s/%s", id, audience_name(o->edition));
    if (!root_valid(root, o->server)) {
        diag_error(diags, cli, "hosting",
                   "--root must be an absolute path (%s) without spaces, quotes or "
                   "; { } # $ < > & | `, not '%s'",
                   o->server == HOSTING_IIS ? "C:\\... or \\\\server\\..." : "/...", o->root);
        free(root);
        return NULL;
    }
    const site_hosting *h = &c->hosting[o->edition];
    access_mode mode = has_access_control(h) ? ACCESS_RESTRICTED : ACCESS_OPEN;
    if (o->edition != AUDIENCE_PUBLIC && mode == ACCESS_OPEN && !l.loopback && !o->allow_open) {
        char *ln = listen_text(&l, "*:");
        diag_error(diags, srcpos_file(s->config_path), "hosting",
                   "the %s edition has no access control (site.yaml hosting: %s: allow or auth), "
                   "and %s would serve it to anyone who reaches %s: add allow or auth, listen on "
                   "a loopback address, or give --allow-open",
                   audience_name(o->edition), audience_name(o->edition),
                   o->server == HOSTING_NGINX    ? "nginx"
                   : o->server == HOSTING_APACHE ? "Apache"
                                                 : "IIS",
                   ln);
        free(ln);
        free(root);
        return NULL;
    }
    if (mode == ACCESS_RESTRICTED && h->auth_realm && !h->auth_user_file &&
        o->server != HOSTING_IIS) {
        diag_error(diags, srcpos_file(s->config_path), "hosting",
                   "the %s edition asks for basic authentication: %s needs site.yaml hosting: %s: "
                   "auth: user_file, the server's password file",
                   audience_name(o->edition), o->server == HOSTING_NGINX ? "nginx" : "Apache",
                   audience_name(o->edition));
        free(root);
        return NULL;
    }
    strbuf sb;
    sb_init(&sb);
    switch (o->server) {
    case HOSTING_NGINX: nginx_config(&sb, s, o->edition, mode, &l, root); break;
    case HOSTING_APACHE: apache_config(&sb, s, o->edition, mode, &l, root); break;
    case HOSTING_IIS: {
        char *pre = iis_preface(s, o->edition, &l, root);
        char *wc = web_config(s, o->edition, mode, pre);
        sb_append(&sb, wc);
        free(wc);
        free(pre);
        break;
    }
    }
    free(root);
    return sb_take(&sb);
}

#include "content/site.h"

#include <arpa/inet.h>
#include <cmark-gfm.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "content/docstore.h"
#include "core/fs.h"
#include "core/parallel.h"
#include "core/srcfile.h"
#include "core/xalloc.h"
#include "markdown/directive.h"
#include "markdown/markdown.h"
#include "markdown/scan.h"
#include "markdown/tree.h"
#include "registers/registers.h"

/* A chapter of 11 MB would be a mistake; this keeps a stray binary out. */
#define MAX_DOCUMENT_BYTES ((size_t)8 << 20)

static const char *const AUDIENCE_NAMES[] = {"public", "staff", "internal", NULL};
static const char *const EDITION_LABELS[] = {"公開版", "同仁版", "內部版"};

const char *audience_name(audience a)
{
    return AUDIENCE_NAMES[a];
}

bool audience_parse(const char *s, audience *out)
{
    for (int i = 0; i < 3; i++) {
        if (s && strcmp(s, AUDIENCE_NAMES[i]) == 0) {
            *out = (audience)i;
            return true;
        }
    }
    return false;
}

static _Thread_local audience_range *tracked;

bool audience_sees(audience aud, audience needed)
{
    bool sees = needed <= aud;
    if (tracked) {
        /* The same answer for every audience from needed up, or below it. */
        if (sees && needed > tracked->lo)
            tracked->lo = needed;
        if (!sees && (int)needed - 1 < (int)tracked->hi)
            tracked->hi = (audience)((int)needed - 1);
    }
    return sees;
}

void audience_own(audience aud)
{
    if (tracked) {
        if (aud > tracked->lo)
            tracked->lo = aud;
        if (aud < tracked->hi)
            tracked->hi = aud;
    }
}

void audience_track(audience_range *r)
{
    tracked = r;
}

const char *site_edition_label(const site *s, audience a)
{
    audience_own(a); /* each edition has its own */
    const char *own = s ? s->config.edition_labels[a] : NULL;
    return own && *own ? own : EDITION_LABELS[a];
}

/* ---- names that become file names ---- */

bool site_plain_name(const char *s)
{
    if (!s || !*s || s[0] == '.' || strlen(s) > 100)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' || *p >= 0x80;
        if (!ok)
            return false;
    }
    return true;
}

/* An id, theme or document id names a file or folder: it must not lead
 * anywhere else (no '/', no '..'). Reports at n and returns false. */
static bool check_plain_name(const ynode *n, const char *what, const char *s, diag_sink *diags)
{
    if (site_plain_name(s))
        return true;
    diag_error(diags, ynode_pos(n), "name",
               "%s '%s' names a file: use letters, digits, '-', '_' and '.' (not first), "
               "at most 100 bytes",
               what, s);
    return false;
}

/* ---- site.yaml ---- */

typedef struct key_spec {
    const char *name;
    const char *const *children; /* allowed keys of a nested mapping, or NULL */
} key_spec;

static const char *const ORG_KEYS[] = {"name", "short_name", "parent", "level", NULL};
static const char *const DOC_KEYS[] = {"id", "title", "signatures", NULL};
static const char *const ANNOUNCE_KEYS[] = {"from", "to", "acknowledge", NULL};
/* hosting's own keys (by edition, then these) are checked by load_hosting. */
static const key_spec SITE_KEYS[] = {
    {"organization", ORG_KEYS}, {"document", DOC_KEYS}, {"language", NULL},
    {"calendar", NULL},         {"numbering", NULL},    {"theme", NULL},
    {"editions", NULL},         {"edition_labels", AUDIENCE_NAMES}, {"rules", NULL},
    {"coverage", NULL},         {"unchecked", NULL},        {"hosting", NULL},
    {"announce", ANNOUNCE_KEYS}, {"modes", NULL},
};

static bool in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

/* Reports every unknown key: a typo must not pass silently. */
static void check_site_keys(const ynode *root, diag_sink *diags)
{
    for (size_t i = 0; i < root->len; i++) {
        const ynode *key = root->keys[i];
        const key_spec *spec = NULL;
        for (size_t k = 0; k < sizeof SITE_KEYS / sizeof *SITE_KEYS; k++)
            if (strcmp(SITE_KEYS[k].name, key->text) == 0)
                spec = &SITE_KEYS[k];
        if (!spec) {
            diag_error(diags, ynode_pos(key), "site-key", "unknown key '%s' in site.yaml",
                       key->text);
            continue;
        }
        const ynode *val = root->items[i];
        if (!spec->children)
            continue;
        if (val->kind != YNODE_MAP) {
            diag_error(diags, ynode_pos(val), "site-key", "'%s' must be a mapping", key->text);
            continue;
        }
        for (size_t j = 0; j < val->len; j++)
            if (!in_list(spec->children, val->keys[j]->text))
                diag_error(diags, ynode_pos(val->keys[j]), "site-key",
                           "unknown key '%s.%s' in site.yaml", key->text, val->keys[j]->text);
    }
}

/* A scalar setting; reports a non-scalar and returns the default. */
static char *config_string(const ynode *n, const char *what, const char *fallback, diag_sink *diags)
{
    if (!n)
        return fallback ? xstrdup(fallback) : NULL;
    if (n->kind != YNODE_SCALAR) {
        diag_error(diags, ynode_pos(n), "site-value", "'%s' must be text", what);
        return fallback ? xstrdup(fallback) : NULL;
    }
    return xstrdup(n->text);
}

static void config_string_list(const ynode *n, const char *what, vec *out, diag_sink *diags)
{
    if (!n)
        return;
    if (n->kind != YNODE_SEQ) {
        diag_error(diags, ynode_pos(n), "site-value", "'%s' must be a list", what);
        return;
    }
    for (size_t i = 0; i < n->len; i++) {
        if (n->items[i]->kind != YNODE_SCALAR)
            diag_error(diags, ynode_pos(n->items[i]), "site-value", "items of '%s' must be text",
                       what);
        else
            vec_push(out, xstrdup(n->items[i]->text));
    }
}

/* ---- site.yaml hosting and announce ---- */

bool site_address_range_valid(const char *range)
{
    const char *slash = strchr(range, '/');
    size_t len = slash ? (size_t)(slash - range) : strlen(range);
    if (len == 0 || len >= INET6_ADDRSTRLEN)
        return false;
    char addr[INET6_ADDRSTRLEN];
    memcpy(addr, range, len);
    addr[len] = '\0';
    unsigned char buf[16];
    int bits;
    if (inet_pton(AF_INET, addr, buf) == 1)
        bits = 32;
    else if (inet_pton(AF_INET6, addr, buf) == 1)
        bits = 128;
    else
        return false;
    if (!slash)
        return true;
    const char *p = slash + 1;
    if (!*p || strlen(p) > 3)
        return false;
    int n = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        n = n * 10 + (*p - '0');
    }
    return n <= bits;
}

/* Bytes that no URL, path or realm written into a server's configuration
 * may hold: they would end a quoted value or a directive there. */
static bool config_safe(const char *s, const char *also_forbidden)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\' || strchr(also_forbidden, *p))
            return false;
    return true;
}

static bool ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

/* http:// or https://, a host (name, IPv4, or [IPv6]) with an optional
 * port, then a path; no query, fragment or spaces. */
static bool url_valid(const char *url)
{
    const char *p;
    if (strncmp(url, "http://", 7) == 0)
        p = url + 7;
    else if (strncmp(url, "https://", 8) == 0)
        p = url + 8;
    else
        return false;
    const char *host = p;
    if (*p == '[') { /* an IPv6 address: hex digits, colons, dots */
        p++;
        while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F') ||
               *p == ':' || *p == '.')
            p++;
        if (*p != ']' || p == host + 1)
            return false;
        p++;
    } else {
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
               *p == '.' || *p == '-')
            p++;
    }
    if (p == host)
        return false;
    if (*p == ':') {
        const char *digits = ++p;
        while (*p >= '0' && *p <= '9')
            p++;
        if (p == digits || p - digits > 5)
            return false;
    }
    if (*p && *p != '/')
        return false;
    return config_safe(p, " <>#?{}|^`;'");
}

char *site_base_url(const char *url)
{
    if (!url || !url_valid(url))
        return NULL;
    size_t n = strlen(url);
    return url[n - 1] == '/' ? xstrdup(url) : xasprintf("%s/", url);
}

bool site_mailbox_valid(const char *mailbox)
{
    const char *addr = mailbox, *end = mailbox + strlen(mailbox);
    const char *lt = strchr(mailbox, '<');
    if (lt) {
        if (end == lt || end[-1] != '>' || lt == mailbox || !config_safe(mailbox, ""))
            return false;
        for (const char *q = mailbox; q < lt; q++)
            if (*q == '>')
                return false;
        addr = lt + 1;
        end--;
    }
    const char *at = NULL;
    for (const char *q = addr; q < end; q++) {
        if (*q == '@') {
            if (at)
                return false;
            at = q;
        } else if ((unsigned char)*q <= ' ' || strchr("<>()[],;:\"\\", *q)) {
            return false;
        }
    }
    return at && at > addr && at + 1 < end;
}

static const char *const HOSTING_KEYS[] = {"url", "allow", "auth", NULL};
static const char *const AUTH_KEYS[] = {"realm", "user_file", NULL};

/* Reports keys of a mapping that are not in allowed, as what.KEY. */
static void check_keys(const ynode *map, const char *const *allowed, const char *what,
                       diag_sink *diags)
{
    for (size_t j = 0; j < map->len; j++)
        if (!in_list(allowed, map->keys[j]->text))
            diag_error(diags, ynode_pos(map->keys[j]), "site-key",
                       "unknown key '%s.%s' in site.yaml", what, map->keys[j]->text);
}

static void load_edition_hosting(site_hosting *h, const ynode *e, const char *edition,
                                 diag_sink *diags)
{
    char what[64];
    snprintf(what, sizeof what, "hosting.%s", edition);
    if (e->kind != YNODE_MAP) {
        diag_error(diags, ynode_pos(e), "site-value", "'%s' must be a mapping (url, allow, auth)",
                   what);
        return;
    }
    check_keys(e, HOSTING_KEYS, what, diags);
    char name[96];
    const ynode *url = ynode_get(e, "url");
    snprintf(name, sizeof name, "%s.url", what);
    char *u = config_string(url, name, NULL, diags);
    h->url = site_base_url(u);
    if (u && !h->url)
        diag_error(diags, ynode_pos(url), "site-value",
                   "%s.url must be an http:// or https:// address with a host and no query, "
                   "fragment or spaces, not '%s'",
                   what, u);
    free(u);
    const ynode *allow = ynode_get(e, "allow");
    snprintf(name, sizeof name, "%s.allow", what);
    config_string_list(allow, name, &h->allow, diags);
    for (size_t i = 0; i < h->allow.len; i++)
        if (!site_address_range_valid(h->allow.items[i]))
            diag_error(diags, ynode_pos(allow->items[i]), "site-value",
                       "'%s' is not an address range (an IPv4 or IPv6 address, with /prefix for "
                       "a network)",
                       (const char *)h->allow.items[i]);
    const ynode *auth = ynode_get(e, "auth");
    if (!auth)
        return;
    if (auth->kind != YNODE_MAP) {
        diag_error(diags, ynode_pos(auth), "site-value",
                   "'%s.auth' must be a mapping (realm, user_file)", what);
        return;
    }
    snprintf(what, sizeof what, "hosting.%s.auth", edition);
    check_keys(auth, AUTH_KEYS, what, diags);
    const ynode *realm = ynode_get(auth, "realm");
    snprintf(name, sizeof name, "%s.realm", what);
    h->auth_realm = config_string(realm, name, NULL, diags);
    if (!h->auth_realm)
        diag_error(diags, ynode_pos(auth), "site-value",
                   "%s needs a realm (the name the browser shows)", what);
    else if (!*h->auth_realm || !config_safe(h->auth_realm, "") || !ascii(h->auth_realm))
        diag_error(diags, ynode_pos(realm), "site-value",
                   "%s.realm must be ASCII text (browsers show no other) without quotes, "
                   "backslashes or control characters, not '%s'",
                   what, h->auth_realm);
    const ynode *file = ynode_get(auth, "user_file");
    snprintf(name, sizeof name, "%s.user_file", what);
    h->auth_user_file = config_string(file, name, NULL, diags);
    if (h->auth_user_file &&
        (h->auth_user_file[0] != '/' || !config_safe(h->auth_user_file, " ;{}#<>'$")))
        diag_error(diags, ynode_pos(file), "site-value",
                   "%s.user_file must be an absolute path without spaces, quotes or ; { } # < > $, "
                   "not '%s'",
                   what, h->auth_user_file);
}

static void load_hosting(site_config *c, const ynode *hosting, diag_sink *diags)
{
    if (!hosting)
        return;
    if (hosting->kind != YNODE_MAP) {
        diag_error(diags, ynode_pos(hosting), "site-value",
                   "'hosting' must be a mapping by edition (public, staff, internal)");
        return;
    }
    for (size_t i = 0; i < hosting->len; i++) {
        const ynode *key = hosting->keys[i];
        audience a;
        if (!audience_parse(key->text, &a)) {
            diag_error(diags, ynode_pos(key), "site-key",
                       "unknown edition '%s' in hosting (editions are public, staff and internal)",
                       key->text);
            continue;
        }
        load_edition_hosting(&c->hosting[a], hosting->items[i], key->text, diags);
    }
}

static void load_announce(site_config *c, const ynode *announce, diag_sink *diags)
{
    c->announce_node = announce;
    if (!announce || announce->kind != YNODE_MAP)
        return; /* check_site_keys reported a non-mapping */
    static const char *const mailboxes[] = {"from", "to"};
    char **slots[] = {&c->announce_from, &c->announce_to};
    for (int i = 0; i < 2; i++) {
        const ynode *n = ynode_get(announce, mailboxes[i]);
        char what[32];
        snprintf(what, sizeof what, "announce.%s", mailboxes[i]);
        *slots[i] = config_string(n, what, NULL, diags);
        if (*slots[i] && !site_mailbox_valid(*slots[i])) {
            diag_error(diags, ynode_pos(n), "site-value",
                       "%s must be an e-mail address, or a name and <address>, not '%s'", what,
                       *slots[i]);
            free(*slots[i]);
            *slots[i] = NULL;
        }
    }
    c->announce_acknowledge =
        config_string(ynode_get(announce, "acknowledge"), "announce.acknowledge", NULL, diags);
}

/* "0640" (or "640"): an octal mode of at most 0777 that leaves the owner
 * what the build needs (read and write; and search for a folder). */
static bool parse_mode(const ynode *n, unsigned owner, unsigned *out, diag_sink *diags)
{
    const char *t = ynode_str(n);
    size_t len = t ? strlen(t) : 0;
    unsigned m = 0;
    bool ok = len == 3 || (len == 4 && t[0] == '0');
    for (size_t i = 0; ok && i < len; i++) {
        ok = t[i] >= '0' && t[i] <= '7';
        m = m * 8 + (unsigned)(t[i] - '0');
    }
    if (!ok || (m & owner) != owner) {
        diag_error(diags, ynode_pos(n), "site-value",
                   "a mode is three octal digits such as %s, that give the owner %s",
                   owner == 0700 ? "0750" : "0640", owner == 0700 ? "rwx" : "rw");
        return false;
    }
    *out = m;
    return true;
}

/* `modes: { EDITION: { files: "0640", folders: "0750" } }`; staff and
 * internal, which hold what the public must not read, default to those. */
static bool read_modes(const ynode *modes, site_config *c, diag_sink *diags)
{
    for (int a = 0; a < 3; a++) {
        c->file_modes[a] = a == AUDIENCE_PUBLIC ? 0 : 0640;
        c->folder_modes[a] = a == AUDIENCE_PUBLIC ? 0 : 0750;
    }
    if (!modes)
        return true;
    if (modes->kind != YNODE_MAP) {
        diag_error(diags, ynode_pos(modes), "site-value", "'modes' must be a mapping by edition");
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < modes->len; i++) {
        audience a;
        const ynode *key = modes->keys[i], *v = modes->items[i];
        if (!audience_parse(key->text, &a)) {
            diag_error(diags, ynode_pos(key), "site-value",
                       "unknown edition '%s' in modes (editions are public, staff and internal)",
                       key->text);
            ok = false;
            continue;
        }
        if (v->kind != YNODE_MAP) {
            diag_error(diags, ynode_pos(v), "site-value",
                       "modes.%s must be a mapping of files and folders", key->text);
            ok = false;
            continue;
        }
        for (size_t k = 0; k < v->len; k++) {
            const char *what = v->keys[k]->text;
            if (strcmp(what, "files") == 0)
                ok = parse_mode(v->items[k], 0600, &c->file_modes[a], diags) && ok;
            else if (strcmp(what, "folders") == 0)
                ok = parse_mode(v->items[k], 0700, &c->folder_modes[a], diags) && ok;
            else {
                diag_error(diags, ynode_pos(v->keys[k]), "site-key",
                           "unknown key 'modes.%s.%s' in site.yaml (files or folders)", key->text,
                           what);
                ok = false;
            }
        }
    }
    return ok;
}

static bool load_config(site *s, diag_sink *diags)
{
    s->config_path = fs_join(s->dir, "site.yaml");
    if (!fs_is_file(s->config_path)) {
        diag_error(diags, srcpos_file(s->config_path), "missing", "site.yaml not found: %s",
                   strerror(errno ? errno : ENOENT));
        return false;
    }
    s->config_doc = yaml_load_file(s->config_path, NULL, diags);
    if (!s->config_doc)
        return false;
    const ynode *root = s->config_doc->root;
    if (!root || root->kind != YNODE_MAP) {
        diag_error(diags, root ? ynode_pos(root) : srcpos_file(s->config_path), "site-value",
                   "site.yaml must be a mapping of settings");
        return false;
    }
    check_site_keys(root, diags);

    bool ok = true;
    site_config *c = &s->config;
    const ynode *org = ynode_get(root, "organization");
    const ynode *doc = ynode_get(root, "document");
    c->org_name = config_string(ynode_get(org, "name"), "organization.name", "", diags);
    if (!*c->org_name)
        diag_error(diags, org ? ynode_pos(org) : ynode_pos(root), "site-value",
                   "organization.name is required");
    c->org_short_name =
        config_string(ynode_get(org, "short_name"), "organization.short_name", c->org_name, diags);
    c->org_parent = config_string(ynode_get(org, "parent"), "organization.parent", "", diags);
    c->org_level = config_string(ynode_get(org, "level"), "organization.level", "", diags);
    c->doc_id = config_string(ynode_get(doc, "id"), "document.id", "plan", diags);
    c->doc_title =
        config_string(ynode_get(doc, "title"), "document.title", "資通安全維護計畫", diags);
    config_string_list(ynode_get(doc, "signatures"), "document.signatures", &c->signatures, diags);
    c->language = config_string(ynode_get(root, "language"), "language", "zh-TW", diags);
    c->theme = config_string(ynode_get(root, "theme"), "theme", "default", diags);
    /* The theme is a folder of themes/ (the content's or the shipped one),
     * the document id a part of file names: plain names, nothing more. */
    if (ynode_get(root, "theme") &&
        !check_plain_name(ynode_get(root, "theme"), "theme", c->theme, diags))
        ok = false;
    if (ynode_get(doc, "id") &&
        !check_plain_name(ynode_get(doc, "id"), "document.id", c->doc_id, diags))
        ok = false;

    const ynode *cal = ynode_get(root, "calendar");
    const char *cal_s = ynode_str(cal);
    c->calendar = CALENDAR_ROC;
    if (cal_s && strcmp(cal_s, "gregorian") == 0)
        c->calendar = CALENDAR_GREGORIAN;
    else if (cal && (!cal_s || strcmp(cal_s, "roc") != 0))
        diag_error(diags, ynode_pos(cal), "site-value", "calendar must be roc or gregorian");

    const ynode *num = ynode_get(root, "numbering");
    const char *num_s = ynode_str(num);
    c->numbering = NUMBERING_ZH_TW_OFFICIAL;
    if (num_s && strcmp(num_s, "decimal") == 0)
        c->numbering = NUMBERING_DECIMAL;
    else if (num_s && strcmp(num_s, "none") == 0)
        c->numbering = NUMBERING_NONE;
    else if (num && (!num_s || strcmp(num_s, "zh-TW-official") != 0))
        diag_error(diags, ynode_pos(num), "site-value",
                   "numbering must be zh-TW-official, decimal or none");

    const ynode *eds = ynode_get(root, "editions");
    config_string_list(eds, "editions", &c->editions, diags);
    for (size_t i = 0; i < c->editions.len; i++) {
        audience a;
        if (!audience_parse(c->editions.items[i], &a))
            diag_error(diags, ynode_pos(eds->items[i]), "site-value",
                       "unknown edition '%s' (editions are public, staff and internal)",
                       (char *)c->editions.items[i]);
    }
    if (!c->editions.len)
        vec_push(&c->editions, xstrdup("internal"));
    const ynode *labels = ynode_get(root, "edition_labels");
    for (int a = 0; a < 3; a++) {
        char *what = xasprintf("edition_labels.%s", AUDIENCE_NAMES[a]);
        c->edition_labels[a] =
            config_string(ynode_get(labels, AUDIENCE_NAMES[a]), what, NULL, diags);
        free(what);
    }

    if (!read_modes(ynode_get(root, "modes"), c, diags))
        ok = false;

    c->rules = ynode_get(root, "rules");
    if (c->rules && c->rules->kind != YNODE_MAP) {
        diag_error(diags, ynode_pos(c->rules), "site-value",
                   "'rules' must be a mapping by rule id");
        c->rules = NULL;
    }
    c->coverage = ynode_get(root, "coverage");
    if (c->coverage && c->coverage->kind != YNODE_MAP) {
        diag_error(diags, ynode_pos(c->coverage), "site-value",
                   "'coverage' must map the template's chapters to yours, as { organization: "
                   "05-org }");
        c->coverage = NULL;
    }
    const ynode *unchecked = ynode_get(root, "unchecked");
    if (unchecked) {
        const char *v = ynode_str(unchecked);
        if (v && strcmp(v, "error") == 0)
            c->unchecked_error = true;
        else if (!v || strcmp(v, "warning") != 0)
            diag_error(diags, ynode_pos(unchecked), "site-value",
                       "'unchecked' is warning (the default) or error, not '%s'", v ? v : "");
    }
    load_hosting(c, ynode_get(root, "hosting"), diags);
    load_announce(c, ynode_get(root, "announce"), diags);
    return ok;
}

/* ---- documents ---- */

static void document_free(void *p)
{
    document *d = p;
    if (!d)
        return;
    free(d->path);
    free(d->slug);
    free(d->id);
    free(d->title);
    free(d->register_name);
    ydoc_free(d->front);
    free(d->source);
    vec_free(&d->sections);
    vec_free(&d->directives);
    vec_free(&d->links);
    md_text_free(d->text);
    if (d->made_free)
        d->made_free(d->made);
    free(d);
}

static void section_free(void *p)
{
    section *s = p;
    free(s->id);
    free(s->label);
    free(s->full_label);
    free(s->title);
    free(s);
}

/* "01-basis.md" -> "basis"; the number prefix orders files, it is not a name. */
static char *slug_from_file_name(const char *name)
{
    const char *start = name;
    const char *p = name;
    while (*p >= '0' && *p <= '9')
        p++;
    if (p > name && (*p == '-' || *p == '_'))
        start = p + 1;
    const char *dot = strrchr(start, '.');
    return xstrndup(start, dot ? (size_t)(dot - start) : strlen(start));
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

/* Splits "---\n yaml \n---\n body" and parses the YAML. */
static bool read_front_matter(document *d, const char *const *allowed, diag_sink *diags)
{
    const char *src = d->source_body;
    d->body_line = 1;
    if (strncmp(src, "---\n", 4) != 0 && strncmp(src, "---\r\n", 5) != 0)
        return true;
    const char *yaml_start = strchr(src, '\n') + 1;
    const char *p = yaml_start;
    int line = 2;
    const char *yaml_end = NULL;
    while (*p) {
        if (strncmp(p, "---", 3) == 0 && (p[3] == '\n' || p[3] == '\r' || p[3] == '\0')) {
            yaml_end = p;
            break;
        }
        const char *nl = strchr(p, '\n');
        if (!nl)
            break;
        p = nl + 1;
        line++;
    }
    if (!yaml_end) {
        diag_error(diags, (srcpos){d->path, 1, 1}, "front-matter",
                   "front matter starts with '---' but has no closing '---' line");
        return false;
    }
    d->front =
        yaml_load_buffer(d->path, yaml_start, (size_t)(yaml_end - yaml_start), 2, NULL, diags);
    if (!d->front)
        return false;
    const ynode *root = d->front->root;
    if (root && root->kind != YNODE_MAP) {
        diag_error(diags, ynode_pos(root), "front-matter",
                   "front matter must be a mapping of keys");
        return false;
    }
    for (size_t i = 0; root && i < root->len; i++)
        if (!in_list(allowed, root->keys[i]->text))
            diag_error(diags, ynode_pos(root->keys[i]), "front-matter",
                       "unknown front-matter key '%s'", root->keys[i]->text);
    const char *nl = strchr(yaml_end, '\n');
    d->body_line = line + 1;
    d->source_body = nl ? nl + 1 : yaml_end + strlen(yaml_end);
    return true;
}

static const char *const CHAPTER_KEYS[] = {"id", "title", "audience", NULL};
static const char *const ANNEX_KEYS[] = {"id", "number", "title", "register", "audience", NULL};

static char *front_string(const document *d, const char *key, diag_sink *diags)
{
    const ynode *n = ynode_get(d->front ? d->front->root : NULL, key);
    if (!n)
        return NULL;
    if (n->kind != YNODE_SCALAR) {
        diag_error(diags, ynode_pos(n), "front-matter", "'%s' must be text", key);
        return NULL;
    }
    return xstrdup(n->text);
}

/* What the later stages need of d's Markdown tree (sections, directives,
 * links, text, what the visitor makes): from the store when it holds them
 * for this very input, else read from the tree (which then goes:
 * markdown/tree.h parses it again for the renderers) and kept in the store
 * when reading it told no diagnostic, so that an entry taken has none to
 * tell. */
static void read_tree(const site *s, document *d, int position, const site_visitor *visitor,
                      const site_doc_store *store, diag_sink *diags)
{
    bool stored = store && (!visitor || (visitor->save && visitor->load));
    strbuf what;
    sb_init(&what);
    if (stored) {
        docstore_what(d, position, s->config.numbering, visitor, &what);
        size_t len;
        char *data = store->get(store->ctx, what.data, what.len, &len);
        bool taken = data && docstore_load(d, visitor, data, len);
        free(data);
        if (taken) {
            sb_free(&what);
            return;
        }
    }
    diag_sink told = diag_child(diags);
    md_tree *tree = md_tree_parse(d);
    md_find_directives(d, tree->root, &told);
    md_number_document(d, tree->root, s->config.numbering, &told);
    md_scan_document(d, tree->root);
    if (visitor)
        visitor->visit(visitor->ctx, d, tree->root);
    diag_counts c = diag_get_counts(&told);
    if (stored && !c.errors && !c.warnings && !c.infos) {
        strbuf data;
        sb_init(&data);
        docstore_save(d, tree->root, visitor, &data);
        store->put(store->ctx, what.data, what.len, data.data, data.len);
        sb_free(&data);
    }
    md_tree_close(tree);
    sb_free(&what);
}

static document *load_document(const site *s, const char *path, const char *file_name,
                               document_kind kind, int position, const site_visitor *visitor,
                               const site_doc_store *store, diag_sink *diags)
{
    document *d = xcalloc(1, sizeof *d);
    d->kind = kind;
    d->path = xstrdup(path);
    d->slug = slug_from_file_name(file_name);
    d->number = position;
    vec_init(&d->sections, section_free);
    vec_init(&d->directives, directive_free);
    vec_init(&d->links, doc_link_free);

    size_t len;
    char *folder = fs_dirname(path);
    bool inside = srcfile_confined(path, folder, srcpos_file(path), diags);
    free(folder);
    if (!inside) {
        document_free(d);
        return NULL;
    }
    d->source = srcfile_read(path, MAX_DOCUMENT_BYTES, &len, "read", diags);
    if (!d->source || !srcfile_check_text(path, d->source, len, 1, diags)) {
        document_free(d);
        return NULL;
    }
    /* A byte-order mark, as some editors write, is not part of the text. */
    d->source_body = d->source + srcfile_bom(d->source, len);
    if (!read_front_matter(d, kind == DOCUMENT_ANNEX ? ANNEX_KEYS : CHAPTER_KEYS, diags)) {
        document_free(d);
        return NULL;
    }
    d->id = front_string(d, "id", diags);
    if (d->id && !check_plain_name(ynode_get(d->front->root, "id"), "id", d->id, diags)) {
        document_free(d);
        return NULL;
    }
    if (!d->id)
        d->id = xstrdup(d->slug);
    d->title = front_string(d, "title", diags);
    if (!d->title) {
        diag_error(diags, (srcpos){path, 1, 1}, "front-matter", "missing 'title' in front matter");
        d->title = xstrdup(d->slug);
    }
    char *aud = front_string(d, "audience", diags);
    d->audience = AUDIENCE_PUBLIC;
    if (aud && !audience_parse(aud, &d->audience))
        diag_error(diags, ynode_pos(ynode_get(d->front->root, "audience")), "front-matter",
                   "audience must be public, staff or internal, not '%s'", aud);
    free(aud);
    if (kind == DOCUMENT_ANNEX) {
        d->register_name = front_string(d, "register", diags);
        const ynode *num = ynode_get(d->front ? d->front->root : NULL, "number");
        long n;
        if (num && (!ynode_as_long(num, &n) || n < 1))
            diag_error(diags, ynode_pos(num), "front-matter",
                       "annex number must be a whole number from 1");
        else if (num)
            d->number = (int)n;
    }
    d->body_len = len - (size_t)(d->source_body - d->source);
    read_tree(s, d, position, visitor, store, diags);
    return d;
}

/* One Markdown file to load, and what became of it. */
typedef struct load_job {
    const site *site;
    const site_visitor *visitor;
    const site_doc_store *store;
    char *path;
    char *name;
    document_kind kind;
    int position;
    document *doc;   /* NULL when it could not be read */
    diag_sink diags; /* its diagnostics, held to be told in file order afterwards */
} load_job;

/* Lists every *.md of a folder in file-name order as jobs. A missing folder
 * is an empty list (a plan may have no annexes). Returns false when the
 * folder cannot be listed. */
static bool list_folder(const site *s, const char *sub, document_kind kind,
                        const site_visitor *visitor, const site_doc_store *store, vec *jobs,
                        diag_sink *diags)
{
    char *dir = fs_join(s->dir, sub);
    vec names;
    vec_init(&names, free);
    bool ok = true;
    if (fs_is_dir(dir) && !fs_list_dir(dir, &names)) {
        diag_error(diags, srcpos_file(dir), "read", "cannot list folder: %s", strerror(errno));
        ok = false;
    }
    int position = 0;
    for (size_t i = 0; i < names.len; i++) {
        const char *name = names.items[i];
        if (name[0] == '.' || !ends_with(name, ".md"))
            continue;
        load_job *job = xcalloc(1, sizeof *job);
        *job = (load_job){.site = s,
                          .visitor = visitor,
                          .store = store,
                          .path = fs_join(dir, name),
                          .name = xstrdup(name),
                          .kind = kind,
                          .position = ++position,
                          .diags = diag_buffered(diags)};
        vec_push(jobs, job);
    }
    vec_free(&names);
    free(dir);
    return ok;
}

static void load_job_run(void *ctx, int worker, size_t i)
{
    (void)worker;
    load_job *job = ((vec *)ctx)->items[i];
    job->doc = load_document(job->site, job->path, job->name, job->kind, job->position,
                             job->visitor, job->store, &job->diags);
}

/* Loads the chapters of plan/ and the annexes of annexes/, parsing on `jobs`
 * threads; diagnostics come out in file order, as from one thread. Returns
 * false when a folder or a file could not be read. */
static bool load_documents(site *s, int jobs, const site_visitor *visitor,
                           const site_doc_store *store, diag_sink *diags)
{
    vec pending;
    vec_init(&pending, NULL);
    bool ok = list_folder(s, "plan", DOCUMENT_CHAPTER, visitor, store, &pending, diags);
    ok = list_folder(s, "annexes", DOCUMENT_ANNEX, visitor, store, &pending, diags) && ok;
    parallel_for(pending.len, jobs > 0 ? jobs : parallel_cpu_count(), load_job_run, &pending);
    for (size_t i = 0; i < pending.len; i++) {
        load_job *job = pending.items[i];
        diag_replay(&job->diags);
        if (job->doc)
            vec_push(job->kind == DOCUMENT_CHAPTER ? &s->chapters : &s->annexes, job->doc);
        else
            ok = false;
        free(job->path);
        free(job->name);
        free(job);
    }
    vec_free(&pending);
    return ok;
}

static int cmp_annex_number(const void *a, const void *b)
{
    const document *x = *(document *const *)a, *y = *(document *const *)b;
    return x->number != y->number ? (x->number > y->number) - (x->number < y->number)
                                  : strcmp(x->path, y->path);
}

/* Ids are how everything else refers to a document: they must be unique. */
static void check_unique_ids(const vec *docs, const char *what, diag_sink *diags)
{
    map seen;
    map_init(&seen, NULL);
    for (size_t i = 0; i < docs->len; i++) {
        document *d = docs->items[i];
        document *first = map_get(&seen, d->id);
        if (first)
            diag_error(diags, (srcpos){d->path, 1, 1}, "duplicate-id",
                       "%s id '%s' is already used by %s", what, d->id, first->path);
        else
            map_set(&seen, d->id, d);
    }
    map_free(&seen);
}

/* The folders of a content folder that hold what it names. Each must lie
 * inside it, links resolved (the content folder itself may be a link). */
static const char *const CONTENT_FOLDERS[] = {"plan",        "annexes",  "registers", "evidence",
                                              "lua-plugins", "releases", "themes",    NULL};

static bool folders_inside(const site *s, diag_sink *diags)
{
    bool ok = true;
    for (const char *const *sub = CONTENT_FOLDERS; *sub; sub++) {
        char *path = fs_join(s->dir, *sub);
        ok = srcfile_confined(path, s->dir, srcpos_file(path), diags) && ok;
        free(path);
    }
    return ok;
}

site *site_load(const char *dir, diag_sink *diags)
{
    return site_load_jobs(dir, 0, diags);
}

/* The first ATX heading of Markdown text, without its #s; NULL if none. */
static char *first_heading(const char *text)
{
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        size_t hashes = 0;
        while (hashes < len && hashes < 6 && line[hashes] == '#')
            hashes++;
        if (hashes && hashes < len && (line[hashes] == ' ' || line[hashes] == '\t')) {
            const char *t = line + hashes;
            size_t n = len - hashes;
            while (n && (*t == ' ' || *t == '\t')) {
                t++;
                n--;
            }
            while (n && (t[n - 1] == ' ' || t[n - 1] == '\r' || t[n - 1] == '#'))
                n--;
            if (n)
                return xstrndup(t, n);
        }
        line = end ? end + 1 : NULL;
    }
    return NULL;
}

static void load_evidence_titles(site *s)
{
    vec files;
    vec_init(&files, NULL);
    registers_evidence_files(s->registers, AUDIENCE_INTERNAL, &files);
    for (size_t i = 0; i < files.len; i++) {
        const char *name = files.items[i];
        size_t len = strlen(name);
        if (len < 4 || strcmp(name + len - 3, ".md") != 0)
            continue;
        char *path = xasprintf("%s/evidence/%s", s->dir, name);
        char *text = fs_read_file(path, MAX_DOCUMENT_BYTES, NULL);
        char *title = text ? first_heading(text) : NULL;
        if (title)
            map_set(&s->evidence_titles, name, title);
        free(text);
        free(path);
    }
    vec_free(&files);
}

const char *site_evidence_title(const site *s, const char *path)
{
    return s && path ? map_get(&s->evidence_titles, path) : NULL;
}

site *site_load_jobs(const char *dir, int jobs, diag_sink *diags)
{
    return site_load_visiting(dir, jobs, NULL, diags);
}

site *site_load_visiting(const char *dir, int jobs, const site_visitor *visitor, diag_sink *diags)
{
    return site_load_stored(dir, jobs, visitor, NULL, diags);
}

site *site_load_stored(const char *dir, int jobs, const site_visitor *visitor,
                       const site_doc_store *store, diag_sink *diags)
{
    if (!fs_is_dir(dir)) {
        diag_error(diags, srcpos_file(dir), "missing", "content folder not found");
        return NULL;
    }
    site *s = xcalloc(1, sizeof *s);
    s->dir = xstrdup(dir);
    vec_init(&s->config.signatures, free);
    vec_init(&s->config.editions, free);
    for (int a = 0; a < 3; a++)
        vec_init(&s->config.hosting[a].allow, free);
    vec_init(&s->chapters, document_free);
    vec_init(&s->annexes, document_free);
    map_init(&s->revision_notes, free);
    map_init(&s->evidence_titles, free);
    if (!load_config(s, diags) || !folders_inside(s, diags)) {
        site_free(s);
        return NULL;
    }
    bool ok = load_documents(s, jobs, visitor, store, diags);
    if (!ok) {
        site_free(s);
        return NULL;
    }
    char *digest = fs_join(s->dir, "digest.md");
    if (fs_is_file(digest)) {
        s->digest =
            load_document(s, digest, "digest.md", DOCUMENT_DIGEST, 0, visitor, store, diags);
        ok = s->digest != NULL;
    }
    free(digest);
    if (!ok) {
        site_free(s);
        return NULL;
    }
    if (!s->chapters.len)
        diag_warning(diags, srcpos_file(s->dir), "empty", "no chapters in plan/");
    vec_sort(&s->annexes, cmp_annex_number);
    check_unique_ids(&s->chapters, "chapter", diags);
    check_unique_ids(&s->annexes, "annex", diags);
    md_number_footnotes(s);
    registers_load(s, diags);
    registers_check_site(s, diags);
    load_evidence_titles(s);
    return s;
}

void site_free(site *s)
{
    if (!s)
        return;
    free(s->dir);
    free(s->config_path);
    ydoc_free(s->config_doc);
    site_config *c = &s->config;
    free(c->org_name);
    free(c->org_short_name);
    free(c->org_parent);
    free(c->org_level);
    free(c->doc_id);
    free(c->doc_title);
    vec_free(&c->signatures);
    free(c->language);
    free(c->theme);
    for (int a = 0; a < 3; a++)
        free(c->edition_labels[a]);
    vec_free(&c->editions);
    for (int a = 0; a < 3; a++) {
        free(c->hosting[a].url);
        vec_free(&c->hosting[a].allow);
        free(c->hosting[a].auth_realm);
        free(c->hosting[a].auth_user_file);
    }
    free(c->announce_from);
    free(c->announce_to);
    free(c->announce_acknowledge);
    vec_free(&s->chapters);
    vec_free(&s->annexes);
    registers_free(s->registers);
    document_free(s->digest);
    map_free(&s->revision_notes);
    map_free(&s->evidence_titles);
    free(s);
}

const section *site_find_section(const site *s, const char *ref)
{
    const char *slash = strchr(ref, '/');
    size_t doc_len = slash ? (size_t)(slash - ref) : 0;
    const char *want = slash ? slash + 1 : ref;
    for (size_t i = 0; i < s->chapters.len; i++) {
        const document *d = s->chapters.items[i];
        if (slash && (strlen(d->id) != doc_len || strncmp(d->id, ref, doc_len) != 0))
            continue;
        if (!slash && strcmp(d->id, ref) == 0 && d->sections.len)
            return d->sections.items[0];
        for (size_t k = 1; k < d->sections.len; k++) {
            const section *sec = d->sections.items[k];
            if (strcmp(sec->id, want) == 0)
                return sec;
        }
    }
    return NULL;
}

const char *site_revision_note(const site *s, const char *version)
{
    return s && version ? map_get(&s->revision_notes, version) : NULL;
}

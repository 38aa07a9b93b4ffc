#include "release/bundle.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/build.h"
#include "content/site.h"
#include "core/fs.h"
#include "core/map.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "diag/diag.h"
#include "registers/registers.h"
#include "release/archive.h"
#include "release/release.h"
#include "release/zipwrite.h"

bool bundle_write_edition(const char *edition_dir, const char *zip_path, date stamp, size_t *files,
                          diag_sink *diags)
{
    zip_writer *z = zipw_new(diags);
    bool ok = zipw_add_tree(z, "", edition_dir, BUNDLE_MANIFEST);
    if (ok) {
        zipw_sort(z);
        strbuf sb;
        sb_init(&sb);
        size_t n = zipw_count(z);
        for (size_t i = 0; i < n; i++) {
            const zipw_entry *e = zipw_entry_at(z, i);
            if (strchr(e->name, '\n')) {
                diag_error(diags, srcpos_file(edition_dir), "zip",
                           "file name with a line break cannot be listed in " BUNDLE_MANIFEST);
                ok = false;
            }
            sb_printf(&sb, "%s  %s\n", e->sha256, e->name);
        }
        size_t len = sb.len;
        zipw_add(z, BUNDLE_MANIFEST, sb_take(&sb), len);
        ok = ok && zipw_write(z, zip_path, stamp, ZIPW_REPLACE);
        if (ok && files)
            *files = n;
    }
    zipw_free(z);
    return ok;
}

static bool has_edition(const site *s, const char *name)
{
    for (size_t i = 0; i < s->config.editions.len; i++)
        if (strcmp(s->config.editions.items[i], name) == 0)
            return true;
    return false;
}

bundle_result bundle_create(const bundle_options *opts, diag_sink *diags)
{
    diag_sink load = diag_child(diags); /* the content must load without an error */
    site *s = site_load(opts->content_dir, &load);
    if (!s || diag_has_errors(&load)) {
        site_free(s);
        return BUNDLE_CONTENT_ERROR;
    }
    if (opts->edition && !has_edition(s, opts->edition)) {
        strbuf list;
        sb_init(&list);
        for (size_t i = 0; i < s->config.editions.len; i++)
            sb_printf(&list, "%s%s", i ? ", " : "", (char *)s->config.editions.items[i]);
        diag_error(diags, srcpos_file(s->config_path), "bundle",
                   "no edition '%s' in site.yaml (editions: %s)", opts->edition,
                   list.data ? list.data : "");
        sb_free(&list);
        site_free(s);
        return BUNDLE_BAD_EDITION;
    }
    revision_info rev;
    if (!s->registers || !registers_current_revision(s->registers, &rev) || !rev.version) {
        char *path = fs_join(s->dir, "registers/revisions.yaml");
        diag_error(diags, srcpos_file(path), "bundle",
                   "no current version: a bundle is named by the last row of the revisions "
                   "register");
        free(path);
        site_free(s);
        return BUNDLE_CONTENT_ERROR;
    }
    const char *why = release_unsafe_version(rev.version);
    const char *doc_why =
        s->config.doc_id ? release_unsafe_version(s->config.doc_id) : "it is missing";
    if (why || doc_why) {
        if (why)
            diag_error(diags, register_row_pos(rev.row), "bundle",
                       "version '%s' cannot name a bundle file: %s", rev.version, why);
        if (doc_why)
            diag_error(diags, srcpos_file(s->config_path), "bundle",
                       "document id cannot name a bundle file: %s", doc_why);
        site_free(s);
        return BUNDLE_CONTENT_ERROR;
    }
    /* A draft has no date yet, perhaps: its zip entries get 1980-01-01. */
    date stamp = rev.has_date ? rev.date : (date){1980, 1, 1};

    bundle_result result = BUNDLE_OK;
    if (!opts->no_build) {
        build_options b = {.content_dir = opts->content_dir,
                           .output_dir = opts->output_dir,
                           .data_dir = opts->data_dir,
                           .today = opts->today,
                           .today_set = opts->today_set,
                           .strict = opts->strict,
                           .jobs = opts->jobs};
        switch (build_site(&b, diags)) {
        case BUILD_OK: break;
        case BUILD_CHECKS_FAILED: result = BUNDLE_CHECKS_FAILED; break;
        case BUILD_CONTENT_ERROR:
        case BUILD_USAGE_ERROR: result = BUNDLE_CONTENT_ERROR; break;
        }
    }
    for (size_t i = 0; result == BUNDLE_OK && i < s->config.editions.len; i++) {
        const char *edition = s->config.editions.items[i];
        if (opts->edition && strcmp(edition, opts->edition) != 0)
            continue;
        char *dir = fs_join(opts->output_dir, edition);
        char *zip = xasprintf("%s/dist/%s-%s-%s.zip", opts->output_dir, s->config.doc_id,
                              rev.version, edition);
        size_t files = 0;
        if (!fs_is_dir(dir)) {
            diag_error(diags, srcpos_file(dir), "bundle",
                       "no such folder: the build writes each edition into %s/<edition>/",
                       opts->output_dir);
            result = BUNDLE_CONTENT_ERROR;
        } else if (bundle_write_edition(dir, zip, stamp, &files, diags)) {
            printf("bundle: %s (%zu files)\n", zip, files);
        } else {
            result = BUNDLE_CONTENT_ERROR;
        }
        free(zip);
        free(dir);
    }
    fflush(stdout);
    site_free(s);
    return result;
}

/* ---- verify ---- */

static bool is_hex64(const char *s)
{
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
              (s[i] >= 'A' && s[i] <= 'F')))
            return false;
    return true;
}

verify_result bundle_verify(const char *zip_path, size_t *files_ok, diag_sink *diags)
{
    if (files_ok)
        *files_ok = 0;
    release_archive *a = release_open(zip_path, NULL, diags);
    if (!a)
        return VERIFY_FAILED;
    srcpos at = srcpos_file(zip_path);
    if (!release_find(a, BUNDLE_MANIFEST)) {
        diag_error(diags, at, "verify",
                   "no " BUNDLE_MANIFEST " in the zip: nothing to verify against");
        release_close(a);
        return VERIFY_FAILED;
    }
    size_t mlen;
    char *manifest = release_read(a, BUNDLE_MANIFEST, &mlen);
    if (!manifest) {
        release_close(a);
        return VERIFY_FAILED;
    }
    bool ok = true;
    size_t matched = 0;
    map listed;
    map_init(&listed, NULL);
    int lineno = 0;
    char *line = manifest;
    while (*line) {
        char *nl = strchr(line, '\n');
        char *next = nl ? nl + 1 : line + strlen(line);
        if (nl)
            *nl = '\0';
        lineno++;
        size_t n = strlen(line);
        if (n && line[n - 1] == '\r')
            line[--n] = '\0';
        /* `<64 hex>  <path>` (or `<64 hex> *<path>`, sha256sum's binary mode). */
        if (n < 67 || !is_hex64(line) || line[64] != ' ' || (line[65] != ' ' && line[65] != '*')) {
            diag_error(diags, at, "verify", BUNDLE_MANIFEST " line %d: not '<sha256>  <path>'",
                       lineno);
            ok = false;
        } else {
            const char *name = line + 66;
            line[64] = '\0';
            const release_entry *e = release_find(a, name);
            if (map_has(&listed, name)) {
                diag_error(diags, at, "verify", "%s: listed twice in " BUNDLE_MANIFEST, name);
                ok = false;
            } else if (!e || e->is_dir) {
                diag_error(diags, at, "verify",
                           "%s: missing (listed in " BUNDLE_MANIFEST ", not in the zip)", name);
                ok = false;
            } else {
                size_t len;
                char *data = release_read_entry(a, e, &len);
                if (!data) {
                    ok = false;
                } else {
                    char hex[HASH_SHA256_HEX_SIZE];
                    hash_sha256_hex(data, len, hex);
                    for (char *p = line; *p; p++)
                        if (*p >= 'A' && *p <= 'F')
                            *p = (char)(*p - 'A' + 'a');
                    if (strcmp(hex, line) == 0) {
                        matched++;
                    } else {
                        diag_error(diags, at, "verify", "%s: hash mismatch", name);
                        ok = false;
                    }
                    free(data);
                }
            }
            map_set(&listed, name, NULL);
        }
        line = next;
    }
    for (size_t i = 0; i < release_entry_count(a); i++) {
        const release_entry *e = release_entry_at(a, i);
        if (e->is_dir || strcmp(e->name, BUNDLE_MANIFEST) == 0 || map_has(&listed, e->name))
            continue;
        diag_error(diags, at, "verify", "%s: extra file (in the zip, not in " BUNDLE_MANIFEST ")",
                   e->name);
        ok = false;
    }
    map_free(&listed);
    free(manifest);
    release_close(a);
    if (files_ok)
        *files_ok = matched;
    return ok ? VERIFY_OK : VERIFY_FAILED;
}

#include "release/release.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build/build.h"
#include "content/site.h"
#include "core/fs.h"
#include "core/interrupt.h"
#include "core/strbuf.h"
#include "core/value.h"
#include "core/xalloc.h"
#include "diag/diag.h"
#include "registers/registers.h"

const char *release_unsafe_version(const char *version)
{
    size_t n = strlen(version);
    if (n == 0)
        return "it is empty";
    if (n > 64)
        return "it is longer than 64 bytes";
    if (version[0] == '.')
        return "it starts with '.'";
    for (const char *p = version; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return "it has a control character";
        if (*p == '/' || *p == '\\')
            return "it has a slash or a backslash";
    }
    return NULL;
}

char *release_manifest_json(const release_manifest_info *info, zip_writer *z)
{
    char day[16];
    value *m = value_map();
    value_map_set_string(m, "schema", RELEASE_MANIFEST_SCHEMA);
    value_map_set_string(m, "document", info->document ? info->document : "");
    value_map_set_string(m, "title", info->title ? info->title : "");
    value_map_set_string(m, "organization", info->organization ? info->organization : "");
    value_map_set_string(m, "version", info->version ? info->version : "");
    date_format_iso(info->date, day, sizeof day);
    value_map_set_string(m, "date", day);
    value_map_set_string(m, "approver", info->approver ? info->approver : "");
    date_format_iso(info->built, day, sizeof day);
    value_map_set_string(m, "built", day);
    value *eds = value_list();
    for (size_t i = 0; i < info->n_editions; i++)
        value_list_push(eds, value_string(info->editions[i]));
    value_map_set(m, "editions", eds);
    zipw_sort(z);
    value *files = value_list();
    for (size_t i = 0; i < zipw_count(z); i++) {
        const zipw_entry *e = zipw_entry_at(z, i);
        value *f = value_map();
        value_map_set_string(f, "path", e->name);
        value_map_set_number(f, "size", (double)e->len);
        value_map_set_string(f, "sha256", e->sha256);
        value_list_push(files, f);
    }
    value_map_set(m, "files", files);
    strbuf sb;
    sb_init(&sb);
    value_append_json(&sb, m, true);
    sb_appendc(&sb, '\n');
    value_unref(m);
    return sb_take(&sb);
}

void release_summary_free(release_summary *summary)
{
    if (!summary)
        return;
    free(summary->path);
    free(summary->version);
    memset(summary, 0, sizeof *summary);
}

/* The revision to release, or false after the diagnostics at its row. */
static bool releasable(const site *s, revision_info *rev, const char **approver, diag_sink *diags)
{
    if (!s->registers || !registers_current_revision(s->registers, rev)) {
        char *path = fs_join(s->dir, "registers/revisions.yaml");
        diag_error(diags, srcpos_file(path), "release",
                   "no revisions to release: the current version is the last row of the "
                   "revisions register");
        free(path);
        return false;
    }
    srcpos at = register_row_pos(rev->row);
    const char *version = rev->version;
    if (!version || !*version) {
        diag_error(diags, at, "release", "the last revision has no version");
        return false;
    }
    bool ok = true;
    const char *why = release_unsafe_version(version);
    if (why) {
        diag_error(diags, at, "release", "version '%s' cannot name a release file: %s", version,
                   why);
        ok = false;
    }
    if (!rev->approved) {
        const char *status = register_cell_text(register_row_cell(rev->row, "status"));
        diag_error(diags, at, "release",
                   "revision %s is not approved (status: %s): only an approved revision can be "
                   "released",
                   version, status ? status : "none");
        ok = false;
    }
    *approver = register_cell_text(register_row_cell(rev->row, "approver"));
    if (!*approver || !**approver) {
        diag_error(diags, at, "release",
                   "revision %s has no approver: a release records who approved it", version);
        ok = false;
    }
    if (!rev->has_date) {
        diag_error(diags, at, "release",
                   "revision %s has no date: a release is dated by its revision", version);
        ok = false;
    }
    return ok;
}

static void fill_summary(release_summary *summary, const char *path, const char *version,
                         size_t files)
{
    memset(summary, 0, sizeof *summary);
    summary->path = xstrdup(path);
    summary->version = xstrdup(version);
    summary->files = files;
    size_t len = 0;
    char *data = fs_read_file(path, (size_t)1 << 31, &len);
    summary->bytes = len;
    hash_sha256_hex(data ? data : "", data ? len : 0, summary->sha256);
    free(data);
}

release_result release_create(const release_options *opts, release_summary *summary,
                              diag_sink *diags)
{
    diag_sink load = diag_child(diags); /* the content must load without an error */
    site *s = site_load(opts->content_dir, &load);
    if (!s || diag_has_errors(&load)) {
        site_free(s);
        return RELEASE_CONTENT_ERROR;
    }
    revision_info rev;
    const char *approver = NULL;
    if (!releasable(s, &rev, &approver, diags)) {
        site_free(s);
        return RELEASE_REFUSED;
    }
    char *zip_path = release_zip_path(opts->content_dir, rev.version);
    struct stat st;
    if (lstat(zip_path, &st) == 0) {
        diag_error(diags, srcpos_file(zip_path), "release",
                   "%s is already released, and a released zip is never modified (add a "
                   "revisions row for the next version)",
                   rev.version);
        free(zip_path);
        site_free(s);
        return RELEASE_REFUSED;
    }

    /* Build into a temporary folder inside releases/, which the content
     * part leaves out, on the same file system as the zip. */
    release_result result = RELEASE_CONTENT_ERROR;
    char *releases = fs_join(opts->content_dir, "releases");
    char *tmp = NULL;
    if (!fs_mkdir_p(releases)) {
        diag_error(diags, srcpos_file(releases), "release", "cannot create folder: %s",
                   strerror(errno));
        goto done;
    }
    tmp = fs_join(releases, ".release-XXXXXX");
    if (!mkdtemp(tmp)) {
        diag_error(diags, srcpos_file(releases), "release", "cannot create a temporary folder: %s",
                   strerror(errno));
        free(tmp);
        tmp = NULL;
        goto done;
    }
    interrupt_guard(tmp); /* inside the content folder: never left behind */
    char *site_dir = fs_join(tmp, "site");
    date today = opts->today_set ? opts->today : date_today();
    build_options b = {.content_dir = opts->content_dir,
                       .output_dir = site_dir,
                       .data_dir = opts->data_dir,
                       .today = today,
                       .today_set = true,
                       .strict = !opts->force,
                       .jobs = opts->jobs};
    build_result built = build_site(&b, diags);
    if (built == BUILD_CHECKS_FAILED) {
        diag_error(diags, srcpos_file(NULL), "release",
                   "%s not released: the checks found error-level flags (above); fix them, or "
                   "release anyway with --force",
                   rev.version);
        result = RELEASE_CHECKS_FAILED;
    } else if (built == BUILD_OK) {
        zip_writer *z = zipw_new(diags);
        if (zipw_add_tree(z, "content/", opts->content_dir, "releases") &&
            zipw_add_tree(z, "site/", site_dir, NULL)) {
            release_manifest_info info = {
                .document = s->config.doc_id,
                .title = s->config.doc_title,
                .organization = s->config.org_name,
                .version = rev.version,
                .approver = approver,
                .date = rev.date,
                .built = today,
                .editions = (const char *const *)s->config.editions.items,
                .n_editions = s->config.editions.len,
            };
            char *manifest = release_manifest_json(&info, z);
            zipw_add(z, "manifest.json", manifest, strlen(manifest));
            if (zipw_write(z, zip_path, rev.date, ZIPW_EXCLUSIVE)) {
                result = RELEASE_OK;
                if (summary)
                    fill_summary(summary, zip_path, rev.version, zipw_count(z));
            }
        }
        zipw_free(z);
    }
    free(site_dir);
done:
    if (tmp) {
        fs_remove_tree(tmp);
        interrupt_release(tmp);
    }
    /* Leave no empty releases/ behind a failed first release. */
    if (result != RELEASE_OK)
        rmdir(releases);
    free(tmp);
    free(releases);
    free(zip_path);
    site_free(s);
    return result;
}

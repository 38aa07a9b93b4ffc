/* `policygen release`: freezes the current version of the plan into
 * content/releases/<version>.zip. The current version is the last row of
 * the revisions register; it must be approved, with an approver and a date.
 *
 * The zip (deterministic, see zipwrite.h; every entry dated with the
 * revision's date) holds
 *   content/...     every file of the content folder as it is, except releases/
 *   site/...        the rendered site (build_site into a temporary folder)
 *   manifest.json   what was released: see release_manifest_json
 * and is never modified once written: an existing <version>.zip is refused. */
#ifndef POLICYGEN_RELEASE_RELEASE_H
#define POLICYGEN_RELEASE_RELEASE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/date.h"
#include "release/archive.h"
#include "release/zipwrite.h"

/* manifest.json's "schema". */
#define RELEASE_MANIFEST_SCHEMA "policygen-release/1"

typedef struct release_options {
    const char *content_dir;
    const char *data_dir; /* the shipped themes/ and lua-plugins/ */
    date today;           /* for the build's rules */
    bool today_set;
    bool force; /* release even when the checks find error-level flags */
    int jobs;   /* rendering threads; 0: one per processor */
} release_options;

typedef enum release_result {
    RELEASE_OK,
    RELEASE_CHECKS_FAILED, /* error-level flags (or a failed rule) and no --force */
    RELEASE_REFUSED,       /* not approved, no approver or date, or already released */
    RELEASE_CONTENT_ERROR, /* the content could not be loaded or built, or a write failed */
} release_result;

typedef struct release_summary {
    char *path;                        /* the zip written; the caller frees */
    char *version;                     /* the caller frees */
    size_t files;                      /* entries, manifest.json included */
    size_t bytes;                      /* the zip's size */
    char sha256[HASH_SHA256_HEX_SIZE]; /* of the zip */
} release_summary;

/* Refusals are diagnostics: a revision that cannot be released at the
 * revisions row's place, an existing zip at its path. summary (may be NULL)
 * is filled on RELEASE_OK; free it with release_summary_free. */
release_result release_create(const release_options *opts, release_summary *summary,
                              diag_sink *diags);
void release_summary_free(release_summary *summary);

/* manifest.json for the entries of z (sorted; manifest.json itself not among
 * them), two-space indented, ending in a newline; the caller frees:
 *   { "schema": "policygen-release/1", "document": "isms-plan",
 *     "title": "資通安全維護計畫", "organization": "…", "version": "V1.1",
 *     "date": "2025-03-02", "approver": "校長", "built": "2026-05-01",
 *     "editions": ["public", …],
 *     "files": [ { "path": "content/site.yaml", "size": 412, "sha256": "…" }, … ] }
 * "built" is the date the build's rules measured against. */
typedef struct release_manifest_info {
    const char *document, *title, *organization, *version, *approver;
    date date, built;
    const char *const *editions;
    size_t n_editions;
} release_manifest_info;
char *release_manifest_json(const release_manifest_info *info, zip_writer *z);

/* A version usable as a file name: not empty, at most 64 bytes, no '/',
 * '\\', control characters or leading '.'. NULL when fine, else why not. */
const char *release_unsafe_version(const char *version);

#endif

/* Publishing bundles and their verification.
 *
 * `policygen bundle` builds the site into OUT (one folder per edition,
 * OUT/<edition>/) and zips each edition's folder into
 * OUT/dist/<document-id>-<version>-<edition>.zip: the edition's files at the
 * top of the zip, deterministic (zipwrite.h; dated with the current
 * revision's date), with MANIFEST.sha256 beside them: one line
 * `<sha256>  <path>` per file, sorted by path, the format `sha256sum -c`
 * reads.
 *
 * `policygen verify` reads a bundle safely (archive.h) and checks every
 * line of its MANIFEST.sha256 against the entries. */
#ifndef POLICYGEN_RELEASE_BUNDLE_H
#define POLICYGEN_RELEASE_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/date.h"
#include "diag/diag.h"

#define BUNDLE_MANIFEST "MANIFEST.sha256"

typedef struct bundle_options {
    const char *content_dir;
    const char *output_dir;
    const char *data_dir;
    const char *edition; /* NULL: every edition of site.yaml */
    date today;
    bool today_set;
    bool strict;   /* error-level flags fail the build (and no bundle is written) */
    bool no_build; /* zip the OUT/<edition>/ folders as they are */
    int jobs;
} bundle_options;

typedef enum bundle_result {
    BUNDLE_OK,
    BUNDLE_CHECKS_FAILED, /* --strict and the rules found errors */
    BUNDLE_BAD_EDITION,   /* --edition names no edition of site.yaml */
    BUNDLE_CONTENT_ERROR, /* the content could not be built, an edition folder is missing, a write
                             failed */
} bundle_result;

/* Prints `bundle: PATH (N files)` on stdout for each zip written. */
bundle_result bundle_create(const bundle_options *opts, diag_sink *diags);

/* Zips one edition folder into zip_path (replacing it), with MANIFEST.sha256
 * (a file of that name in the folder is replaced by the generated one).
 * files (may be NULL) gets the number of files listed. False after a
 * diagnostic. */
bool bundle_write_edition(const char *edition_dir, const char *zip_path, date stamp, size_t *files,
                          diag_sink *diags);

typedef enum verify_result {
    VERIFY_OK,
    VERIFY_FAILED, /* a mismatch, a missing or extra file, a bad manifest, an unsafe zip */
} verify_result;

/* One diagnostic per problem, at the zip's path, coded [verify]:
 *   PATH: hash mismatch
 *   PATH: missing (listed in MANIFEST.sha256, not in the zip)
 *   PATH: extra file (in the zip, not in MANIFEST.sha256)
 * (an entry that cannot be read is reported by the reader, [zip]). files_ok
 * (may be NULL) gets the number of files whose hash matched. */
verify_result bundle_verify(const char *zip_path, size_t *files_ok, diag_sink *diags);

#endif

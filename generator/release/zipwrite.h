/* Writing zips deterministically (libzip): the same entries give the same
 * bytes, whatever the files' own times, modes, order on disk, the folder
 * they are written to, or the time zone.
 *
 * - entries sorted by name (bytewise), files only (no folder entries);
 * - every entry stamped with one date at 12:00:00 DOS time (noon, so that
 *   libzip's local-time round trip cannot fall into a daylight-saving gap);
 * - Unix permissions 0644 (external attributes 0100644 << 16);
 * - deflate at libzip's default level; no extra fields, no comments.
 * A written zip is opened again with release_open (archive.h) before it is
 * put in place, so every zip this writes is one the safe reader accepts. */
#ifndef POLICYGEN_RELEASE_ZIPWRITE_H
#define POLICYGEN_RELEASE_ZIPWRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/date.h"
#include "release/archive.h"
#include "release/hash.h"

typedef struct zipw_entry {
    char *name;
    char *data; /* owned */
    size_t len;
    char sha256[HASH_SHA256_HEX_SIZE];
} zipw_entry;

typedef struct zip_writer zip_writer;

zip_writer *zipw_new(diag_sink *diags);
void zipw_free(zip_writer *z);

/* Adds an entry; takes over data (malloc'd, may be NULL when len is 0). */
void zipw_add(zip_writer *z, const char *name, char *data, size_t len);
/* Adds every regular file below dir as prefix + its path below dir ("site/"
 * + "plan/basis.html"). skip_top (may be NULL) names a top-level entry of dir
 * to leave out ("releases"). A symbolic link, a special file or a file over
 * the per-entry limit is an error with its path; false after it. */
bool zipw_add_tree(zip_writer *z, const char *prefix, const char *dir, const char *skip_top);

/* Sorts the entries by name; then the accessors list them in zip order. */
void zipw_sort(zip_writer *z);
size_t zipw_count(const zip_writer *z);
const zipw_entry *zipw_entry_at(const zip_writer *z, size_t i);

typedef enum zipw_mode {
    ZIPW_REPLACE,   /* an existing file is replaced (atomically) */
    ZIPW_EXCLUSIVE, /* an existing file is never touched: an error */
} zipw_mode;

/* Writes the zip to path through a temporary file beside it. Refuses names
 * that are not safe (archive.h), duplicates, and more than the default
 * limits of release_default_limits(). false after a diagnostic; nothing is
 * left at path unless it was written completely. */
bool zipw_write(zip_writer *z, const char *path, date stamp, zipw_mode mode);

/* The DOS date and time written for stamp (years before 1980 give
 * 1980-01-01, after 2107 give 2107-12-31), for tests. */
void zipw_dos_time(date stamp, unsigned short *dos_time, unsigned short *dos_date);

#endif

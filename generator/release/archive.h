/* Reading zips safely: release zips (content/releases/<version>.zip) and publishing
 * bundles. release_open reads the central directory itself, checks every
 * entry before any data is read, and only then hands the file to libzip,
 * whose view must agree with its own (same entries, names and sizes).
 *
 * Refused, each with one diagnostic `ZIP: error: entry 'NAME': ... [zip]`:
 * - a name that could leave its folder: absolute ("/x"), a ".." component,
 *   a backslash, a NUL byte, a control character, an empty or "." component,
 *   longer than 1,024 bytes; two entries with the same name, or an entry
 *   inside another entry that is a file;
 * - a symbolic link (Unix mode S_IFLNK in the external attributes) or any
 *   other entry that is neither a regular file nor a folder;
 * - encryption, and compression other than stored and deflate;
 * - declared sizes and counts over the limits, and a declared compression
 *   ratio over the limit (a 10 GB entry is refused from its directory
 *   record, before anything is inflated).
 * Reading then checks that each entry inflates to exactly its declared size
 * (and libzip checks its CRC), so the declared sizes bound the memory used. */
#ifndef POLICYGEN_RELEASE_ARCHIVE_H
#define POLICYGEN_RELEASE_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/vec.h"
#include "diag/diag.h"

typedef struct release_limits {
    uint64_t max_total;   /* the declared sizes of all entries together */
    uint64_t max_entry;   /* one entry's declared size */
    size_t max_entries;   /* entries, folders included */
    uint64_t max_ratio;   /* declared size / compressed size ... */
    uint64_t ratio_floor; /* ... checked for entries larger than this */
} release_limits;

/* 256 MiB in all, 64 MiB an entry, 20,000 entries, ratio 200 above 1 MiB. */
release_limits release_default_limits(void);

typedef struct release_entry {
    char *name;         /* as stored; checked as above */
    bool is_dir;        /* the name ends in '/' */
    uint64_t size;      /* declared, uncompressed */
    uint64_t comp_size; /* declared, compressed */
    uint32_t crc;
    uint16_t method; /* 0 stored, 8 deflate */
    uint64_t index;  /* position in the zip's directory */
} release_entry;

typedef struct release_archive release_archive;

/* Opens and checks path. NULL after one diagnostic per problem found (all
 * of them, not only the first). limits NULL: release_default_limits().
 * Reading and extracting tell their problems to diags too. */
release_archive *release_open(const char *path, const release_limits *limits, diag_sink *diags);
void release_close(release_archive *a);

const char *release_archive_path(const release_archive *a);
/* The entries in directory order, folders included. Borrowed. */
size_t release_entry_count(const release_archive *a);
const release_entry *release_entry_at(const release_archive *a, size_t i);
/* The entry of that exact name, or NULL. */
const release_entry *release_find(const release_archive *a, const char *name);

/* The entry's bytes (NUL-terminated; *len excludes the NUL); the caller
 * frees. NULL with a diagnostic naming the zip and the entry when it is a
 * folder, inflates to another size than it declares, or fails its CRC. */
char *release_read_entry(release_archive *a, const release_entry *e, size_t *len);
/* The same by name; a missing entry is a diagnostic too. */
char *release_read(release_archive *a, const char *name, size_t *len);

/* Writes every file entry whose name starts with prefix ("content/"; "" for
 * all) below dest, the prefix taken off: dest/site.yaml for
 * content/site.yaml. dest must be missing or an empty folder; files are
 * created 0644 (never through an existing path). files (may be NULL) gets
 * the number written. False with a diagnostic on the first failure (what was
 * written stays: remove dest). */
bool release_extract(release_archive *a, const char *prefix, const char *dest, size_t *files);

/* ---- the releases of a content folder ---- */

/* Orders versions as people read them: runs of digits by value, the rest
 * bytewise, so V1.0 < V1.1 < V1.9 < V1.10 < V2.0. A total order (ties are
 * broken bytewise). */
int release_version_compare(const char *a, const char *b);
/* content_dir/releases/VERSION.zip; the caller frees. */
char *release_zip_path(const char *content_dir, const char *version);
/* The versions released in content_dir/releases/ (each VERSION.zip that is a
 * regular file or a link to one inside releases/, names starting with '.'
 * skipped), sorted by release_version_compare, appended to out as char*
 * (initialise out with free). No releases/ folder is no versions; false
 * after a diagnostic when the folder exists but cannot be read or a zip is
 * a link out of it (the others are still listed). */
bool release_list_versions(const char *content_dir, vec *out, diag_sink *diags);

#endif

/* The build cache: what a build made, kept for the next build of the same
 * output, keyed by SHA-256 hashes of what it was made from (never by time
 * stamps).
 *
 * A cache is a folder (by default beside the output folder:
 * cache_dir_for) that the program made and marked (CACHE_MARKER); one it
 * did not make is never used, written or pruned. It holds
 *  - entries (e/<key>): bytes stored under a key (cache_put, cache_get).
 *    Each is written to a temporary name and renamed, and carries the
 *    SHA-256 of its bytes: a truncated or corrupt entry is ignored (and
 *    removed), never used. cache_close prunes, when asked, the entries the
 *    build did not use.
 *  - build records (r-<hash of the output folder's path>): the key of a
 *    build's inputs, its exit status, its stderr and the state of the
 *    output folder it left (cache_record). A build with the same inputs
 *    whose output is as it was left tells the same and does nothing else
 *    (cache_replay).
 * cache/rebuild.h runs a build with them; cache/pdfs.h keeps its PDFs. */
#ifndef POLICYGEN_CACHE_H
#define POLICYGEN_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag/diag.h"

#define CACHE_MARKER ".policygen-cache"
#define CACHE_KEY_SIZE 65 /* 64 hex digits and a NUL */

/* The cache of an output folder: ".NAME.policygen-cache" beside it (the
 * caller frees). */
char *cache_dir_for(const char *output_dir);

/* A running SHA-256 over a build's inputs. */
typedef struct cache_hasher cache_hasher;
struct map;

cache_hasher *cache_hasher_new(void);
/* A labelled string (the label keeps fields apart). */
void cache_hash_str(cache_hasher *h, const char *label, const char *value);
void cache_hash_bytes(cache_hasher *h, const void *data, size_t len);
/* Every file below dir: names, kinds and bytes, in name order (a missing
 * folder hashes as missing). Links are followed to files (their text and
 * where they lead are hashed too); a link to a folder or anything else
 * that is not a file or folder makes the tree unhashable: false, and the
 * build is not cached. VCS folders (.git, .hg, .svn) are skipped: no build
 * reads them. */
bool cache_hash_tree(cache_hasher *h, const char *label, const char *dir, const struct map *skip);
/* One file's bytes ("missing" when there is none); false when it cannot be read. */
bool cache_hash_file(cache_hasher *h, const char *label, const char *path);
/* The program: its executable's bytes, and which shared libraries (path,
 * device and inode) and which versions of them it runs with. */
bool cache_hash_program(cache_hasher *h);
/* The key, and frees the hasher. */
void cache_hasher_finish(cache_hasher *h, char key[CACHE_KEY_SIZE]);

typedef struct cache cache;

/* Opens the cache folder dir, making it (and its marker) when it does not
 * exist; NULL, after a warning to diags, when dir exists and is not a cache
 * the program made, or cannot be made. */
cache *cache_open(const char *dir, diag_sink *diags);
/* Prunes (when prune) the entries this build did not use, then frees c. */
void cache_close(cache *c, bool prune);
/* A folder name inside c's folder (caller frees): a cache of its own there
 * (cache_open) keeps entries that are pruned on other terms. */
char *cache_inner_dir(const cache *c, const char *name);

/* cache_get, cache_keep and cache_put may be called from several threads
 * at once (the load takes documents on its threads: cache/docs.h); the
 * rest of a cache is one thread's. */

/* The bytes stored under key (malloc'd, *len set), or NULL when there are
 * none or they are damaged. Marks the entry used. */
char *cache_get(cache *c, const char *key, size_t *len);
/* Marks the entry of key used (a worker process got it). */
void cache_keep(cache *c, const char *key);
/* Stores data under key, atomically; marks it used. False when it could
 * not be written (the build goes on without it). */
bool cache_put(cache *c, const char *key, const void *data, size_t len);

/* When the last build into output_dir had this key and left output_dir as
 * it is now (every entry's kind, mode, size, inode and times; untouched
 * when that build wrote nothing), writes that build's stderr to stderr,
 * sets *result to its result and returns true. */
bool cache_replay(cache *c, const char *output_dir, const char *key, int *result);
/* Records a build into output_dir: its key, result and stderr, and, when
 * it wrote the output (wrote), the output folder's state now. */
void cache_record(cache *c, const char *output_dir, const char *key, int result, bool wrote,
                  const char *err, size_t err_len);

/* Removes the record of output_dir: no build into it is told again. */
void cache_unrecord(cache *c, const char *output_dir);
/* Forgets what this build used and made (the entries it got, kept or put)
 * and the record of output_dir: a build whose inputs changed while it ran. */
void cache_forget(cache *c, const char *output_dir);

/* What this process writes to stderr (the stdio stream) from now on is also
 * kept, until cache_capture_end, which returns it (malloc'd, *len set). */
void cache_capture_begin(void);
char *cache_capture_end(size_t *len);

#endif

/* Watching folders for changes with inotify: every folder below the roots,
 * and the ones made later, which are watched as soon as they appear. */
#ifndef POLICYGEN_SERVE_WATCH_H
#define POLICYGEN_SERVE_WATCH_H

#include <stdbool.h>

#include "diag/diag.h"

typedef struct serve_watch serve_watch;

/* NULL (with errno) when inotify is not available. Folders that cannot be
 * watched are told to diags. */
serve_watch *serve_watch_new(diag_sink *diags);
/* Watches root and every folder below it but hidden ones (.git); a root
 * that does not exist is skipped (true). False, with a diagnostic, when a
 * folder cannot be watched (e.g. the inotify watch limit). */
bool serve_watch_add(serve_watch *w, const char *root);
/* The descriptor to poll for reading. */
int serve_watch_fd(const serve_watch *w);
/* Reads the pending events and watches new folders. Returns the number of
 * changes, and in *changed (when not NULL and not set yet) the path of the
 * first, which the caller frees. Hidden files (an editor's swap and lock
 * files, .git) and backups ending in '~' are not changes: the content loader
 * reads neither. */
int serve_watch_read(serve_watch *w, char **changed);
void serve_watch_free(serve_watch *w);

#endif

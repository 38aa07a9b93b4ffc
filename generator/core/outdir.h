/* Atomic output: a build writes into a fresh folder beside the target and
 * swaps it in only when everything succeeded, so a failed build leaves the
 * previous output untouched. */
#ifndef POLICYGEN_OUTDIR_H
#define POLICYGEN_OUTDIR_H

#include <stdbool.h>
#include <stddef.h>

#include "diag/diag.h"

/* The file at the top of every output folder: a later build may replace a
 * folder that holds it, and no other (but an empty one). */
#define OUTDIR_MARKER ".policygen-output"

/* The spare beside the output folder: for -o site, .site.policygen-spare in
 * the same folder. It is the output before the previous one, kept by the
 * commit, and the next build writes over it (its unchanged files are links
 * to the previous output's, so they are in place already). Not for serving;
 * deleting it between builds is safe. */
#define OUTDIR_SPARE ".policygen-spare"
char *outdir_spare_path(const char *target);

/* Why target may not be an output folder, or NULL when it may. A build
 * replaces the whole folder, so it may not be, contain or lie inside any of
 * the n protected folders (the content, the program's data), may not be or
 * contain the home folder or the current folder (and so not be "/"), and,
 * when it exists and holds anything, must be one a build made (it holds
 * OUTDIR_MARKER). Paths are compared after resolving symbolic links. The
 * caller frees. */
char *outdir_refusal(const char *target, const char *const *protect, size_t n);

/* The modes of a part of the output (an edition's folder). */
typedef struct outdir_modes {
    char *subdir;
    unsigned files, folders; /* e.g. 0640, 0750 */
} outdir_modes;

#define OUTDIR_MAX_MODES 8

typedef struct outdir_inherited outdir_inherited;

typedef struct outdir {
    char *target;  /* the output folder to replace */
    char *staging; /* target.tmp-XXXXXX, made from the spare when there is one */
    outdir_inherited *inherited; /* what the spare held, or NULL */
    int lock_fd;   /* the staging marker, locked while this build runs */
    unsigned umask; /* the process's, read once at outdir_begin */
    outdir_modes modes[OUTDIR_MAX_MODES];
    size_t n_modes;
    bool fresh;    /* made by outdir_begin_new */
    bool failed;   /* a write failed (a diagnostic was emitted) */
    diag_sink *diags; /* where its failures are told (the caller's) */
} outdir;

/* Whether a staging folder of target (target.tmp-XXXXXX) exists: one a
 * build left (outdir_begin removes it, and says so) or a build's that runs. */
bool outdir_has_staging(const char *target);
/* Creates the staging folder (from the spare, OUTDIR_SPARE, when there is
 * one); false (with a diagnostic) when it cannot.
 * The staging folder holds OUTDIR_MARKER, which this process keeps locked
 * (fcntl) until commit or abort, and it is removed if the process is
 * interrupted (core/interrupt.h). First, staging folders of this target that
 * an earlier build left (killed outright) are removed: target.tmp-XXXXXX
 * folders, not links, holding a marker that no process holds locked; nothing
 * else is touched. */
bool outdir_begin(outdir *od, const char *target, diag_sink *diags);
/* Likewise for a folder that is new, not an output (policygen new): the
 * staging folder gets no OUTDIR_MARKER (nor sweeps others), and
 * outdir_commit moves it, or its entries into an empty folder already there,
 * into place without ever replacing anything that came to be there
 * meanwhile. */
bool outdir_begin_new(outdir *od, const char *target, diag_sink *diags);
/* Every file below staging/subdir gets mode files and every folder mode
 * folders, whatever the umask (applied at commit; subdir is made now with
 * its mode, so nothing in it can be read by others meanwhile). Files of
 * the previous output are linked only when they already have the mode. */
bool outdir_set_modes(outdir *od, const char *subdir, unsigned files, unsigned folders);
/* The mode outdir_set_modes gives staging/relpath, or 0 when none was set. */
unsigned outdir_file_mode(const outdir *od, const char *relpath);
/* The modes new files and folders get (0666 and 0777 less the umask). */
unsigned outdir_new_file_mode(const outdir *od);
unsigned outdir_new_folder_mode(const outdir *od);
/* Writes staging/relpath, creating folders. Reports and remembers failure. */
bool outdir_write(outdir *od, const char *relpath, const char *data, size_t len);
bool outdir_write_string(outdir *od, const char *relpath, const char *text);
/* Whether the previous output's relpath holds these bytes, with the mode
 * the file would get: then outdir_write links it instead of writing it.
 * It only reads, so any thread may ask (a page's rendering thread, while
 * one thread writes). */
bool outdir_unchanged(const outdir *od, const char *relpath, const char *data, size_t len);
/* outdir_write of bytes outdir_unchanged has compared already: linked when
 * it said unchanged (and written, should the link fail). */
bool outdir_write_compared(outdir *od, const char *relpath, const char *data, size_t len,
                           bool unchanged);
/* A file written in pieces, for one too big to hold whole (an edition's
 * search index): staging/relpath as outdir_write makes it, folders too, and
 * linked to the previous output's file instead when that holds the same
 * bytes (compared as they are written, and written only once they differ
 * or the file cannot be linked) with the mode it would get. Each
 * failure is reported and remembered (od->failed): open returns NULL, close
 * false, also after a failed write. */
typedef struct outdir_file outdir_file;
outdir_file *outdir_open(outdir *od, const char *relpath);
bool outdir_file_write(outdir_file *f, const char *data, size_t len);
bool outdir_file_close(outdir_file *f);
/* A file written into the staging folder by other means (a PDF, by a
 * worker process), told to outdir as the build's own (the sweep leaves it):
 * when the previous output's relpath holds the same bytes with the mode it
 * would get, that file takes its place, as outdir_write links one: an
 * unchanged PDF keeps its time stamp. Whether it did. Every file written
 * other than by outdir_write, outdir_open and outdir_copy must be told. */
bool outdir_settle(outdir *od, const char *relpath);
/* Copies a file into the staging folder. */
bool outdir_copy(outdir *od, const char *relpath, const char *from);
/* The staging path of relpath (the caller frees), for writers that need a file name. */
char *outdir_path(const outdir *od, const char *relpath);
/* What the staging folder held when it was taken from the spare and this
 * build neither wrote nor kept, below subdir (NULL: anywhere), removed; its
 * folders left empty too. Before anything reads subdir as the output (the
 * leak check), once every file of it is written: a file written there later
 * is the build's own and stays. The commit sweeps what is left. Every
 * writer into the staging folder replaces a file that is there (unlink,
 * create) and never writes into it: it may be the previous output's. */
void outdir_sweep(outdir *od, const char *subdir);
/* Replaces target with the staging folder (see outdir_begin_new); the
 * previous output becomes the spare (or is removed, should that fail). */
bool outdir_commit(outdir *od);
/* Removes the staging folder; target is left as it was. */
void outdir_abort(outdir *od);

#endif

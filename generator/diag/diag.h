/* Diagnostics: `path:line:col: severity: message [code]`, counted per sink.
 *
 * There is no process-wide diagnostics state. Every diagnostic is told to a
 * sink that its caller passed down: main makes one per command (stderr, or
 * recording for --format json); a stage that must know whether it said
 * anything wrong tells a child sink of its caller's, which counts only what
 * the stage said and passes each diagnostic on; jobs that run side by side
 * each hold theirs in a buffered sink, replayed into the parent in job order
 * afterwards, so the output is the same as one thread's. A sink is used by
 * one thread at a time: no sink is shared between running threads. */
#ifndef POLICYGEN_DIAG_H
#define POLICYGEN_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum diag_severity {
    DIAG_INFO,
    DIAG_WARNING,
    DIAG_ERROR,
} diag_severity;

/* A place in a source file; line and col are 1-based, 0 when unknown. */
typedef struct srcpos {
    const char *path; /* borrowed: must outlive the diagnostic call */
    int line;
    int col;
} srcpos;

typedef struct diag_counts {
    int errors;
    int warnings;
    int infos;
} diag_counts;

typedef struct diag_held diag_held;
struct value;

/* Fields are diag.c's: make sinks with the functions below. A sink made by
 * value lives where its stage runs (on the stack, in a job). */
typedef struct diag_sink {
    FILE *stream;             /* prints each diagnostic here; NULL: does not print */
    bool to_stderr;           /* prints to glibc's stderr as it is when printing */
    struct diag_sink *parent; /* then passes it on (after replay when buffered) */
    diag_counts counts;       /* what was told to this sink */
    bool buffered;            /* holds diagnostics until diag_replay */
    diag_held *held;
    size_t n_held, cap_held;
    struct value *recorded; /* every diagnostic, for diag_json; NULL: not recording */
} diag_sink;

/* A sink that prints to stream (NULL: silent; it still counts). */
diag_sink diag_to_stream(FILE *stream);
/* A sink that prints to stderr: to the stream stderr names when it prints,
 * not when it was made, so it prints where the command's other stderr
 * output goes (the build cache keeps what a build writes to stderr by
 * pointing stderr at a tee while it runs: cache/cache.h). */
diag_sink diag_to_stderr(void);
/* A stage's sink: counts what the stage says and passes it on to parent. */
diag_sink diag_child(diag_sink *parent);
/* A job's sink: counts what the job says and holds it for diag_replay. */
diag_sink diag_buffered(diag_sink *parent);
/* Tells the parent what a buffered sink holds, in the order it came. */
void diag_replay(diag_sink *d);
/* Also record every diagnostic told to this sink, for diag_json. */
void diag_record(diag_sink *d);
/* Frees what the sink holds or recorded (held diagnostics are dropped). */
void diag_sink_free(diag_sink *d);

static inline diag_counts diag_get_counts(const diag_sink *d)
{
    return d->counts;
}
static inline bool diag_has_errors(const diag_sink *d)
{
    return d->counts.errors > 0;
}

void diag_emit(diag_sink *d, diag_severity sev, srcpos at, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void diag_vemit(diag_sink *d, diag_severity sev, srcpos at, const char *code, const char *fmt,
                va_list ap) __attribute__((format(printf, 5, 0)));
#define diag_error(d, ...) diag_emit((d), DIAG_ERROR, __VA_ARGS__)
#define diag_warning(d, ...) diag_emit((d), DIAG_WARNING, __VA_ARGS__)

/* A place with only a path. */
srcpos srcpos_file(const char *path);

/* The diagnostics recorded by d as a JSON array (malloc'd; empty when d
 * does not record). */
char *diag_json(const diag_sink *d);

#endif

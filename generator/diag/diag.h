/* Diagnostics: `path:line:col: severity: message [code]`, counted.
 * One process-wide sink: the CLI prints to stderr; tests redirect it. */
#ifndef POLICYGEN_DIAG_H
#define POLICYGEN_DIAG_H

#include <stdbool.h>
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

/* Where diagnostics go (default stderr); NULL silences them (they are still counted). */
void diag_set_stream(FILE *stream);
/* Also record every diagnostic so diag_json can list them. */
void diag_set_recording(bool on);
void diag_reset(void);
diag_counts diag_get_counts(void);

void diag_emit(diag_severity sev, srcpos at, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define diag_error(...) diag_emit(DIAG_ERROR, __VA_ARGS__)
#define diag_warning(...) diag_emit(DIAG_WARNING, __VA_ARGS__)

/* Diagnostics of jobs that run side by side, told in a fixed order: while a
 * thread captures into a buffer its diagnostics are kept there (not counted,
 * not printed); diag_buffer_replay then emits them in the order they came and
 * frees the buffer. Each job captures into its own buffer, and the caller
 * replays the buffers in job order, so the output is the same as one thread's. */
typedef struct diag_buffer diag_buffer;
diag_buffer *diag_buffer_new(void);
/* Captures this thread's diagnostics into b (NULL: emits them again);
 * returns the buffer that was capturing before, to restore it after. */
diag_buffer *diag_capture(diag_buffer *b);
void diag_buffer_replay(diag_buffer *b);

/* A place with only a path. */
srcpos srcpos_file(const char *path);

/* The recorded diagnostics as a JSON array (malloc'd). */
char *diag_json(void);

#endif

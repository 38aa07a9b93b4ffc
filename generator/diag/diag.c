#include "diag/diag.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/utf8.h"
#include "core/value.h"
#include "core/xalloc.h"

/* Pages render on several threads; a diagnostic is one locked step. */
static pthread_mutex_t diag_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *diag_stream;
static bool diag_stream_set;
static diag_counts counts;
static bool recording;
static value *recorded;

static const char *severity_name(diag_severity sev)
{
    switch (sev) {
    case DIAG_ERROR: return "error";
    case DIAG_WARNING: return "warning";
    case DIAG_INFO: return "info";
    }
    return "error";
}

void diag_set_stream(FILE *stream)
{
    diag_stream = stream;
    diag_stream_set = true;
}

void diag_set_recording(bool on)
{
    recording = on;
    if (on && !recorded)
        recorded = value_list();
}

void diag_reset(void)
{
    counts = (diag_counts){0};
    value_unref(recorded);
    recorded = recording ? value_list() : NULL;
}

diag_counts diag_get_counts(void)
{
    return counts;
}

srcpos srcpos_file(const char *path)
{
    return (srcpos){path, 0, 0};
}

typedef struct captured {
    diag_severity sev;
    char *path; /* a copy: the caller's path may be gone by the replay */
    int line, col;
    char *code;
    char *message;
} captured;

struct diag_buffer {
    captured *items;
    size_t len, cap;
};

static _Thread_local diag_buffer *capture;

diag_buffer *diag_buffer_new(void)
{
    return xcalloc(1, sizeof(diag_buffer));
}

diag_buffer *diag_capture(diag_buffer *b)
{
    diag_buffer *before = capture;
    capture = b;
    return before;
}

static void emit_message(diag_severity sev, srcpos at, const char *code, const char *message);

void diag_buffer_replay(diag_buffer *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->len; i++) {
        captured *c = &b->items[i];
        emit_message(c->sev, (srcpos){c->path, c->line, c->col}, c->code, c->message);
        free(c->path);
        free(c->code);
        free(c->message);
    }
    free(b->items);
    free(b);
}

void diag_emit(diag_severity sev, srcpos at, const char *code, const char *fmt, ...)
{
    strbuf msg;
    sb_init(&msg);
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&msg, fmt, ap);
    va_end(ap);
    if (capture) {
        diag_buffer *b = capture;
        if (b->len == b->cap) {
            b->cap = b->cap ? 2 * b->cap : 4;
            b->items = xrealloc(b->items, b->cap * sizeof *b->items);
        }
        b->items[b->len++] = (captured){sev, at.path ? xstrdup(at.path) : NULL, at.line, at.col,
                                        code ? xstrdup(code) : NULL, sb_take(&msg)};
        return;
    }
    emit_message(sev, at, code, msg.data);
    sb_free(&msg);
}

static void escaped(strbuf *line, const char *text)
{
    utf8_append_escaped(line, text, strlen(text));
}

static void emit_message(diag_severity sev, srcpos at, const char *code, const char *message)
{
    pthread_mutex_lock(&diag_lock);
    switch (sev) {
    case DIAG_ERROR: counts.errors++; break;
    case DIAG_WARNING: counts.warnings++; break;
    case DIAG_INFO: counts.infos++; break;
    }

    /* Paths, messages and codes carry text from content, zips and rules:
     * escaped, none of it can start a line of its own or drive a terminal. */
    strbuf line;
    sb_init(&line);
    if (at.path) {
        escaped(&line, at.path);
        if (at.line > 0) {
            sb_printf(&line, ":%d", at.line);
            if (at.col > 0)
                sb_printf(&line, ":%d", at.col);
        }
        sb_append(&line, ": ");
    } else {
        sb_append(&line, "policygen: ");
    }
    sb_printf(&line, "%s: ", severity_name(sev));
    escaped(&line, message);
    if (code && *code) {
        sb_append(&line, " [");
        escaped(&line, code);
        sb_appendc(&line, ']');
    }

    FILE *stream = diag_stream_set ? diag_stream : stderr;
    if (stream) {
        fprintf(stream, "%s\n", line.data);
        fflush(stream);
    }
    if (recording && recorded) {
        value *d = value_map();
        value_map_set_string(d, "severity", severity_name(sev));
        value_map_set_string(d, "path", at.path ? at.path : "");
        value_map_set_number(d, "line", at.line);
        value_map_set_number(d, "col", at.col);
        value_map_set_string(d, "code", code ? code : "");
        value_map_set_string(d, "message", message);
        value_list_push(recorded, d);
    }
    pthread_mutex_unlock(&diag_lock);
    sb_free(&line);
}

char *diag_json(void)
{
    strbuf out;
    sb_init(&out);
    value *empty = recorded ? NULL : value_list();
    value_append_json(&out, recorded ? recorded : empty, true);
    value_unref(empty);
    return sb_take(&out);
}

#include "diag/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/utf8.h"
#include "core/value.h"
#include "core/xalloc.h"

/* A diagnostic a buffered sink holds: copies, as the caller's strings may be
 * gone by the replay. */
struct diag_held {
    diag_severity sev;
    char *path;
    int line, col;
    char *code;
    char *message;
};

static const char *severity_name(diag_severity sev)
{
    switch (sev) {
    case DIAG_ERROR: return "error";
    case DIAG_WARNING: return "warning";
    case DIAG_INFO: return "info";
    }
    return "error";
}

diag_sink diag_to_stream(FILE *stream)
{
    return (diag_sink){.stream = stream};
}

diag_sink diag_to_stderr(void)
{
    return (diag_sink){.to_stderr = true};
}

diag_sink diag_child(diag_sink *parent)
{
    return (diag_sink){.parent = parent};
}

diag_sink diag_buffered(diag_sink *parent)
{
    return (diag_sink){.parent = parent, .buffered = true};
}

void diag_record(diag_sink *d)
{
    if (!d->recorded)
        d->recorded = value_list();
}

static void free_held(diag_sink *d)
{
    for (size_t i = 0; i < d->n_held; i++) {
        free(d->held[i].path);
        free(d->held[i].code);
        free(d->held[i].message);
    }
    free(d->held);
    d->held = NULL;
    d->n_held = d->cap_held = 0;
}

void diag_sink_free(diag_sink *d)
{
    free_held(d);
    value_unref(d->recorded);
    d->recorded = NULL;
}

srcpos srcpos_file(const char *path)
{
    return (srcpos){path, 0, 0};
}

static void escaped(strbuf *line, const char *text)
{
    utf8_append_escaped(line, text, strlen(text));
}

static void print(FILE *stream, diag_severity sev, srcpos at, const char *code, const char *message)
{
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
    fprintf(stream, "%s\n", line.data);
    fflush(stream);
    sb_free(&line);
}

static void record(value *list, diag_severity sev, srcpos at, const char *code, const char *message)
{
    value *d = value_map();
    value_map_set_string(d, "severity", severity_name(sev));
    value_map_set_string(d, "path", at.path ? at.path : "");
    value_map_set_number(d, "line", at.line);
    value_map_set_number(d, "col", at.col);
    value_map_set_string(d, "code", code ? code : "");
    value_map_set_string(d, "message", message);
    value_list_push(list, d);
}

/* Counts, prints, records, then holds or passes on: up the chain of sinks. */
static void tell(diag_sink *d, diag_severity sev, srcpos at, const char *code, const char *message)
{
    for (; d; d = d->parent) {
        switch (sev) {
        case DIAG_ERROR: d->counts.errors++; break;
        case DIAG_WARNING: d->counts.warnings++; break;
        case DIAG_INFO: d->counts.infos++; break;
        }
        FILE *stream = d->to_stderr ? stderr : d->stream;
        if (stream)
            print(stream, sev, at, code, message);
        if (d->recorded)
            record(d->recorded, sev, at, code, message);
        if (d->buffered) {
            if (d->n_held == d->cap_held) {
                d->cap_held = d->cap_held ? 2 * d->cap_held : 4;
                d->held = xrealloc(d->held, d->cap_held * sizeof *d->held);
            }
            d->held[d->n_held++] =
                (diag_held){sev,    at.path ? xstrdup(at.path) : NULL, at.line,
                            at.col, code ? xstrdup(code) : NULL,       xstrdup(message)};
            return;
        }
    }
}

void diag_replay(diag_sink *d)
{
    for (size_t i = 0; i < d->n_held; i++) {
        diag_held *h = &d->held[i];
        tell(d->parent, h->sev, (srcpos){h->path, h->line, h->col}, h->code, h->message);
    }
    free_held(d);
}

void diag_vemit(diag_sink *d, diag_severity sev, srcpos at, const char *code, const char *fmt,
                va_list ap)
{
    strbuf msg;
    sb_init(&msg);
    sb_vprintf(&msg, fmt, ap);
    tell(d, sev, at, code, msg.data);
    sb_free(&msg);
}

void diag_emit(diag_sink *d, diag_severity sev, srcpos at, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vemit(d, sev, at, code, fmt, ap);
    va_end(ap);
}

char *diag_json(const diag_sink *d)
{
    strbuf out;
    sb_init(&out);
    value *empty = d->recorded ? NULL : value_list();
    value_append_json(&out, d->recorded ? d->recorded : empty, true);
    value_unref(empty);
    return sb_take(&out);
}

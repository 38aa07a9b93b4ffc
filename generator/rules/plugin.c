#include "rules/plugin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>

#include "core/xalloc.h"
#include "rules/needs.h"

void plugin_outcome_init(plugin_outcome *out)
{
    memset(out, 0, sizeof *out);
    rule_decl_init(&out->decl);
    vec_init(&out->flags, rule_flag_free);
    vec_init(&out->unknown_params, free);
}

void plugin_outcome_free(plugin_outcome *out)
{
    rule_decl_free(&out->decl);
    sandbox_error_free(&out->error);
    vec_free(&out->flags);
    vec_free(&out->unknown_params);
    plugin_outcome_init(out);
}

void plugin_outcome_fail(plugin_outcome *out, plugin_stage stage, sandbox_failure kind, int line,
                         char *message, char *detail)
{
    sandbox_error_free(&out->error);
    out->failed = true;
    out->stage = stage;
    out->error = (sandbox_error){kind, line, message, detail};
}

/* ---- running ---- */

static char *read_file(const char *path, size_t max_bytes, size_t *len, char **problem)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *problem = xasprintf("cannot read the file: %s", strerror(errno));
        return NULL;
    }
    strbuf text;
    sb_init(&text);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && text.len <= max_bytes)
        sb_appendn(&text, chunk, n);
    bool failed = ferror(f);
    fclose(f);
    if (failed || text.len > max_bytes) {
        *problem = failed ? xstrdup("cannot read the file")
                          : xasprintf("the file is larger than a rule's memory limit (%zu "
                                      "bytes)",
                                      max_bytes);
        sb_free(&text);
        return NULL;
    }
    *len = text.len;
    return sb_take(&text);
}

static void fail_with(plugin_outcome *out, plugin_stage stage, sandbox_error *err)
{
    out->failed = true;
    out->stage = stage;
    out->error = *err;
    *err = (sandbox_error){0};
}

void plugin_run(const char *path, const plugin_inputs *in, volatile plugin_progress *progress,
                plugin_outcome *out)
{
    size_t len;
    char *problem = NULL;
    char *text = read_file(path, in->limits.max_memory, &len, &problem);
    if (!text) {
        plugin_outcome_fail(out, STAGE_LOAD, SANDBOX_ERROR, 0, problem, NULL);
        return;
    }

    sandbox_error err = {0};
    rule_api api;
    rule_api_init(&api);
    api.lib_dir = in->lib_dir;
    sandbox *sb = sandbox_new(path, &in->limits, progress ? &progress->line : NULL, &err);
    if (!sb) {
        fail_with(out, STAGE_LOAD, &err);
        goto done;
    }
    if (!sandbox_ccall(sb, rule_api_install, &api, 0, 0, &err) ||
        !sandbox_load(sb, text, len, &err)) {
        fail_with(out, STAGE_LOAD, &err);
        goto done;
    }
    if (!sandbox_pcall(sb, 0, 1, &err)) {
        fail_with(out, STAGE_CHUNK, &err);
        goto done;
    }
    /* A chunk that returns something else is placed at the last line it ran:
     * its return statement. */
    int return_line = sb->current_line;
    if (!sandbox_ccall(sb, rule_api_take, &out->decl, 1, 2, &err)) {
        if (err.line == 0)
            err.line = return_line;
        fail_with(out, STAGE_CHUNK, &err);
        goto done;
    }
    out->declared = true;
    if (progress) {
        size_t n = strlen(out->decl.id);
        if (n >= sizeof progress->rule_id)
            n = sizeof progress->rule_id - 1;
        for (size_t i = 0; i < n; i++)
            progress->rule_id[i] = out->decl.id[i];
        progress->rule_id[n] = '\0';
        progress->severity = (int)out->decl.severity;
    }

    /* What the rule reads must be there before it runs: a school that keeps
     * no such register, or no such field, gets "unchecked", not false flags. */
    rule_needs_check(&out->decl.needs, in->registers, in->registers_dir);
    if (rule_needs_unmet(&out->decl.needs)) {
        out->unchecked = true;
        goto done;
    }

    sandbox_lines_on_demand(sb);
    api.checking = true;
    api.rule_id = out->decl.id;
    api.rule_severity = out->decl.severity;
    check_input check = {in->site,
                         in->registers,
                         &out->decl.needs,
                         in->lazy,
                         in->lazy_count,
                         in->today,
                         value_map_get(in->params, out->decl.id),
                         &api};
    if (!sandbox_ccall(sb, rule_api_check, &check, 2, 0, &err)) {
        fail_with(out, STAGE_CHECK, &err); /* a failed rule's partial flags are dropped */
        goto done;
    }
    for (size_t i = 0; i < api.flags.len; i++)
        vec_push(&out->flags, api.flags.items[i]);
    api.flags.len = 0; /* moved */
    out->dropped = api.dropped;
    for (size_t i = 0; i < api.unknown_params.len; i++)
        vec_push(&out->unknown_params, api.unknown_params.items[i]);
    api.unknown_params.len = 0; /* moved */

done:
    api.checking = false;
    sandbox_free(sb);
    rule_api_free(&api);
    free(text);
}

/* ---- crossing a process boundary ----
 * Integers as "<decimal>;", strings as "<length>:<bytes>" or "-" for NULL. */

static void put_int(strbuf *out, long long n)
{
    sb_printf(out, "%lld;", n);
}

static void put_string(strbuf *out, const char *s)
{
    if (!s) {
        sb_appendc(out, '-');
        return;
    }
    size_t len = strlen(s);
    sb_printf(out, "%zu:", len);
    sb_appendn(out, s, len);
}

#define OUTCOME_MAGIC "policygen-outcome-2;"

void plugin_outcome_encode(const plugin_outcome *o, strbuf *out)
{
    sb_append(out, OUTCOME_MAGIC);
    put_int(out, o->declared);
    if (o->declared) {
        put_string(out, o->decl.id);
        put_string(out, o->decl.title);
        put_string(out, o->decl.source);
        put_int(out, o->decl.severity);
        put_int(out, o->decl.kind);
        put_string(out, o->decl.plan);
        put_string(out, o->decl.params);
        put_int(out, (long long)o->decl.needs.len);
        for (size_t i = 0; i < o->decl.needs.len; i++) {
            const rule_need *n = o->decl.needs.items[i];
            put_string(out, n->type);
            put_string(out, n->field);
            put_int(out, n->optional);
            put_int(out, n->met);
            put_int(out, n->blocking);
            put_int(out, n->wrong);
            put_string(out, n->by);
            put_string(out, n->message);
            put_string(out, n->file);
            put_int(out, n->line);
        }
    }
    put_int(out, o->unchecked);
    put_int(out, (long long)o->dropped);
    put_int(out, (long long)o->unknown_params.len);
    for (size_t i = 0; i < o->unknown_params.len; i++)
        put_string(out, o->unknown_params.items[i]);
    put_int(out, o->failed);
    if (o->failed) {
        put_int(out, o->stage);
        put_int(out, o->error.kind);
        put_int(out, o->error.line);
        put_string(out, o->error.message);
        put_string(out, o->error.detail);
    }
    put_int(out, (long long)o->flags.len);
    for (size_t i = 0; i < o->flags.len; i++) {
        const rule_flag *f = o->flags.items[i];
        put_string(out, f->rule_id);
        put_int(out, f->severity);
        put_int(out, f->status);
        put_string(out, f->message);
        put_string(out, f->due);
        put_string(out, f->file);
        put_int(out, f->line);
        put_string(out, f->section);
        put_string(out, f->owner);
    }
    sb_append(out, "end");
}

typedef struct reader {
    const char *p, *end;
    bool ok;
} reader;

static long long get_int(reader *r, long long min, long long max)
{
    long long n = 0;
    bool negative = false, digits = false;
    if (r->ok && r->p < r->end && *r->p == '-') {
        negative = true;
        r->p++;
    }
    while (r->ok && r->p < r->end && *r->p >= '0' && *r->p <= '9') {
        if (n > 100000000000LL)
            r->ok = false;
        n = n * 10 + (*r->p++ - '0');
        digits = true;
    }
    if (negative)
        n = -n;
    if (!r->ok || !digits || r->p >= r->end || *r->p != ';' || n < min || n > max) {
        r->ok = false;
        return min;
    }
    r->p++;
    return n;
}

static char *get_string(reader *r)
{
    if (!r->ok || r->p >= r->end) {
        r->ok = false;
        return NULL;
    }
    if (*r->p == '-') {
        r->p++;
        return NULL;
    }
    size_t len = 0;
    while (r->p < r->end && *r->p >= '0' && *r->p <= '9' && len < ((size_t)1 << 40))
        len = len * 10 + (size_t)(*r->p++ - '0');
    if (r->p >= r->end || *r->p != ':' || (size_t)(r->end - r->p - 1) < len) {
        r->ok = false;
        return NULL;
    }
    r->p++;
    char *s = xstrndup(r->p, len);
    r->p += len;
    return s;
}

bool plugin_outcome_decode(const char *data, size_t len, plugin_outcome *out)
{
    size_t magic = strlen(OUTCOME_MAGIC);
    if (len < magic || memcmp(data, OUTCOME_MAGIC, magic) != 0)
        return false;
    reader r = {data + magic, data + len, true};
    out->declared = get_int(&r, 0, 1);
    if (out->declared) {
        out->decl.id = get_string(&r);
        out->decl.title = get_string(&r);
        out->decl.source = get_string(&r);
        out->decl.severity = (diag_severity)get_int(&r, DIAG_INFO, DIAG_ERROR);
        out->decl.kind = (rule_kind)get_int(&r, RULE_KIND_DUTY, RULE_KIND_DOCUMENT);
        out->decl.plan = get_string(&r);
        out->decl.params = get_string(&r);
        if (!out->decl.id || !out->decl.title || !out->decl.source)
            r.ok = false;
        long long needs = get_int(&r, 0, 100000);
        for (long long i = 0; r.ok && i < needs; i++) {
            rule_need *n = xcalloc(1, sizeof *n);
            vec_push(&out->decl.needs, n);
            n->type = get_string(&r);
            n->field = get_string(&r);
            n->optional = get_int(&r, 0, 1);
            n->met = get_int(&r, 0, 1);
            n->blocking = get_int(&r, 0, 1);
            n->wrong = get_int(&r, 0, 1);
            n->by = get_string(&r);
            n->message = get_string(&r);
            n->file = get_string(&r);
            n->line = (int)get_int(&r, 0, 1000000000);
            if (!n->type)
                r.ok = false;
        }
    }
    out->unchecked = get_int(&r, 0, 1);
    out->dropped = (size_t)get_int(&r, 0, 100000000000LL);
    long long unknown = get_int(&r, 0, 100000);
    for (long long i = 0; r.ok && i < unknown; i++) {
        char *name = get_string(&r);
        if (!name)
            r.ok = false;
        else
            vec_push(&out->unknown_params, name);
    }
    out->failed = get_int(&r, 0, 1);
    if (out->failed) {
        out->stage = (plugin_stage)get_int(&r, STAGE_LOAD, STAGE_CHECK);
        out->error.kind = (sandbox_failure)get_int(&r, SANDBOX_ERROR, SANDBOX_MEMORY);
        out->error.line = (int)get_int(&r, 0, 1000000000);
        out->error.message = get_string(&r);
        out->error.detail = get_string(&r);
        if (!out->error.message)
            r.ok = false;
    }
    long long count = get_int(&r, 0, 10000000);
    for (long long i = 0; r.ok && i < count; i++) {
        rule_flag *f = xcalloc(1, sizeof *f);
        vec_push(&out->flags, f);
        f->rule_id = get_string(&r);
        f->severity = (diag_severity)get_int(&r, DIAG_INFO, DIAG_ERROR);
        f->status = (flag_status)get_int(&r, FLAG_MISSING, FLAG_OK);
        f->message = get_string(&r);
        f->due = get_string(&r);
        f->file = get_string(&r);
        f->line = (int)get_int(&r, 0, 1000000000);
        f->section = get_string(&r);
        f->owner = get_string(&r);
        if (!f->rule_id || !f->message)
            r.ok = false;
    }
    if (!r.ok || r.end - r.p != 3 || memcmp(r.p, "end", 3) != 0) {
        plugin_outcome_free(out);
        return false;
    }
    return true;
}

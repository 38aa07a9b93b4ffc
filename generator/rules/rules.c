#include "rules/rules.h"

#include <stdlib.h>
#include <string.h>

#include "core/parallel.h"
#include "core/xalloc.h"
#include "rules/api.h"
#include "rules/arena.h"
#include "rules/isolate.h"
#include "rules/plugin.h"

const char *flag_status_name(flag_status status)
{
    switch (status) {
    case FLAG_MISSING: return "missing";
    case FLAG_OVERDUE: return "overdue";
    case FLAG_DUE_SOON: return "due-soon";
    case FLAG_OK: return "ok";
    }
    return "missing";
}

const char *rule_outcome_name(rule_outcome outcome)
{
    switch (outcome) {
    case RULE_RAN: return "ran";
    case RULE_FAILED: return "failed";
    case RULE_SKIPPED: return "skipped";
    case RULE_UNCHECKED: return "unchecked";
    }
    return "failed";
}

void rules_row_set_place(value *row, const char *file, int line)
{
    value_map_set_string(row, "_file", file);
    value_map_set_number(row, "_line", line);
}

/* ---- results ---- */

static void rule_info_free(void *p)
{
    rule_info *info = p;
    if (!info)
        return;
    free(info->path);
    free(info->id);
    free(info->title);
    free(info->source);
    free(info->error);
    free(info->plan);
    free(info->params);
    vec_free(&info->needs);
    vec_free(&info->unknown_params);
    free(info);
}

void rules_result_free(rules_result *result)
{
    vec_free(&result->flags);
    vec_free(&result->rules);
    result->failed = 0;
    result->unchecked = 0;
}

static int compare_optional(const char *a, const char *b)
{
    if (a && b)
        return strcmp(a, b);
    return (a == NULL) - (b == NULL); /* present before absent */
}

static int compare_flags(const void *pa, const void *pb)
{
    const rule_flag *a = *(rule_flag *const *)pa, *b = *(rule_flag *const *)pb;
    int c;
    if ((c = compare_optional(a->due, b->due)) != 0)
        return c;
    if ((c = strcmp(a->rule_id, b->rule_id)) != 0)
        return c;
    if ((c = strcmp(a->message, b->message)) != 0)
        return c;
    if ((c = compare_optional(a->file, b->file)) != 0)
        return c;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->status != b->status)
        return a->status < b->status ? -1 : 1;
    if (a->severity != b->severity)
        return a->severity > b->severity ? -1 : 1;
    if ((c = compare_optional(a->section, b->section)) != 0)
        return c;
    return compare_optional(a->owner, b->owner);
}

/* ---- reporting a plugin ---- */

/* The file's name without directories and ".lua": what its id should be. */
static char *id_from_path(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strlen(base);
    if (len > 4 && strcmp(base + len - 4, ".lua") == 0)
        len -= 4;
    return xstrndup(base, len);
}

static const char *failure_code(const plugin_outcome *o)
{
    switch (o->error.kind) {
    case SANDBOX_TIMEOUT: return "rule-timeout";
    case SANDBOX_MEMORY: return "rule-memory";
    case SANDBOX_ERROR: break;
    }
    return o->stage == STAGE_LOAD ? "rule-load" : "rule-error";
}

/* One diagnostic for a failed plugin. */
static void report_failure(const rule_info *info, const plugin_outcome *o, diag_sink *diags)
{
    srcpos at = {info->path, o->error.line, 0};
    const char *code = failure_code(o);
    char *who = o->declared ? xasprintf("rule '%s'", info->id) : xstrdup("rule plugin");
    if (o->stage == STAGE_LOAD && o->error.kind == SANDBOX_ERROR)
        diag_error(diags, at, code, "cannot load rule: %s", o->error.message);
    else if (o->error.kind == SANDBOX_ERROR)
        diag_error(diags, at, code, "%s failed: %s", who, o->error.message);
    else
        diag_error(diags, at, code, "%s stopped: %s", who, o->error.message);
    free(who);
}

static bool id_already_seen(const rules_result *out, const char *id)
{
    for (size_t i = 0; i < out->rules.len; i++) {
        const rule_info *other = out->rules.items[i];
        if (other->declared && other->outcome != RULE_SKIPPED && strcmp(other->id, id) == 0)
            return true;
    }
    return false;
}

/* Turns a plugin's outcome into its rule_info, diagnostics and flags. */
static void record_outcome(const char *path, plugin_outcome *o, rules_result *out, diag_sink *diags)
{
    rule_info *info = xcalloc(1, sizeof *info);
    info->path = xstrdup(path);
    info->severity = DIAG_ERROR;
    info->outcome = RULE_FAILED;
    vec_init(&info->needs, rule_need_free);
    vec_init(&info->unknown_params, free);
    if (o->declared) {
        info->declared = true;
        info->id = o->decl.id;
        info->title = o->decl.title;
        info->source = o->decl.source;
        info->severity = o->decl.severity;
        info->kind = o->decl.kind;
        info->plan = o->decl.plan;
        info->params = o->decl.params;
        for (size_t i = 0; i < o->decl.needs.len; i++)
            vec_push(&info->needs, o->decl.needs.items[i]);
        o->decl.needs.len = 0; /* moved */
        vec_free(&o->decl.needs);
        rule_decl_init(&o->decl);
    } else {
        info->id = id_from_path(path);
    }

    if (o->declared && id_already_seen(out, info->id)) {
        diag_error(diags, srcpos_file(info->path), "rule-duplicate",
                   "rule '%s' is defined by an earlier plugin too; this one is skipped", info->id);
        info->outcome = RULE_SKIPPED;
    } else if (o->failed) {
        report_failure(info, o, diags);
        info->error = o->error.detail ? xstrdup(o->error.detail) : xstrdup(o->error.message);
        out->failed++;
    } else if (o->unchecked) {
        info->outcome = RULE_UNCHECKED; /* check.c tells which needs are unmet */
        out->unchecked++;
    } else {
        info->outcome = RULE_RAN;
        info->flag_count = o->flags.len;
        info->dropped = o->dropped;
        for (size_t i = 0; i < o->unknown_params.len; i++)
            vec_push(&info->unknown_params, o->unknown_params.items[i]);
        o->unknown_params.len = 0; /* moved */
        for (size_t i = 0; i < o->flags.len; i++)
            vec_push(&out->flags, o->flags.items[i]);
        o->flags.len = 0; /* moved */
    }
    if (o->declared && info->outcome != RULE_SKIPPED) {
        char *file_id = id_from_path(path);
        if (strcmp(file_id, info->id) != 0)
            diag_warning(diags, srcpos_file(info->path), "rule-id",
                         "rule id '%s' differs from its file name '%s.lua', so a content "
                         "folder cannot override it by file",
                         info->id, file_id);
        free(file_id);
    }
    vec_push(&out->rules, info);
}

rules_limits rules_default_limits(void)
{
    return (rules_limits){
        .max_memory = 64 * 1024 * 1024,
        .max_instructions = 10 * 1000 * 1000,
        .max_millis = 5000, /* a safety net for hangs inside C: the instruction limit is the real one, and it does not depend on the load of the machine */
        .in_process = false,
        .workers = 0,
    };
}

struct rules_batch {
    const char *const *paths;
    size_t count;
    plugin_inputs in;
    isolate_pool *pool; /* NULL: the rules run in this process, in rules_finish */
};

rules_batch *rules_start(const rules_inputs *req)
{
    rules_batch *b = xcalloc(1, sizeof *b);
    b->paths = req->paths;
    b->count = req->count;
    b->in = (plugin_inputs){
        .site = req->site,
        .registers = req->registers,
        .registers_dir = req->registers_dir,
        .lib_dir = req->lib_dir,
        .lazy = req->lazy,
        .lazy_count = req->lazy_count,
        .today = req->today,
        .params = req->params,
        .limits = req->limits ? *req->limits : rules_default_limits(),
    };
    if (date_valid(req->today) && !b->in.limits.in_process) {
        int workers = b->in.limits.workers > 0 ? b->in.limits.workers : parallel_cpu_count();
        b->pool = isolate_start(b->paths, b->count, &b->in, workers);
    }
    return b;
}

void rules_finish(rules_batch *b, rules_result *out, diag_sink *diags)
{
    vec_init(&out->flags, rule_flag_free);
    vec_init(&out->rules, rule_info_free);
    out->failed = 0;
    out->unchecked = 0;
    if (!date_valid(b->in.today)) {
        diag_error(diags, srcpos_file(NULL), "rule-today",
                   "today (%04d-%02d-%02d) is not a valid date", b->in.today.year,
                   b->in.today.month, b->in.today.day);
        free(b);
        return;
    }
    plugin_outcome *outcomes = xcalloc(b->count + 1, sizeof *outcomes);
    for (size_t i = 0; i < b->count; i++)
        plugin_outcome_init(&outcomes[i]);
    if (b->pool)
        isolate_finish(b->pool, outcomes);
    else
        for (size_t i = 0; i < b->count; i++)
            plugin_run(b->paths[i], &b->in, NULL, &outcomes[i]);
    arena_release_spares(); /* what the rules that ran here kept */
    for (size_t i = 0; i < b->count; i++) {
        record_outcome(b->paths[i], &outcomes[i], out, diags);
        plugin_outcome_free(&outcomes[i]);
    }
    free(outcomes);
    free(b);
    vec_sort(&out->flags, compare_flags);
}

void rules_run(const rules_inputs *in, rules_result *out, diag_sink *diags)
{
    rules_finish(rules_start(in), out, diags);
}

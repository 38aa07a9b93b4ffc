#include "check/check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/coverage.h"
#include "check/documents.h"
#include "core/fs.h"
#include "core/srcfile.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "registers/regtype.h"
#include "registers/registers.h"

/* ---- plugins ---- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

/* "rule-id.lua" -> the path; a content folder's file replaces a shipped one.
 * The content's files must stay in its lua-plugins/ (confined): false when
 * one leads outside (reported). The shipped ones are the installation's. */
static bool collect_plugins(const char *dir, map *by_name, bool confined, diag_sink *diags)
{
    vec names;
    vec_init(&names, free);
    if (fs_is_dir(dir))
        fs_list_dir(dir, &names);
    bool ok = true;
    for (size_t i = 0; i < names.len; i++) {
        const char *name = names.items[i];
        if (name[0] == '.' || !ends_with(name, ".lua"))
            continue;
        char *path = fs_join(dir, name);
        if (confined && !srcfile_confined(path, dir, srcpos_file(path), diags)) {
            ok = false;
            free(path);
            continue;
        }
        char *id = xstrndup(name, strlen(name) - 4);
        map_set(by_name, id, path);
        free(id);
    }
    vec_free(&names);
    return ok;
}

/* site.yaml `rules: { id: false }` turns a rule off. */
static bool rule_disabled(const site *s, const char *id)
{
    const ynode *n = ynode_get(s->config.rules, id);
    bool b;
    return n && ynode_as_bool(n, &b) && !b;
}

struct check_batch {
    const site *s;
    vec paths;
    value *params;
    value *data;
    value *registers; /* the typed registers (registers_typed_value) */
    coverage plan;    /* the template's chapters in the school's plan */
    char *registers_dir;
    char *lib_dir;
    check_documents *documents;
    rules_lazy lazy[3];
    rules_batch *rules;
};

check_batch *check_start(const site *s, const struct xref_table *xref, const check_options *opts,
                         diag_sink *diags)
{
    map plugins;
    map_init(&plugins, free);
    char *shipped = fs_join(opts->data_dir, "lua-plugins");
    char *own = fs_join(opts->content_dir, "lua-plugins");
    collect_plugins(shipped, &plugins, false, diags);
    bool ok = collect_plugins(own, &plugins, true, diags);
    free(shipped);
    free(own);
    if (!ok) {
        map_free(&plugins);
        return NULL;
    }

    check_batch *b = xcalloc(1, sizeof *b);
    vec_init(&b->paths, free);
    for (size_t i = 0; i < plugins.len; i++)
        if (!rule_disabled(s, plugins.entries[i].key))
            vec_push(&b->paths, xstrdup(plugins.entries[i].value));
    vec_sort_strings(&b->paths);
    map_free(&plugins);

    b->s = s;
    b->params = s->config.rules ? ynode_to_value(s->config.rules) : value_map();
    coverage_report(s, diags);
    coverage_map(s, &b->plan);
    b->data = check_site_value(s, &b->plan);
    b->registers = registers_typed_value(s->registers);
    b->registers_dir = fs_join(opts->content_dir, "registers");
    b->lib_dir = fs_join(opts->data_dir, "lua-plugins/lib");
    b->documents = check_documents_new(s, xref, opts->jobs);
    b->lazy[0] = check_documents_chapters(b->documents);
    b->lazy[1] = check_documents_annexes(b->documents);
    b->lazy[2] = check_documents_digest(b->documents);
    rules_inputs in = {.paths = (const char *const *)b->paths.items,
                       .count = b->paths.len,
                       .site = b->data,
                       .registers = b->registers,
                       .registers_dir = b->registers_dir,
                       .lib_dir = b->lib_dir,
                       .lazy = b->lazy,
                       .lazy_count = 3,
                       .today = opts->today,
                       .params = b->params};
    b->rules = rules_start(&in);
    return b;
}

/* Whether file:line is a row of one of the site's registers. */
static bool is_row_place(const site *s, const char *file, int line)
{
    for (size_t r = 0; s->registers && r < s->registers->registers.len; r++) {
        const register_def *reg = s->registers->registers.items[r];
        if (strcmp(reg->path, file) != 0)
            continue;
        for (size_t k = 0; k < reg->rows.len; k++)
            if (((const register_row *)reg->rows.items[k])->node->line == line)
                return true;
    }
    return false;
}

/* A rule's flag may point only at what the rule was given: a register row or
 * a place in the plan's text. Any other place (a rule could name
 * /etc/passwd) fails the rule, as a Lua error would. */
static void check_places(check_batch *b, rules_result *out, diag_sink *diags)
{
    for (size_t i = 0; i < out->rules.len; i++) {
        rule_info *ri = out->rules.items[i];
        const rule_flag *bad = NULL;
        for (size_t k = 0; k < out->flags.len && !bad; k++) {
            const rule_flag *f = out->flags.items[k];
            if (ri->outcome == RULE_RAN && f->file && strcmp(f->rule_id, ri->id) == 0 &&
                !is_row_place(b->s, f->file, f->line) &&
                !check_documents_has_place(b->documents, f->file, f->line))
                bad = f;
        }
        if (!bad)
            continue;
        ri->error = xasprintf("a flag points at %s:%d, which is neither a register row nor a "
                              "place in the plan's text",
                              bad->file, bad->line);
        diag_error(diags, srcpos_file(ri->path), "rule-error", "rule '%s' failed: %s", ri->id,
                   ri->error);
        ri->outcome = RULE_FAILED;
        ri->flag_count = 0;
        out->failed++;
        size_t kept = 0;
        for (size_t k = 0; k < out->flags.len; k++) {
            rule_flag *f = out->flags.items[k];
            if (strcmp(f->rule_id, ri->id) == 0)
                rule_flag_free(f);
            else
                out->flags.items[kept++] = f;
        }
        out->flags.len = kept;
    }
}

/* "CHAPTER/ID" (or "CHAPTER" for the chapter), as site_find_section reads it. */
static char *section_ref(const section *sec)
{
    if (sec->level == 1)
        return xstrdup(sec->doc->id);
    return xasprintf("%s/%s", sec->doc->id, sec->id);
}

/* Each rule's source cites the law and, where the school's plan states the
 * duty (rule{plan=}), that plan's section; a flag with no place of its own
 * sits at that section. */
static void place_in_plan(check_batch *b, rules_result *out)
{
    for (size_t i = 0; i < out->rules.len; i++) {
        rule_info *ri = out->rules.items[i];
        if (!ri->plan)
            continue;
        const section *sec = coverage_find(&b->plan, ri->plan);
        if (!sec)
            continue;
        char *cite = coverage_cite(&b->plan, ri->plan);
        if (ri->source) {
            char *both = xasprintf("%s；%s", cite, ri->source);
            free(ri->source);
            ri->source = both;
            free(cite);
        } else {
            ri->source = cite;
        }
        char *ref = section_ref(sec);
        for (size_t k = 0; k < out->flags.len; k++) {
            rule_flag *f = out->flags.items[k];
            if (!f->file && !f->section && strcmp(f->rule_id, ri->id) == 0)
                f->section = xstrdup(ref);
        }
        free(ref);
    }
}

void check_finish(check_batch *b, rules_result *out, diag_sink *diags)
{
    rules_finish(b->rules, out, diags);
    check_places(b, out, diags);
    place_in_plan(b, out);
    check_documents_free(b->documents);
    coverage_free(&b->plan);
    value_unref(b->data);
    value_unref(b->registers);
    value_unref(b->params);
    free(b->registers_dir);
    free(b->lib_dir);
    vec_free(&b->paths);
    free(b);
}

bool check_run(const site *s, const struct xref_table *xref, const check_options *opts,
               rules_result *out, diag_sink *diags)
{
    check_batch *b = check_start(s, xref, opts, diags);
    if (!b)
        return false;
    check_finish(b, out, diags);
    return true;
}

/* ---- the data rules read ---- */

value *check_site_value(const site *s, const struct coverage *plan)
{
    const site_config *c = &s->config;
    value *v = value_map();
    value *org = value_map();
    value_map_set_string(org, "name", c->org_name);
    value_map_set_string(org, "short_name", c->org_short_name);
    value_map_set_string(org, "parent", c->org_parent);
    value_map_set_string(org, "level", c->org_level);
    value_map_set(v, "organization", org);
    value *doc = value_map();
    value_map_set_string(doc, "id", c->doc_id);
    value_map_set_string(doc, "title", c->doc_title);
    value_map_set(v, "document", doc);

    revision_info rev;
    if (s->registers && registers_current_revision(s->registers, &rev)) {
        value *r = value_map();
        if (rev.version)
            value_map_set_string(r, "version", rev.version);
        if (rev.has_date)
            value_map_set(r, "date", rules_date_value(rev.date));
        value_map_set_bool(r, "approved", rev.approved);
        value_map_set(v, "revision", r);
    }

    /* Every register's schema (its own field names and labels), for rules
     * about the plan's text, which compare it with the registers. */
    value *schemas = value_list();
    for (size_t r = 0; s->registers && r < s->registers->registers.len; r++) {
        const register_def *reg = s->registers->registers.items[r];
        value *rv = value_map();
        value_map_set_string(rv, "name", reg->name);
        value_map_set_string(rv, "title", reg->title);
        if (reg->type)
            value_map_set_string(rv, "type", reg->type->name);
        value *fields = value_list();
        for (size_t i = 0; i < reg->fields.len; i++) {
            const register_field *f = reg->fields.items[i];
            value *fv = value_map();
            value_map_set_string(fv, "name", f->name);
            value_map_set_string(fv, "label", f->label);
            value_map_set_string(fv, "type", field_type_name(f->type));
            value_list_push(fields, fv);
        }
        value_map_set(rv, "fields", fields);
        value_list_push(schemas, rv);
    }
    value_map_set(v, "schemas", schemas);
    if (plan)
        value_map_set(v, "coverage", coverage_value(plan));
    return v;
}

/* ---- reporting ---- */

static srcpos flag_place(const site *s, const rule_flag *f)
{
    if (f->file)
        return (srcpos){f->file, f->line, 0};
    const section *sec = f->section ? site_find_section(s, f->section) : NULL;
    if (sec)
        return sec->pos;
    return srcpos_file(s->config_path);
}

/* "staff.categories" or "staff" */
static char *need_name(const rule_need *n)
{
    return n->field ? xasprintf("%s.%s", n->type, n->field) : xstrdup(n->type);
}

/* site.yaml rules.ID.NAME, where a parameter the rule does not know is given. */
static srcpos param_place(const site *s, const char *id, const char *name)
{
    const ynode *params = ynode_get(s->config.rules, id);
    for (size_t i = 0; params && params->kind == YNODE_MAP && i < params->len; i++)
        if (strcmp(params->keys[i]->text, name) == 0)
            return ynode_pos(params->keys[i]);
    return srcpos_file(s->config_path);
}

void check_report(const site *s, const rules_result *r, diag_sink *diags)
{
    for (size_t i = 0; i < r->flags.len; i++) {
        const rule_flag *f = r->flags.items[i];
        if (f->status == FLAG_OK)
            continue;
        srcpos at = flag_place(s, f);
        if (f->due)
            diag_emit(diags, f->severity, at, f->rule_id, "%s (%s, due %s)", f->message,
                      flag_status_name(f->status), f->due);
        else
            diag_emit(diags, f->severity, at, f->rule_id, "%s (%s)", f->message,
                      flag_status_name(f->status));
    }
    diag_severity unchecked = s->config.unchecked_error ? DIAG_ERROR : DIAG_WARNING;
    for (size_t i = 0; i < r->rules.len; i++) {
        const rule_info *ri = r->rules.items[i];
        if (ri->dropped)
            diag_warning(diags, srcpos_file(ri->path), ri->id,
                         "rule '%s' raised more than %d flags: the first %d are kept, %zu more "
                         "were dropped",
                         ri->id, RULES_MAX_FLAGS, RULES_MAX_FLAGS, ri->dropped);
        for (size_t k = 0; k < ri->unknown_params.len; k++) {
            const char *name = ri->unknown_params.items[k];
            diag_warning(diags, param_place(s, ri->id, name), "rule-params",
                         "rules.%s.%s: rule '%s' has no parameter '%s' (see `policygen rules`)",
                         ri->id, name, ri->id, name);
        }
        if (ri->outcome != RULE_UNCHECKED)
            continue;
        /* One line a rule, at its first unmet need, naming all of them. */
        const rule_need *first = NULL;
        strbuf why;
        sb_init(&why);
        for (size_t k = 0; k < ri->needs.len; k++) {
            const rule_need *n = ri->needs.items[k];
            if (!n->blocking)
                continue;
            if (!first)
                first = n;
            sb_printf(&why, "%s%s", why.len ? "; " : "", n->message);
        }
        srcpos at = first && first->file ? (srcpos){first->file, first->line, 0}
                                          : srcpos_file(ri->path);
        diag_emit(diags, unchecked, at, ri->id, "cannot check「%s」: %s (unchecked)",
                  ri->title ? ri->title : ri->id, why.data);
        sb_free(&why);
    }
}

value *check_counts_value(const check_counts *c)
{
    value *v = value_map();
    value_map_set_number(v, "errors", c->errors);
    value_map_set_number(v, "warnings", c->warnings);
    value_map_set_number(v, "missing", c->missing);
    value_map_set_number(v, "overdue", c->overdue);
    value_map_set_number(v, "due_soon", c->due_soon);
    value_map_set_number(v, "ok", c->ok);
    value_map_set_number(v, "rules", c->rules);
    value_map_set_number(v, "rules_failed", c->rules_failed);
    value_map_set_number(v, "rules_unchecked", c->rules_unchecked);
    return v;
}

check_counts check_count(const site *s, const rules_result *r)
{
    check_counts c = {0};
    for (size_t i = 0; i < r->flags.len; i++) {
        const rule_flag *f = r->flags.items[i];
        if (f->status != FLAG_OK) {
            if (f->severity == DIAG_ERROR)
                c.errors++;
            else if (f->severity == DIAG_WARNING)
                c.warnings++;
        }
        switch (f->status) {
        case FLAG_MISSING: c.missing++; break;
        case FLAG_OVERDUE: c.overdue++; break;
        case FLAG_DUE_SOON: c.due_soon++; break;
        case FLAG_OK: c.ok++; break;
        }
    }
    c.rules = (int)r->rules.len;
    c.rules_failed = r->failed;
    c.rules_unchecked = r->unchecked;
    if (s->config.unchecked_error)
        c.errors += r->unchecked; /* site.yaml `unchecked: error` */
    else
        c.warnings += r->unchecked;
    return c;
}

/* ---- flags.json and calendar.ics ---- */

static const char *severity_name(diag_severity s)
{
    return s == DIAG_ERROR ? "error" : s == DIAG_WARNING ? "warning" : "info";
}

static const rule_info *find_rule(const rules_result *r, const char *id)
{
    for (size_t i = 0; i < r->rules.len; i++) {
        const rule_info *ri = r->rules.items[i];
        if (ri->id && strcmp(ri->id, id) == 0)
            return ri;
    }
    return NULL;
}

/* A flag's identity across builds: its rule, place and due date (the
 * message may word today's distance to the date differently). */
static const char *content_relative(const site *s, const char *path);

char *check_flag_uid(const site *s, const rule_flag *f)
{
    uint64_t h = 1469598103934665603ULL;
    const char *file = f->file ? content_relative(s, f->file) : "";
    const char *parts[] = {f->rule_id, file, f->due ? f->due : "",
                           f->section ? f->section : "", f->file ? "" : f->message};
    for (size_t p = 0; p < sizeof parts / sizeof *parts; p++) {
        for (const char *c = parts[p]; *c; c++) {
            h ^= (unsigned char)*c;
            h *= 1099511628211ULL;
        }
        h ^= 0xff;
        h *= 1099511628211ULL;
    }
    h ^= (uint64_t)f->line;
    h *= 1099511628211ULL;
    return xasprintf("%s-%016llx", f->rule_id, (unsigned long long)h);
}

/* A row's file relative to the content folder, so flags.json (and the uids
 * derived from it) do not depend on how -C was written. */
static const char *content_relative(const site *s, const char *path)
{
    if (!s->dir || !path)
        return path;
    size_t n = strlen(s->dir);
    while (n > 1 && s->dir[n - 1] == '/')
        n--;
    if (path && strncmp(path, s->dir, n) == 0 && path[n] == '/')
        return path + n + 1;
    return path;
}

/* A rule as flags.json and `policygen rules` list it. */
static value *rule_summary(const rule_info *ri)
{
    value *rv = value_map();
    value_map_set_string(rv, "id", ri->id);
    value_map_set(rv, "title", ri->title ? value_string(ri->title) : value_null());
    value_map_set(rv, "source", ri->source ? value_string(ri->source) : value_null());
    value_map_set_string(rv, "severity", severity_name(ri->severity));
    value_map_set_string(rv, "kind", rule_kind_name(ri->kind));
    value_map_set_string(rv, "outcome", rule_outcome_name(ri->outcome));
    value_map_set_number(rv, "flags", (double)ri->flag_count);
    return rv;
}

value *check_flags_value(const site *s, const rules_result *r, date today)
{
    value *v = value_map();
    char buf[32];
    value_map_set_string(v, "schema", "policygen-flags/1");
    date_format_iso(today, buf, sizeof buf);
    value_map_set_string(v, "today", buf);
    value_map_set_string(v, "organization", s->config.org_name);
    value_map_set_string(v, "document", s->config.doc_id);
    const char *version = s->registers ? registers_current_version(s->registers) : NULL;
    value_map_set(v, "version", version ? value_string(version) : value_null());

    check_counts c = check_count(s, r);
    value_map_set(v, "summary", check_counts_value(&c));

    value *rules = value_list();
    for (size_t i = 0; i < r->rules.len; i++) {
        const rule_info *ri = r->rules.items[i];
        value *rv = rule_summary(ri);
        if (ri->outcome == RULE_UNCHECKED) {
            value *missing = value_list();
            for (size_t k = 0; k < ri->needs.len; k++) {
                const rule_need *n = ri->needs.items[k];
                if (!n->blocking)
                    continue;
                value *nv = value_map();
                value_map_set(nv, "need", value_string_take(need_name(n)));
                value_map_set_string(nv, "message", n->message);
                value_map_set(nv, "file", n->file ? value_string(content_relative(s, n->file))
                                                  : value_null());
                value_map_set(nv, "line", n->line ? value_number(n->line) : value_null());
                value_list_push(missing, nv);
            }
            value_map_set(rv, "missing_needs", missing);
        }
        value_list_push(rules, rv);
    }
    value_map_set(v, "rules", rules);

    value *flags = value_list();
    for (size_t i = 0; i < r->flags.len; i++) {
        const rule_flag *f = r->flags.items[i];
        const rule_info *ri = find_rule(r, f->rule_id);
        value *fv = value_map();
        value_map_set(fv, "uid", value_string_take(check_flag_uid(s, f)));
        value_map_set_string(fv, "rule", f->rule_id);
        value_map_set(fv, "rule_title",
                      ri && ri->title ? value_string(ri->title) : value_null());
        value_map_set(fv, "source", ri && ri->source ? value_string(ri->source) : value_null());
        value_map_set_string(fv, "severity", severity_name(f->severity));
        value_map_set_string(fv, "status", flag_status_name(f->status));
        value_map_set_string(fv, "message", f->message);
        value_map_set(fv, "due", f->due ? value_string(f->due) : value_null());
        value_map_set(fv, "file", f->file ? value_string(content_relative(s, f->file)) : value_null());
        value_map_set(fv, "line", f->line ? value_number(f->line) : value_null());
        value_map_set(fv, "owner", f->owner ? value_string(f->owner) : value_null());
        value_map_set(fv, "section", f->section ? value_string(f->section) : value_null());
        value_list_push(flags, fv);
    }
    value_map_set(v, "flags", flags);
    return v;
}

/* ---- `policygen rules` ---- */

/* The declared defaults (JSON from the rule's process) as a value. */
static value *params_value(const char *json)
{
    if (!json)
        return value_null();
    yaml_limits limits = yaml_default_limits();
    /* JSON is YAML; the rule's process wrote it, so a problem is the program's. */
    diag_sink d = diag_to_stderr();
    ydoc *doc = yaml_load_buffer("params", json, strlen(json), 1, &limits, &d);
    value *v = doc && doc->root ? ynode_to_value(doc->root) : value_null();
    ydoc_free(doc);
    return v;
}

value *check_rules_value(const site *s, const rules_result *r)
{
    value *list = value_list();
    for (size_t i = 0; i < r->rules.len; i++) {
        const rule_info *ri = r->rules.items[i];
        value *rv = rule_summary(ri);
        value_map_set_string(rv, "file", ri->path);
        if (ri->error)
            value_map_set_string(rv, "error", ri->error);
        value *needs = value_list();
        for (size_t k = 0; k < ri->needs.len; k++) {
            const rule_need *n = ri->needs.items[k];
            value *nv = value_map();
            value_map_set(nv, "need", value_string_take(need_name(n)));
            value_map_set_bool(nv, "optional", n->optional);
            value_map_set_bool(nv, "met", n->met);
            if (n->by)
                value_map_set_string(nv, "by", n->by);
            if (n->message)
                value_map_set_string(nv, "message", n->message);
            if (n->file) {
                value_map_set_string(nv, "file", content_relative(s, n->file));
                if (n->line)
                    value_map_set_number(nv, "line", n->line);
            }
            value_list_push(needs, nv);
        }
        value_map_set(rv, "needs", needs);
        value_map_set(rv, "params", params_value(ri->params));
        const ynode *given = ynode_get(s->config.rules, ri->id);
        value_map_set(rv, "given", given ? ynode_to_value(given) : value_null());
        value_list_push(list, rv);
    }
    return list;
}

void check_rules_text(FILE *out, const site *s, const rules_result *r)
{
    for (size_t i = 0; i < r->rules.len; i++) {
        const rule_info *ri = r->rules.items[i];
        fprintf(out, "%s%s  %s\n", i ? "\n" : "", ri->id, ri->title ? ri->title : "");
        switch (ri->outcome) {
        case RULE_RAN:
            fprintf(out, "  outcome  ran: %zu flag%s\n", ri->flag_count, ri->flag_count == 1 ? "" : "s");
            break;
        case RULE_UNCHECKED: fprintf(out, "  outcome  unchecked: a need is not met\n"); break;
        default: fprintf(out, "  outcome  %s\n", rule_outcome_name(ri->outcome)); break;
        }
        if (ri->source)
            fprintf(out, "  source   %s\n", ri->source);
        for (size_t k = 0; k < ri->needs.len; k++) {
            const rule_need *n = ri->needs.items[k];
            char *name = need_name(n);
            const char *state = n->met ? "ok" : n->blocking ? "MISSING" : "absent";
            fprintf(out, "  %s %-36s %-7s %s\n", k ? "       " : "needs  ", name, state,
                    n->met ? n->by : n->message ? n->message : "(the register's need says it)");
            free(name);
        }
        strbuf json;
        sb_init(&json);
        const ynode *given = ynode_get(s->config.rules, ri->id);
        if (given) {
            value *g = ynode_to_value(given);
            value_append_json(&json, g, false);
            value_unref(g);
        }
        if (ri->params || given)
            fprintf(out, "  params   %s%s%s\n", ri->params ? ri->params : "{}",
                    given ? "; site.yaml: " : "", given ? json.data : "");
        sb_free(&json);
    }
}

/* RFC 5545 3.3.11: backslash, semicolon, comma and newlines are escaped. */
static void ics_text(strbuf *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == ';' || *s == ',')
            sb_appendc(out, '\\');
        if (*s == '\n') {
            sb_append(out, "\\n");
            continue;
        }
        sb_appendc(out, *s);
    }
}

/* Lines longer than 75 octets are folded (CRLF and a space), never inside
 * a UTF-8 character. */
static void ics_line(strbuf *out, const char *line)
{
    size_t len = strlen(line), col = 0;
    for (size_t i = 0; i < len;) {
        size_t n = 1;
        unsigned char c = (unsigned char)line[i];
        if (c >= 0xf0)
            n = 4;
        else if (c >= 0xe0)
            n = 3;
        else if (c >= 0xc0)
            n = 2;
        if (col + n > 75) {
            sb_append(out, "\r\n ");
            col = 1;
        }
        sb_appendn(out, line + i, n);
        col += n;
        i += n;
    }
    sb_append(out, "\r\n");
}

char *check_calendar_ics(const site *s, const rules_result *r)
{
    strbuf out, line;
    sb_init(&out);
    sb_init(&line);
    ics_line(&out, "BEGIN:VCALENDAR");
    ics_line(&out, "VERSION:2.0");
    ics_line(&out, "PRODID:-//policygen//policygen 1//ZH-TW");
    ics_line(&out, "CALSCALE:GREGORIAN");
    sb_clear(&line);
    sb_append(&line, "X-WR-CALNAME:");
    ics_text(&line, s->config.org_short_name);
    sb_append(&line, " ");
    ics_text(&line, s->config.doc_title);
    ics_line(&out, line.data);
    for (size_t i = 0; i < r->flags.len; i++) {
        const rule_flag *f = r->flags.items[i];
        date due;
        if (!f->due || !date_parse(f->due, &due))
            continue;
        const rule_info *ri = find_rule(r, f->rule_id);
        date next = due;
        /* DTEND is exclusive: the day after. */
        static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int dim = mdays[due.month - 1] +
                  (due.month == 2 && ((due.year % 4 == 0 && due.year % 100 != 0) ||
                                      due.year % 400 == 0));
        if (++next.day > dim) {
            next.day = 1;
            if (++next.month > 12) {
                next.month = 1;
                next.year++;
            }
        }
        ics_line(&out, "BEGIN:VEVENT");
        char *uid = check_flag_uid(s, f);
        sb_clear(&line);
        sb_printf(&line, "UID:%s@%s.policygen", uid, s->config.doc_id);
        ics_line(&out, line.data);
        free(uid);
        sb_clear(&line);
        /* A fixed stamp keeps the file byte-identical from build to build. */
        sb_printf(&line, "DTSTAMP:%04d%02d%02dT000000Z", due.year, due.month, due.day);
        ics_line(&out, line.data);
        sb_clear(&line);
        sb_printf(&line, "DTSTART;VALUE=DATE:%04d%02d%02d", due.year, due.month, due.day);
        ics_line(&out, line.data);
        sb_clear(&line);
        sb_printf(&line, "DTEND;VALUE=DATE:%04d%02d%02d", next.year, next.month, next.day);
        ics_line(&out, line.data);
        sb_clear(&line);
        sb_append(&line, "SUMMARY:");
        ics_text(&line, f->message);
        ics_line(&out, line.data);
        sb_clear(&line);
        sb_append(&line, "DESCRIPTION:");
        if (ri && ri->title) {
            ics_text(&line, ri->title);
            sb_append(&line, "\\n");
        }
        if (ri && ri->source) {
            sb_append(&line, "依據：");
            ics_text(&line, ri->source);
            sb_append(&line, "\\n");
        }
        static const char *const status_zh[] = {"缺漏", "逾期", "即將到期", "符合"};
        sb_append(&line, "狀態：");
        ics_text(&line, status_zh[f->status]);
        ics_line(&out, line.data);
        sb_clear(&line);
        sb_printf(&line, "CATEGORIES:%s", f->rule_id);
        ics_line(&out, line.data);
        ics_line(&out, "TRANSP:TRANSPARENT");
        /* What is still to do reminds a week before and the day before. */
        static const char *const before[][2] = {{"-P7D", "一週後到期："}, {"-P1D", "明日到期："}};
        for (size_t k = 0; f->status != FLAG_OK && k < 2; k++) {
            ics_line(&out, "BEGIN:VALARM");
            ics_line(&out, "ACTION:DISPLAY");
            sb_clear(&line);
            sb_printf(&line, "TRIGGER:%s", before[k][0]);
            ics_line(&out, line.data);
            sb_clear(&line);
            sb_printf(&line, "DESCRIPTION:%s", before[k][1]);
            ics_text(&line, f->message);
            ics_line(&out, line.data);
            ics_line(&out, "END:VALARM");
        }
        ics_line(&out, "END:VEVENT");
    }
    ics_line(&out, "END:VCALENDAR");
    sb_free(&line);
    return sb_take(&out);
}

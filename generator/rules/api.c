#include "rules/api.h"

#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "core/fs.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "registers/regtype.h"
#include "rules/date.h"
#include "rules/sandbox.h"
#include "rules/site.h"

/* The registry key of the weak set of tables made by rule{}. */
static const char made_rules_key = 0;

static const char *const severity_names[] = {"error", "warning", "info", NULL};
static const diag_severity severity_values[] = {DIAG_ERROR, DIAG_WARNING, DIAG_INFO};
static const char *const status_names[] = {"missing", "overdue", "due-soon", "ok", NULL};
static const flag_status status_values[] = {FLAG_MISSING, FLAG_OVERDUE, FLAG_DUE_SOON, FLAG_OK};

static const char *const kind_names[] = {"duty", "document", NULL};
static const rule_kind kind_values[] = {RULE_KIND_DUTY, RULE_KIND_DOCUMENT};

/* In the order read_rule pushes them. */
static const char *const rule_fields[] = {"id",    "title", "severity", "source", "kind",
                                          "check", "needs", "params",   "plan",   NULL};
#define RULE_FIELD_COUNT 9
#define RULE_CHECK_SLOT 5 /* check's place in rule_fields */
static const char *const flag_fields[] = {"message", "status", "due",   "severity", "row",
                                          "section", "at",     "owner", NULL};

const char *rule_kind_name(rule_kind kind)
{
    return kind_names[kind == RULE_KIND_DOCUMENT];
}

void rule_flag_free(void *p)
{
    rule_flag *flag = p;
    if (!flag)
        return;
    free(flag->rule_id);
    free(flag->message);
    free(flag->due);
    free(flag->file);
    free(flag->section);
    free(flag->owner);
    free(flag);
}

void rule_api_init(rule_api *api)
{
    memset(api, 0, sizeof *api);
    vec_init(&api->flags, rule_flag_free);
    vec_init(&api->unknown_params, free);
}

void rule_api_free(rule_api *api)
{
    vec_free(&api->flags);
    vec_free(&api->unknown_params);
}

void rule_need_free(void *p)
{
    rule_need *n = p;
    if (!n)
        return;
    free(n->type);
    free(n->field);
    free(n->by);
    free(n->message);
    free(n->file);
    free(n);
}

void rule_decl_init(rule_decl *d)
{
    memset(d, 0, sizeof *d);
    vec_init(&d->needs, rule_need_free);
}

void rule_decl_free(rule_decl *d)
{
    free(d->id);
    free(d->title);
    free(d->source);
    free(d->plan);
    free(d->params);
    vec_free(&d->needs);
    rule_decl_init(d);
}

/* ---- checking tables ---- */

static int index_of(const char *const *names, const char *s)
{
    for (int i = 0; names[i]; i++) {
        if (strcmp(names[i], s) == 0)
            return i;
    }
    return -1;
}

static void append_names(luaL_Buffer *b, const char *const *names)
{
    for (int i = 0; names[i]; i++) {
        if (i > 0)
            luaL_addstring(b, ", ");
        luaL_addstring(b, names[i]);
    }
}

/* Raises "<where>what<names joined by ", ">after": luaL_error cannot list. */
static int raise_listing(lua_State *L, const char *what, const char *const *names,
                         const char *after)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_where(L, 1);
    luaL_addvalue(&b);
    luaL_addstring(&b, what);
    append_names(&b, names);
    luaL_addstring(&b, after);
    luaL_pushresult(&b);
    return lua_error(L);
}

/* A typo in a field name must not pass silently. When there are several, the
 * alphabetically first is named, so the message does not depend on hashing. */
static void check_known_fields(lua_State *L, int table, const char *what, const char *const *known)
{
    const char *unknown = NULL;
    for (lua_pushnil(L); lua_next(L, table); lua_pop(L, 1)) {
        if (lua_type(L, -2) != LUA_TSTRING) {
            luaL_error(L, "%s: unexpected %s key (fields are named)", what,
                       luadate_typename(L, -2));
        }
        const char *key = lua_tostring(L, -2);
        if (index_of(known, key) < 0 && (!unknown || strcmp(key, unknown) < 0))
            unknown = key; /* stays alive: the key is still in the table */
    }
    if (unknown) {
        lua_pushfstring(L, "%s: unknown field '%s' (known: ", what, unknown);
        raise_listing(L, lua_tostring(L, -1), known, ")");
    }
}

/* Pushes table[field]; it must be a non-empty string unless optional and nil.
 * Returns the string (alive while on the stack) or NULL. */
static const char *get_string(lua_State *L, int table, const char *what, const char *field,
                              bool optional)
{
    int type = lua_getfield(L, table, field);
    if (type == LUA_TNIL && optional)
        return NULL;
    if (type != LUA_TSTRING || lua_rawlen(L, -1) == 0)
        luaL_error(L, "%s: field '%s' must be a non-empty string (got %s)", what, field,
                   type == LUA_TSTRING ? "\"\"" : luadate_typename(L, -1));
    return lua_tostring(L, -1);
}

/* Pushes table[field], which must be one of names; returns its index, or -1
 * when optional and nil. */
static int get_choice(lua_State *L, int table, const char *what, const char *field,
                      const char *const *names, bool optional)
{
    int type = lua_getfield(L, table, field);
    if (type == LUA_TNIL && optional)
        return -1;
    int choice = type == LUA_TSTRING ? index_of(names, lua_tostring(L, -1)) : -1;
    if (choice < 0) {
        if (type == LUA_TSTRING)
            lua_pushfstring(L, " (got '%s')", lua_tostring(L, -1));
        else
            lua_pushfstring(L, " (got %s)", luadate_typename(L, -1));
        lua_pushfstring(L, "%s: field '%s' must be one of ", what, field);
        raise_listing(L, lua_tostring(L, -1), names, lua_tostring(L, -2));
    }
    return choice;
}

static bool valid_rule_id(const char *id)
{
    for (const char *c = id; *c; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
            return false;
    }
    return *id != '\0';
}

/* The fields of a rule table, borrowed from the Lua stack. */
typedef struct rule_fields_read {
    const char *id, *title, *source;
    int severity;
    int kind; /* -1: not given (a duty) */
} rule_fields_read;

/* A name of needs with its optional "?": the name (pushed) and whether it
 * had one. */
static const char *need_name(lua_State *L, int idx, bool *optional)
{
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    *optional = len > 1 && s[len - 1] == '?';
    lua_pushlstring(L, s, *optional ? len - 1 : len);
    return lua_tostring(L, -1);
}

static rule_need *new_need(const char *type, const char *field, bool optional)
{
    rule_need *n = xcalloc(1, sizeof *n);
    n->type = xstrdup(type);
    n->field = field ? xstrdup(field) : NULL;
    n->optional = optional;
    return n;
}

static int compare_needs(const void *a, const void *b)
{
    const rule_need *x = *(rule_need *const *)a, *y = *(rule_need *const *)b;
    return strcmp(x->type, y->type);
}

/* Checks rule.needs at idx against the catalogue and, when out is given,
 * fills it: per type (sorted) the register, then its fields in order. */
static void read_needs(lua_State *L, int idx, vec *out)
{
    if (lua_isnil(L, idx))
        return;
    if (lua_type(L, idx) != LUA_TTABLE)
        luaL_error(L, "rule: field 'needs' must be a table of register types (got %s)",
                   luadate_typename(L, idx));
    idx = lua_absindex(L, idx);
    vec types;
    vec_init(&types, NULL);
    for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1)) {
        int top = lua_gettop(L);
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "rule: needs are named by register type, as needs = { staff = { "
                          "\"name\" } }");
        bool optional;
        const char *type = need_name(L, -2, &optional);
        const regtype *t = regtype_get(type);
        if (!t) {
            lua_pushfstring(L, "rule: needs: unknown register type '%s' (types: ", type);
            char *names = regtype_names();
            lua_pushfstring(L, "%s%s)", lua_tostring(L, -1), names);
            free(names);
            lua_error(L);
        }
        if (lua_type(L, top) != LUA_TTABLE)
            luaL_error(L, "rule: needs.%s must list the fields the rule reads (got %s)", type,
                       luadate_typename(L, top));
        rule_need *reg = out ? new_need(type, NULL, optional) : NULL;
        vec fields;
        vec_init(&fields, NULL);
        lua_Integer n = (lua_Integer)lua_rawlen(L, top);
        for (lua_Integer i = 1; i <= n; i++) {
            if (lua_rawgeti(L, top, i) != LUA_TSTRING)
                luaL_error(L, "rule: needs.%s lists field names (got %s)", type,
                           luadate_typename(L, -1));
            bool field_optional;
            const char *field = need_name(L, -1, &field_optional);
            if (!regtype_field_get(t, field)) {
                strbuf names;
                sb_init(&names);
                for (size_t k = 0; k < t->fields.len; k++)
                    sb_printf(&names, "%s%s", k ? ", " : "",
                              ((const regtype_field *)t->fields.items[k])->name);
                lua_pushfstring(L, "rule: needs.%s: '%s' is not a field of type %s (its fields: %s)",
                                type, field, type, names.data);
                sb_free(&names);
                lua_error(L);
            }
            if (out)
                vec_push(&fields, new_need(type, field, field_optional));
            lua_pop(L, 2);
        }
        if (out) {
            vec_push(&types, reg);
            for (size_t k = 0; k < fields.len; k++)
                vec_push(&types, fields.items[k]);
        }
        vec_free(&fields);
        lua_settop(L, top);
    }
    if (out) {
        /* types sorted by name, each followed by its fields in declared order */
        vec heads;
        vec_init(&heads, NULL);
        for (size_t i = 0; i < types.len; i++)
            if (!((rule_need *)types.items[i])->field)
                vec_push(&heads, types.items[i]);
        vec_sort(&heads, compare_needs);
        for (size_t h = 0; h < heads.len; h++) {
            rule_need *head = heads.items[h];
            vec_push(out, head);
            size_t at = 0;
            while (types.items[at] != head)
                at++;
            for (size_t k = at + 1; k < types.len && ((rule_need *)types.items[k])->field; k++)
                vec_push(out, types.items[k]);
        }
        vec_free(&heads);
    }
    vec_free(&types);
}

/* Checks the rule table at idx, leaving its field values pushed
 * (RULE_FIELD_COUNT slots, in the order of rule_fields). */
static rule_fields_read read_rule(lua_State *L, int idx)
{
    rule_fields_read r;
    r.id = get_string(L, idx, "rule", "id", false);
    if (!valid_rule_id(r.id))
        luaL_error(L, "rule: id '%s' may only use a-z, 0-9 and '-'", r.id);
    r.title = get_string(L, idx, "rule", "title", false);
    r.severity = get_choice(L, idx, "rule", "severity", severity_names, false);
    r.source = get_string(L, idx, "rule", "source", false);
    r.kind = get_choice(L, idx, "rule", "kind", kind_names, true);
    if (lua_getfield(L, idx, "check") != LUA_TFUNCTION)
        luaL_error(L, "rule: field 'check' must be a function (got %s)", luadate_typename(L, -1));
    lua_getfield(L, idx, "needs");
    read_needs(L, -1, NULL);
    int type = lua_getfield(L, idx, "params");
    if (type != LUA_TNIL && type != LUA_TTABLE)
        luaL_error(L, "rule: field 'params' must be a table of parameter defaults (got %s)",
                   luadate_typename(L, -1));
    if (type == LUA_TTABLE)
        for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1))
            if (lua_type(L, -2) != LUA_TSTRING)
                luaL_error(L, "rule: params are named, as params = { window_days = 30 }");
    get_string(L, idx, "rule", "plan", true);
    return r;
}

/* ---- rule{} ---- */

/* rule{...} checks the declaration and returns a fresh copy, so later changes
 * to the caller's table cannot slip past the checks. */
static int l_rule(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    check_known_fields(L, 1, "rule", rule_fields);
    read_rule(L, 1);
    lua_createtable(L, 0, RULE_FIELD_COUNT);
    for (int i = 0; rule_fields[i]; i++) {
        lua_pushvalue(L, 2 + i);
        lua_setfield(L, -2, rule_fields[i]);
    }
    lua_rawgetp(L, LUA_REGISTRYINDEX, &made_rules_key);
    lua_pushvalue(L, -2);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    return 1;
}

int rule_api_take(lua_State *L)
{
    rule_decl *out = lua_touserdata(L, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &made_rules_key);
    lua_pushvalue(L, 2);
    bool made = lua_type(L, 2) == LUA_TTABLE && lua_rawget(L, -2) != LUA_TNIL;
    if (!made) {
        const char *got = lua_isnil(L, 2)                ? "nothing"
                          : lua_type(L, 2) == LUA_TTABLE ? "a table that rule{} did not make"
                                                         : luadate_typename(L, 2);
        return luaL_error(L,
                          "a plugin must end with `return rule { ... }`, but this one "
                          "returned %s",
                          got);
    }
    lua_settop(L, 2);
    rule_fields_read r = read_rule(L, 2);
    int check = 3 + RULE_CHECK_SLOT, needs = check + 1, params = needs + 1, plan = params + 1;
    vec found;
    vec_init(&found, rule_need_free);
    read_needs(L, needs, &found);
    value *defaults = lua_istable(L, params) ? site_to_value(L, params) : NULL;
    out->id = xstrdup(r.id);
    out->title = xstrdup(r.title);
    out->source = xstrdup(r.source);
    out->severity = severity_values[r.severity];
    out->kind = r.kind >= 0 ? kind_values[r.kind] : RULE_KIND_DUTY;
    out->plan = lua_isstring(L, plan) ? xstrdup(lua_tostring(L, plan)) : NULL;
    if (defaults) {
        strbuf json;
        sb_init(&json);
        value_append_json(&json, defaults, false);
        out->params = sb_take(&json);
        value_unref(defaults);
    }
    for (size_t i = 0; i < found.len; i++)
        vec_push(&out->needs, found.items[i]);
    found.len = 0; /* moved */
    vec_free(&found);
    lua_pushvalue(L, check);
    lua_pushvalue(L, params);
    return 2;
}

/* ---- flag{} ---- */

static diag_severity default_severity(const rule_api *api, flag_status status)
{
    switch (status) {
    case FLAG_MISSING:
    case FLAG_OVERDUE: return api->rule_severity;
    case FLAG_DUE_SOON: return api->rule_severity == DIAG_INFO ? DIAG_INFO : DIAG_WARNING;
    case FLAG_OK: return DIAG_INFO;
    }
    return api->rule_severity;
}

/* Pushes flag.due; returns false when absent. */
static bool get_due(lua_State *L, int table, date *due)
{
    int type = lua_getfield(L, table, "due");
    if (type == LUA_TNIL)
        return false;
    if (luadate_get(L, -1, due))
        return true;
    if (type == LUA_TSTRING && date_parse(lua_tostring(L, -1), due))
        return true;
    if (type == LUA_TSTRING)
        luaL_error(L, "flag: field 'due' must be a date (got the string '%s')",
                   lua_tostring(L, -1));
    luaL_error(L, "flag: field 'due' must be a date (got %s)", luadate_typename(L, -1));
    return false;
}

/* Pushes two values and returns the file of flag.row (a row of
 * site.registers, with its _file and _line) or flag.at ({ file, line }: a
 * place in the plan, which the host checks is one of the plan's blocks), or
 * NULL when the flag names neither. */
static const char *get_place(lua_State *L, int table, int *line)
{
    int row = lua_getfield(L, table, "row");
    int at = lua_getfield(L, table, "at");
    *line = 0;
    if (row != LUA_TNIL && at != LUA_TNIL)
        luaL_error(L, "flag: give 'row' (a register row) or 'at' (a place in the plan), not both");
    int place = lua_gettop(L) - (row != LUA_TNIL ? 1 : 0);
    const char *file_key = "_file", *line_key = "_line";
    if (row != LUA_TNIL) {
        if (row != LUA_TTABLE || !site_is_row(L, place))
            luaL_error(L, "flag: field 'row' must be a row of site.registers (got %s)",
                       row == LUA_TTABLE ? "a table the rule made" : luadate_typename(L, place));
    } else if (at != LUA_TNIL) {
        if (at != LUA_TTABLE)
            luaL_error(L, "flag: field 'at' must be { file = document.path, line = block.line } "
                          "(got %s)",
                       luadate_typename(L, place));
        file_key = "file";
        line_key = "line";
    } else {
        return NULL;
    }
    lua_settop(L, place);
    bool has_file = lua_getfield(L, place, file_key) == LUA_TSTRING;
    bool has_line = lua_getfield(L, place, line_key) == LUA_TNUMBER && lua_isinteger(L, -1);
    if (!has_file || !has_line)
        luaL_error(L, "flag: field 'at' must be { file = document.path, line = block.line }");
    lua_Integer n = lua_tointeger(L, -1);
    *line = n > 0 && n < 1000000000 ? (int)n : 0;
    return lua_tostring(L, -2);
}

/* A message as C text: a NUL inside it would cut it short, so each is
 * written as \x00. */
static char *message_text(lua_State *L, int idx)
{
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    if (!memchr(s, '\0', len))
        return xstrdup(s);
    strbuf out;
    sb_init(&out);
    for (size_t i = 0; i < len; i++) {
        if (s[i])
            sb_appendc(&out, s[i]);
        else
            sb_append(&out, "\\x00");
    }
    return sb_take(&out);
}

static int l_flag(lua_State *L)
{
    rule_api *api = lua_touserdata(L, lua_upvalueindex(1));
    if (!api->checking)
        return luaL_error(L, "flag: flags can only be raised while a rule's check runs");
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    check_known_fields(L, 1, "flag", flag_fields);

    /* Read and check everything before allocating on the C side, so an error
     * leaks nothing. The strings stay alive on the stack. */
    get_string(L, 1, "flag", "message", false);
    int message = lua_gettop(L);
    int status = get_choice(L, 1, "flag", "status", status_names, false);
    int severity = get_choice(L, 1, "flag", "severity", severity_names, true);
    date due;
    bool has_due = get_due(L, 1, &due);
    const char *section = get_string(L, 1, "flag", "section", true);
    const char *owner = get_string(L, 1, "flag", "owner", true);
    int line;
    const char *file = get_place(L, 1, &line);

    if (api->flags.len >= RULES_MAX_FLAGS) {
        api->dropped++; /* counted, so the report can say how many more */
        return 0;
    }
    rule_flag *flag = xcalloc(1, sizeof *flag);
    flag->rule_id = xstrdup(api->rule_id ? api->rule_id : "");
    flag->status = status_values[status];
    flag->severity =
        severity >= 0 ? severity_values[severity] : default_severity(api, flag->status);
    flag->message = message_text(L, message);
    if (has_due) {
        flag->due = xmalloc(11);
        date_format_iso(due, flag->due, 11);
    }
    flag->file = file ? xstrdup(file) : NULL;
    flag->line = file ? line : 0;
    flag->section = section ? xstrdup(section) : NULL;
    flag->owner = owner ? xstrdup(owner) : NULL;
    vec_push(&api->flags, flag);
    return 0;
}

/* ---- require ---- */

/* require "name": the helper module lib_dir/name.lua, run once in this
 * state with the same sandbox; its result is kept for later requires. */
static const char modules_key = 0;

static bool valid_module_name(const char *s)
{
    for (const char *c = s; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
            return false;
    return *s != '\0';
}

static int l_require(lua_State *L)
{
    rule_api *api = lua_touserdata(L, lua_upvalueindex(1));
    const char *name = luaL_checkstring(L, 1);
    lua_settop(L, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &modules_key);
    lua_pushvalue(L, 1);
    if (lua_rawget(L, 2) != LUA_TNIL)
        return 1;
    lua_pop(L, 1);
    if (!valid_module_name(name))
        return luaL_error(L, "require: '%s' is not a helper module's name (a-z, 0-9, '-', '_')",
                          name);
    if (!api->lib_dir)
        return luaL_error(L, "require: no helper modules here");
    char *path = xasprintf("%s/%s.lua", api->lib_dir, name);
    size_t len;
    char *text = fs_read_file(path, (size_t)1 << 20, &len);
    if (!text) {
        lua_pushfstring(L, "require: no helper module '%s' (%s)", name, path);
        free(path);
        return lua_error(L);
    }
    lua_pushfstring(L, "@%s", path);
    free(path);
    int status = luaL_loadbufferx(L, text, len, lua_tostring(L, -1), "t");
    free(text);
    if (status != LUA_OK)
        return lua_error(L);
    lua_call(L, 0, 1);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, 1);
    lua_pushvalue(L, -2);
    lua_rawset(L, 2);
    return 1;
}

/* ---- set-up and check ---- */

int rule_api_install(lua_State *L)
{
    rule_api *api = lua_touserdata(L, 1);
    luadate_install(L);
    site_install(L);

    lua_newtable(L);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_pushvalue(L, -1);
    lua_setmetatable(L, -2);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &made_rules_key);

    lua_pushcfunction(L, l_rule);
    lua_setglobal(L, "rule");
    lua_pushlightuserdata(L, api);
    lua_pushcclosure(L, l_flag, 1);
    lua_setglobal(L, "flag");

    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &modules_key);
    lua_pushlightuserdata(L, api);
    lua_pushcclosure(L, l_require, 1);
    lua_setglobal(L, "require");
    return 0;
}

/* Pushes check's params and given: the declared defaults (at declared, or
 * nil) with site.yaml's over them, and the set of the names site.yaml gave.
 * A name the rule does not declare goes to api->unknown_params (when the rule
 * declares any). */
static void push_params(lua_State *L, const check_input *in, int declared)
{
    const value *given = in->params && in->params->kind == VALUE_MAP ? in->params : NULL;
    bool has_declared = lua_istable(L, declared);
    lua_newtable(L);
    int params = lua_gettop(L);
    if (has_declared)
        for (lua_pushnil(L); lua_next(L, declared); lua_pop(L, 1)) {
            lua_pushvalue(L, -2);
            lua_pushvalue(L, -2);
            lua_rawset(L, params);
        }
    lua_newtable(L);
    int names = lua_gettop(L);
    for (size_t i = 0; given && i < given->as.map.len; i++) {
        const char *key = given->as.map.entries[i].key;
        if (has_declared) {
            lua_getfield(L, declared, key);
            bool known = !lua_isnil(L, -1);
            lua_pop(L, 1);
            if (!known)
                vec_push(&in->api->unknown_params, xstrdup(key));
        }
        site_push_value(L, given->as.map.entries[i].value);
        lua_setfield(L, params, key);
        lua_pushboolean(L, 1);
        lua_setfield(L, names, key);
    }
}

int rule_api_check(lua_State *L)
{
    const check_input *in = lua_touserdata(L, 1);
    luaL_checkstack(L, 8, NULL);
    lua_pushvalue(L, 2);
    site_push(L, in->site, in->lazy, in->lazy_count, in->registers, in->needs);
    luadate_push(L, in->today);
    push_params(L, in, 3);
    lua_call(L, 4, 0);
    return 0;
}

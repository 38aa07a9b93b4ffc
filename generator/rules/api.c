#include "rules/api.h"

#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "core/xalloc.h"
#include "rules/date.h"
#include "rules/site.h"

/* The registry key of the weak set of tables made by rule{}. */
static const char made_rules_key = 0;

static const char *const severity_names[] = {"error", "warning", "info", NULL};
static const diag_severity severity_values[] = {DIAG_ERROR, DIAG_WARNING, DIAG_INFO};
static const char *const status_names[] = {"missing", "overdue", "due-soon", "ok", NULL};
static const flag_status status_values[] = {FLAG_MISSING, FLAG_OVERDUE, FLAG_DUE_SOON, FLAG_OK};

static const char *const kind_names[] = {"duty", "document", NULL};
static const rule_kind kind_values[] = {RULE_KIND_DUTY, RULE_KIND_DOCUMENT};

/* check last: read_rule leaves it on the top of the stack. */
static const char *const rule_fields[] = {"id", "title", "severity", "source", "kind", "check",
                                          NULL};
static const char *const flag_fields[] = {"message", "status",  "due",   "severity",
                                          "row",     "section", "owner", NULL};

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
}

void rule_api_free(rule_api *api)
{
    vec_free(&api->flags);
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

/* Checks the rule table at idx, leaving its field values pushed (6 slots,
 * in the order of rule_fields). */
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
    lua_createtable(L, 0, 6);
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
    out->id = xstrdup(r.id);
    out->title = xstrdup(r.title);
    out->source = xstrdup(r.source);
    out->severity = severity_values[r.severity];
    out->kind = r.kind >= 0 ? kind_values[r.kind] : RULE_KIND_DUTY;
    return 1; /* check, the last field read_rule pushed */
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

/* Pushes flag.row's _file and _line; returns the file or NULL without a row. */
static const char *get_row_place(lua_State *L, int table, int *line)
{
    int type = lua_getfield(L, table, "row");
    if (type == LUA_TNIL) {
        lua_pushnil(L);
        lua_pushnil(L);
        *line = 0;
        return NULL;
    }
    if (type != LUA_TTABLE)
        luaL_error(L, "flag: field 'row' must be a register row (got %s)", luadate_typename(L, -1));
    int row = lua_gettop(L);
    bool has_file = lua_getfield(L, row, "_file") == LUA_TSTRING;
    bool has_line = lua_getfield(L, row, "_line") == LUA_TNUMBER && lua_isinteger(L, -1);
    if (!has_file || !has_line)
        luaL_error(L, "flag: field 'row' must be a row of site.registers (it has no "
                      "_file and _line)");
    lua_Integer n = lua_tointeger(L, -1);
    *line = n > 0 && n < 1000000000 ? (int)n : 0;
    return lua_tostring(L, -2);
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
    const char *message = get_string(L, 1, "flag", "message", false);
    int status = get_choice(L, 1, "flag", "status", status_names, false);
    int severity = get_choice(L, 1, "flag", "severity", severity_names, true);
    date due;
    bool has_due = get_due(L, 1, &due);
    int line;
    const char *file = get_row_place(L, 1, &line);
    const char *section = get_string(L, 1, "flag", "section", true);
    const char *owner = get_string(L, 1, "flag", "owner", true);

    rule_flag *flag = xcalloc(1, sizeof *flag);
    flag->rule_id = xstrdup(api->rule_id ? api->rule_id : "");
    flag->status = status_values[status];
    flag->severity =
        severity >= 0 ? severity_values[severity] : default_severity(api, flag->status);
    flag->message = xstrdup(message);
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
    return 0;
}

int rule_api_check(lua_State *L)
{
    const check_input *in = lua_touserdata(L, 1);
    luaL_checkstack(L, 4, NULL);
    lua_pushvalue(L, 2);
    site_push(L, in->site, in->lazy, in->lazy_count);
    luadate_push(L, in->today);
    if (in->params && in->params->kind == VALUE_MAP)
        site_push_value(L, in->params);
    else
        lua_newtable(L);
    lua_call(L, 3, 0);
    return 0;
}

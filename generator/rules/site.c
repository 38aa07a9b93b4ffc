#include "rules/site.h"

#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "rules/date.h"
#include "rules/sandbox.h"

#define MAX_DEPTH 200
#define DATE_KEY "$date"

/* Registry keys: their addresses are unique. */
static const char register_meta_key = 0;
static const char registers_meta_key = 0;

/* ---- value to Lua ---- */

static bool is_date_marker(const value *v)
{
    return v->kind == VALUE_MAP && v->as.map.len == 1 &&
           strcmp(v->as.map.entries[0].key, DATE_KEY) == 0;
}

static void push_number(lua_State *L, double n)
{
    lua_Integer i;
    /* Whole numbers become integers, so 6 prints as "6" and works with %d. */
    if (lua_numbertointeger(n, &i) && (double)i == n)
        lua_pushinteger(L, i);
    else
        lua_pushnumber(L, n);
}

static void push_date(lua_State *L, const value *marker)
{
    const char *text = value_as_string(marker->as.map.entries[0].value);
    date d;
    if (!date_parse(text, &d))
        luaL_error(L,
                   "site data: a {\"" DATE_KEY "\": ...} value must hold \"YYYY-MM-DD\", "
                   "not %s%s%s",
                   text ? "'" : "", text ? text : "a non-string", text ? "'" : "");
    luadate_push(L, d);
}

static void push_value(lua_State *L, const value *v, int depth)
{
    if (!v) {
        lua_pushnil(L);
        return;
    }
    if (depth > MAX_DEPTH)
        luaL_error(L, "site data nested deeper than %d levels", MAX_DEPTH);
    luaL_checkstack(L, 3, "site data nested too deeply");
    switch (v->kind) {
    case VALUE_NULL: lua_pushnil(L); break;
    case VALUE_BOOL: lua_pushboolean(L, v->as.boolean); break;
    case VALUE_NUMBER: push_number(L, v->as.number); break;
    case VALUE_STRING: lua_pushlstring(L, v->as.string.data, v->as.string.len); break;
    case VALUE_LIST:
        lua_createtable(L, (int)v->as.list.len, 0);
        for (size_t i = 0; i < v->as.list.len; i++) {
            push_value(L, v->as.list.items[i], depth + 1);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        break;
    case VALUE_MAP:
        if (is_date_marker(v)) {
            push_date(L, v);
            break;
        }
        lua_createtable(L, 0, (int)v->as.map.len);
        for (size_t i = 0; i < v->as.map.len; i++) {
            lua_pushstring(L, v->as.map.entries[i].key);
            push_value(L, v->as.map.entries[i].value, depth + 1);
            lua_rawset(L, -3);
        }
        break;
    }
}

void site_push_value(lua_State *L, const value *v)
{
    push_value(L, v, 0);
}

/* ---- register arrays ---- */

/* Registry keys: their addresses are unique. */
static const char rows_key = 0; /* weak set of the row tables pushed: flag{row=} takes only these */

static void push_empty_register(lua_State *L)
{
    lua_newtable(L);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &register_meta_key);
    lua_setmetatable(L, -2);
}

/* Calls pred(row) for row i of the register at 1; pred is at 2. */
static bool row_matches(lua_State *L, lua_Integer i)
{
    lua_pushvalue(L, 2);
    lua_rawgeti(L, 1, i);
    lua_call(L, 1, 1);
    bool matches = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return matches;
}

/* register:find(pred) -> the first row for which pred(row) is true, and its
 * index; nil when none. */
static int l_find(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
    for (lua_Integer i = 1; i <= n; i++) {
        if (row_matches(L, i)) {
            lua_rawgeti(L, 1, i);
            lua_pushinteger(L, i);
            return 2;
        }
    }
    lua_pushnil(L);
    return 1;
}

/* register:filter(pred) -> a new register array of the rows pred accepts. */
static int l_filter(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_settop(L, 2);
    push_empty_register(L);
    lua_Integer n = (lua_Integer)lua_rawlen(L, 1), kept = 0;
    for (lua_Integer i = 1; i <= n; i++) {
        if (row_matches(L, i)) {
            lua_rawgeti(L, 1, i);
            lua_rawseti(L, 3, ++kept);
        }
    }
    return 1;
}

/* register:count([pred]) -> how many rows pred accepts (all rows without pred). */
static int l_count(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
    if (lua_isnoneornil(L, 2)) {
        lua_pushinteger(L, n);
        return 1;
    }
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_Integer matched = 0;
    for (lua_Integer i = 1; i <= n; i++)
        matched += row_matches(L, i);
    lua_pushinteger(L, matched);
    return 1;
}

/* register:get(key) -> the row whose _key is key (compared as text), or nil:
 * how a ref field's value finds its row. */
static int l_get(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    if (lua_isnoneornil(L, 2))
        return 0;
    size_t len;
    const char *key = luaL_tolstring(L, 2, &len);
    lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, 1, i);
        if (lua_type(L, -1) == LUA_TTABLE) {
            lua_pushliteral(L, "_key");
            lua_rawget(L, -2);
            size_t klen;
            const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &klen) : NULL;
            if (k && klen == len && memcmp(k, key, len) == 0) {
                lua_pop(L, 1);
                return 1;
            }
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    lua_pushnil(L);
    return 1;
}

/* site.registers' __index: a type the rule did not declare. */
static int undeclared_type(lua_State *L)
{
    const char *name = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?";
    return luaL_error(L,
                      "site.registers.%s: this rule does not read register type '%s' (declare "
                      "it: needs = { [\"%s\"] = { ... } })",
                      name, name, name);
}

/* A row's __index: a field the rule did not declare. Upvalues: the declared
 * names (a set) and the type. */
static int undeclared_field(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TSTRING) {
        lua_pushvalue(L, 2);
        if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
            return 0; /* declared, and empty in this row */
        const char *type = lua_tostring(L, lua_upvalueindex(2));
        const char *name = lua_tostring(L, 2);
        return luaL_error(L,
                          "%s.%s: this rule does not read that field (declare it: needs = { "
                          "[\"%s\"] = { ..., \"%s\" } })",
                          type, name, type, name);
    }
    return 0;
}

void site_install(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"find", l_find},
        {"filter", l_filter},
        {"count", l_count},
        {"get", l_get},
        {NULL, NULL},
    };
    lua_newtable(L);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "register");
    lua_setfield(L, -2, "__metatable");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &register_meta_key);

    lua_newtable(L);
    lua_pushcfunction(L, undeclared_type);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "registers");
    lua_setfield(L, -2, "__metatable");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &registers_meta_key);

    lua_newtable(L);
    lua_newtable(L);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &rows_key);
}

bool site_is_row(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &rows_key);
    lua_pushvalue(L, idx);
    bool found = lua_rawget(L, -2) != LUA_TNIL;
    lua_pop(L, 2);
    return found;
}

/* The needs of one type, from i on: the declared fields as a set (pushed),
 * and whether the type itself is there. */
static void push_declared(lua_State *L, const vec *needs, const char *type)
{
    lua_newtable(L);
    for (size_t i = 0; i < needs->len; i++) {
        const rule_need *n = needs->items[i];
        if (n->field && strcmp(n->type, type) == 0) {
            lua_pushboolean(L, 1);
            lua_setfield(L, -2, n->field);
        }
    }
}

/* Pushes one typed register as its rows array, each row with the declared
 * fields only (plus _key, _file, _line) and a metatable that refuses the
 * others; name, title and type are fields of the array. */
static void push_register(lua_State *L, const char *type, const value *reg, const vec *needs)
{
    const value *rows = value_map_get(reg, "rows");
    if (!rows || rows->kind != VALUE_LIST)
        luaL_error(L, "site data: register type '%s' has no rows", type);
    luaL_checkstack(L, 8, NULL);
    lua_createtable(L, (int)rows->as.list.len, 3);
    int array = lua_gettop(L);
    push_declared(L, needs, type);
    int declared = lua_gettop(L);
    lua_createtable(L, 0, 2); /* the rows' metatable */
    lua_pushvalue(L, declared);
    lua_pushstring(L, type);
    lua_pushcclosure(L, undeclared_field, 2);
    lua_setfield(L, -2, "__index");
    int meta = lua_gettop(L);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &rows_key);
    int places = lua_gettop(L);
    static const char *const place_keys[] = {"_key", "_file", "_line"};
    for (size_t i = 0; i < rows->as.list.len; i++) {
        const value *row = rows->as.list.items[i];
        lua_createtable(L, 0, 4);
        for (size_t k = 0; row->kind == VALUE_MAP && k < row->as.map.len; k++) {
            const char *key = row->as.map.entries[k].key;
            bool wanted = false;
            for (size_t p = 0; p < 3 && !wanted; p++)
                wanted = strcmp(key, place_keys[p]) == 0;
            if (!wanted) {
                lua_getfield(L, declared, key);
                wanted = lua_toboolean(L, -1);
                lua_pop(L, 1);
            }
            if (!wanted)
                continue;
            push_value(L, row->as.map.entries[k].value, 2);
            lua_setfield(L, -2, key);
        }
        lua_pushvalue(L, meta);
        lua_setmetatable(L, -2);
        lua_pushvalue(L, -1);
        lua_pushboolean(L, 1);
        lua_rawset(L, places);
        lua_rawseti(L, array, (lua_Integer)i + 1);
    }
    lua_settop(L, declared);
    /* fields: the declared fields the register keeps (a set); options: the
     * values an enum or checks field offers, by field */
    const value *fields = value_map_get(reg, "fields");
    lua_newtable(L);
    lua_newtable(L);
    for (size_t i = 0; fields && fields->kind == VALUE_MAP && i < fields->as.map.len; i++) {
        const char *name = fields->as.map.entries[i].key;
        const value *fv = fields->as.map.entries[i].value;
        lua_getfield(L, declared, name);
        bool wanted = lua_toboolean(L, -1);
        lua_pop(L, 1);
        if (!wanted || !value_map_get(fv, "own") || value_map_get(fv, "problem"))
            continue;
        lua_pushboolean(L, 1);
        lua_setfield(L, -3, name);
        const value *options = value_map_get(fv, "values");
        if (options) {
            push_value(L, options, 2);
            lua_setfield(L, -2, name);
        }
    }
    lua_setfield(L, array, "options");
    lua_setfield(L, array, "fields");
    lua_settop(L, array);
    static const char *const meta_keys[] = {"name", "title"};
    for (size_t i = 0; i < 2; i++) {
        push_value(L, value_map_get(reg, meta_keys[i]), 1);
        lua_setfield(L, array, meta_keys[i]);
    }
    lua_pushstring(L, type);
    lua_setfield(L, array, "type");
    lua_rawgetp(L, LUA_REGISTRYINDEX, &register_meta_key);
    lua_setmetatable(L, array);
}

static const rules_lazy *find_lazy(const rules_lazy *lazy, size_t count, const char *key)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(lazy[i].key, key) == 0)
            return &lazy[i];
    return NULL;
}

static int push_part(lua_State *L)
{
    const rules_lazy *part = lua_touserdata(L, 1);
    part->push(L, part->ctx);
    return 1;
}

/* site's __index: builds a lazy part on its first read and keeps it. The
 * collector waits meanwhile: everything built is alive, and marking it again
 * and again as it grows cost a sixth of the time. */
static int lazy_index(lua_State *L)
{
    const rules_lazy *lazy = lua_touserdata(L, lua_upvalueindex(1));
    size_t count = (size_t)lua_tointeger(L, lua_upvalueindex(2));
    const rules_lazy *part =
        lua_type(L, 2) == LUA_TSTRING ? find_lazy(lazy, count, lua_tostring(L, 2)) : NULL;
    if (!part)
        return 0;
    sandbox_note_line(L); /* should the host's code crash or hang */
    lua_gc(L, LUA_GCSTOP);
    lua_pushcfunction(L, push_part);
    lua_pushlightuserdata(L, (void *)part);
    int status = lua_pcall(L, 1, 1, 0);
    lua_gc(L, LUA_GCRESTART);
    if (status != LUA_OK)
        return lua_error(L); /* the same error, now that the collector runs again */
    lua_pushvalue(L, 2);
    lua_pushvalue(L, -2);
    lua_rawset(L, 1);
    return 1;
}

void site_push(lua_State *L, const value *site, const rules_lazy *lazy, size_t lazy_count,
               const value *registers, const vec *needs)
{
    bool is_map = site && site->kind == VALUE_MAP;
    lua_createtable(L, 0, (is_map ? (int)site->as.map.len : 1) + (int)lazy_count);
    for (size_t i = 0; is_map && i < site->as.map.len; i++) {
        const char *key = site->as.map.entries[i].key;
        if (strcmp(key, "registers") == 0 || find_lazy(lazy, lazy_count, key))
            continue;
        push_value(L, site->as.map.entries[i].value, 1);
        lua_setfield(L, -2, key);
    }
    if (lazy_count) {
        lua_createtable(L, 0, 1);
        lua_pushlightuserdata(L, (void *)lazy);
        lua_pushinteger(L, (lua_Integer)lazy_count);
        lua_pushcclosure(L, lazy_index, 2);
        lua_setfield(L, -2, "__index");
        lua_setmetatable(L, -2);
    }

    if (registers && registers->kind != VALUE_MAP)
        luaL_error(L, "site data: the registers must be a map of register types");
    lua_newtable(L);
    for (size_t i = 0; needs && i < needs->len; i++) {
        const rule_need *n = needs->items[i];
        if (n->field)
            continue; /* one entry per type comes first */
        const value *reg = registers ? value_map_get(registers, n->type) : NULL;
        if (reg) {
            push_register(L, n->type, reg, needs);
        } else {
            /* an optional type the site does not keep: no rows, no name */
            push_empty_register(L);
            lua_newtable(L);
            lua_setfield(L, -2, "fields");
            lua_newtable(L);
            lua_setfield(L, -2, "options");
            lua_pushstring(L, n->type);
            lua_setfield(L, -2, "type");
        }
        lua_setfield(L, -2, n->type);
    }
    lua_rawgetp(L, LUA_REGISTRYINDEX, &registers_meta_key);
    lua_setmetatable(L, -2);
    lua_setfield(L, -2, "registers");
}

/* ---- Lua to value ---- */

static int compare_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static value *to_value(lua_State *L, int idx, int depth)
{
    idx = lua_absindex(L, idx);
    if (depth > MAX_DEPTH)
        luaL_error(L, "data nested deeper than %d levels", MAX_DEPTH);
    luaL_checkstack(L, 4, NULL);
    switch (lua_type(L, idx)) {
    case LUA_TNIL: return value_null();
    case LUA_TBOOLEAN: return value_bool(lua_toboolean(L, idx));
    case LUA_TNUMBER: return value_number(lua_tonumber(L, idx));
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        return value_stringn(s, len);
    }
    case LUA_TTABLE: {
        date d;
        if (luadate_get(L, idx, &d)) {
            char iso[16];
            date_format_iso(d, iso, sizeof iso);
            return value_string(iso);
        }
        lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
        size_t count = 0;
        for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1))
            count++;
        if (n > 0 && (size_t)n == count) {
            value *list = value_list();
            for (lua_Integer i = 1; i <= n; i++) {
                lua_rawgeti(L, idx, i);
                value_list_push(list, to_value(L, -1, depth + 1));
                lua_pop(L, 1);
            }
            return list;
        }
        const char **keys = count ? lua_newuserdatauv(L, count * sizeof *keys, 0) : NULL;
        size_t k = 0;
        for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1)) {
            if (lua_type(L, -2) != LUA_TSTRING)
                luaL_error(L, "a table of data may not mix a list with named entries");
            keys[k++] = lua_tostring(L, -2);
        }
        if (count)
            qsort(keys, count, sizeof *keys, compare_keys);
        value *m = value_map();
        for (size_t i = 0; i < count; i++) {
            lua_getfield(L, idx, keys[i]);
            value_map_set(m, keys[i], to_value(L, -1, depth + 1));
            lua_pop(L, 1);
        }
        if (count)
            lua_pop(L, 1);
        return m;
    }
    default:
        luaL_error(L, "a %s is not data", luaL_typename(L, idx));
        return NULL;
    }
}

value *site_to_value(lua_State *L, int idx)
{
    return to_value(L, idx, 0);
}

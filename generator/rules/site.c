#include "rules/site.h"

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

static int l_missing_register(lua_State *L)
{
    push_empty_register(L);
    return 1;
}

void site_install(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"find", l_find},
        {"filter", l_filter},
        {"count", l_count},
        {NULL, NULL},
    };
    lua_newtable(L);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "register");
    lua_setfield(L, -2, "__metatable");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &register_meta_key);

    lua_newtable(L);
    lua_pushcfunction(L, l_missing_register);
    lua_setfield(L, -2, "__index");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &registers_meta_key);
}

static bool is_method_name(const char *key)
{
    return strcmp(key, "find") == 0 || strcmp(key, "filter") == 0 || strcmp(key, "count") == 0;
}

/* Pushes one register as its rows array; a map's other entries (title, key,
 * annex) become fields of the array, unless they would hide a method. */
static void push_register(lua_State *L, const char *name, const value *reg)
{
    const value *rows = reg && reg->kind == VALUE_MAP ? value_map_get(reg, "rows") : reg;
    if (!rows || rows->kind != VALUE_LIST)
        luaL_error(L, "site data: register '%s' must be a list of rows or a map with 'rows'", name);
    luaL_checkstack(L, 4, NULL);
    lua_createtable(L, (int)rows->as.list.len, reg->kind == VALUE_MAP ? 4 : 0);
    for (size_t i = 0; i < rows->as.list.len; i++) {
        push_value(L, rows->as.list.items[i], 2);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    if (reg->kind == VALUE_MAP) {
        for (size_t i = 0; i < reg->as.map.len; i++) {
            const char *key = reg->as.map.entries[i].key;
            if (strcmp(key, "rows") == 0 || is_method_name(key))
                continue;
            push_value(L, reg->as.map.entries[i].value, 2);
            lua_setfield(L, -2, key);
        }
    }
    lua_rawgetp(L, LUA_REGISTRYINDEX, &register_meta_key);
    lua_setmetatable(L, -2);
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

void site_push(lua_State *L, const value *site, const rules_lazy *lazy, size_t lazy_count)
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

    const value *registers = is_map ? value_map_get(site, "registers") : NULL;
    if (registers && registers->kind != VALUE_MAP && registers->kind != VALUE_NULL)
        luaL_error(L, "site data: 'registers' must be a map of registers");
    bool has_registers = registers && registers->kind == VALUE_MAP;
    lua_createtable(L, 0, has_registers ? (int)registers->as.map.len : 0);
    for (size_t i = 0; has_registers && i < registers->as.map.len; i++) {
        push_register(L, registers->as.map.entries[i].key, registers->as.map.entries[i].value);
        lua_setfield(L, -2, registers->as.map.entries[i].key);
    }
    lua_rawgetp(L, LUA_REGISTRYINDEX, &registers_meta_key);
    lua_setmetatable(L, -2);
    lua_setfield(L, -2, "registers");
}

#include "rules/date.h"

#include <string.h>

#include <lauxlib.h>

#include "core/xalloc.h"

#define MIN_YEAR 1
#define MAX_YEAR 9999

/* ---- calendar arithmetic ---- */

/* core/date keeps its own copy private. */
static int days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

/* Counting years from March makes the leap day the last day of a "year", so a
 * day's position in its year follows one formula (153 days per 5 months). */
long rules_date_to_days(date d)
{
    long y = d.year - (d.month <= 2); /* >= 0 for years >= 1 */
    long era = y / 400;
    long year_of_era = y - era * 400;
    long month_from_march = (d.month + 9) % 12;
    long day_of_year = (153 * month_from_march + 2) / 5 + d.day - 1;
    long day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468; /* 719468: 0000-03-01 to 1970-01-01 */
}

date rules_date_from_days(long days)
{
    long z = days + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long day_of_era = z - era * 146097;
    long year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    long day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    long month_from_march = (5 * day_of_year + 2) / 153;
    date d;
    d.day = (int)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    d.month = (int)(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
    d.year = (int)(year_of_era + era * 400 + (d.month <= 2));
    return d;
}

bool rules_date_add_days(date d, long long n, date *out)
{
    static const date first = {MIN_YEAR, 1, 1}, last = {MAX_YEAR, 12, 31};
    long long days = (long long)rules_date_to_days(d);
    if (n < rules_date_to_days(first) - days || n > rules_date_to_days(last) - days)
        return false;
    *out = rules_date_from_days((long)(days + n));
    return true;
}

bool rules_date_add_months(date d, long long n, date *out)
{
    long long month_index = (long long)d.year * 12 + (d.month - 1);
    if (n < (long long)MIN_YEAR * 12 - month_index ||
        n > (long long)MAX_YEAR * 12 + 11 - month_index)
        return false;
    month_index += n;
    date r = {(int)(month_index / 12), (int)(month_index % 12) + 1, d.day};
    int last_day = days_in_month(r.year, r.month);
    if (r.day > last_day)
        r.day = last_day;
    *out = r;
    return true;
}

date rules_date_end_of_month(date d)
{
    d.day = days_in_month(d.year, d.month);
    return d;
}

date rules_date_end_of_quarter(date d)
{
    d.month = (d.month - 1) / 3 * 3 + 3;
    return rules_date_end_of_month(d);
}

value *rules_date_value(date d)
{
    char text[11];
    date_format_iso(d, text, 11);
    value *v = value_map();
    value_map_set_string(v, "$date", text);
    return v;
}

/* ---- the Lua date type ---- */

#define DATE_TYPE "date" /* the metatable's registry name, and __name in messages */

/* The registry key of the cache that makes equal dates one Lua value. */
static const char date_cache_key = 0;

bool luadate_get(lua_State *L, int idx, date *out)
{
    const date *d = luaL_testudata(L, idx, DATE_TYPE);
    if (!d)
        return false;
    *out = *d;
    return true;
}

const char *luadate_typename(lua_State *L, int idx)
{
    return luaL_testudata(L, idx, DATE_TYPE) ? "date" : luaL_typename(L, idx);
}

static date check_date(lua_State *L, int arg)
{
    date d = {0, 0, 0}; /* luaL_typeerror does not return, but gcc cannot tell */
    if (!luadate_get(L, arg, &d))
        luaL_typeerror(L, arg, "date");
    return d;
}

void luadate_push(lua_State *L, date d)
{
    long days = rules_date_to_days(d);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &date_cache_key);
    if (lua_rawgeti(L, -1, days) == LUA_TUSERDATA) {
        lua_remove(L, -2);
        return;
    }
    lua_pop(L, 1);
    date *box = lua_newuserdatauv(L, sizeof *box, 0);
    *box = d;
    luaL_setmetatable(L, DATE_TYPE);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, days);
    lua_remove(L, -2);
}

static int l_date(lua_State *L)
{
    lua_Integer y = luaL_checkinteger(L, 1);
    lua_Integer m = luaL_checkinteger(L, 2);
    lua_Integer d = luaL_checkinteger(L, 3);
    date date = {(int)y, (int)m, (int)d};
    if (y < MIN_YEAR || y > MAX_YEAR || m < 1 || m > 12 || d < 1 || d > 31 || !date_valid(date))
        return luaL_error(L, "date(%I, %I, %I) is not a valid date", y, m, d);
    luadate_push(L, date);
    return 1;
}

static int push_result(lua_State *L, bool ok, date d)
{
    if (!ok)
        return luaL_error(L, "date out of range (years %d to %d)", MIN_YEAR, MAX_YEAR);
    luadate_push(L, d);
    return 1;
}

static int l_add_days(lua_State *L)
{
    date d = check_date(L, 1), r;
    return push_result(L, rules_date_add_days(d, luaL_checkinteger(L, 2), &r), r);
}

static int l_add_months(lua_State *L)
{
    date d = check_date(L, 1), r;
    return push_result(L, rules_date_add_months(d, luaL_checkinteger(L, 2), &r), r);
}

static int l_end_of_month(lua_State *L)
{
    luadate_push(L, rules_date_end_of_month(check_date(L, 1)));
    return 1;
}

static int l_end_of_quarter(lua_State *L)
{
    luadate_push(L, rules_date_end_of_quarter(check_date(L, 1)));
    return 1;
}

static int l_days_between(lua_State *L)
{
    date a = check_date(L, 1), b = check_date(L, 2);
    lua_pushinteger(L, rules_date_to_days(b) - rules_date_to_days(a));
    return 1;
}

static int l_parse_date(lua_State *L)
{
    const char *text = luaL_checkstring(L, 1);
    date d;
    if (!date_parse(text, &d)) {
        lua_pushnil(L);
        lua_pushfstring(L, "not a date (YYYY-MM-DD): '%s'", text);
        return 2;
    }
    luadate_push(L, d);
    return 1;
}

static void push_iso(lua_State *L, date d)
{
    char text[11];
    date_format_iso(d, text, 11);
    lua_pushstring(L, text);
}

static int l_tostring(lua_State *L)
{
    push_iso(L, check_date(L, 1));
    return 1;
}

static int l_eq(lua_State *L)
{
    date a, b;
    lua_pushboolean(L, luadate_get(L, 1, &a) && luadate_get(L, 2, &b) &&
                           rules_date_to_days(a) == rules_date_to_days(b));
    return 1;
}

/* Comparing a date with anything else is a mistake worth an error (a string
 * "2026-01-01" would otherwise compare by accident). */
static void check_comparable(lua_State *L, date *a, date *b)
{
    if (!luadate_get(L, 1, a) || !luadate_get(L, 2, b))
        luaL_error(L, "attempt to compare %s with %s", luadate_typename(L, 1),
                   luadate_typename(L, 2));
}

static int l_lt(lua_State *L)
{
    date a, b;
    check_comparable(L, &a, &b);
    lua_pushboolean(L, rules_date_to_days(a) < rules_date_to_days(b));
    return 1;
}

static int l_le(lua_State *L)
{
    date a, b;
    check_comparable(L, &a, &b);
    lua_pushboolean(L, rules_date_to_days(a) <= rules_date_to_days(b));
    return 1;
}

static void push_concat_operand(lua_State *L, int idx)
{
    date d;
    if (luadate_get(L, idx, &d)) {
        push_iso(L, d);
    } else if (lua_type(L, idx) == LUA_TSTRING || lua_type(L, idx) == LUA_TNUMBER) {
        lua_pushvalue(L, idx);
        lua_tostring(L, -1); /* converts the copy, not the operand */
    } else {
        luaL_error(L, "attempt to concatenate a %s value", luaL_typename(L, idx));
    }
}

static int l_concat(lua_State *L)
{
    push_concat_operand(L, 1);
    push_concat_operand(L, 2);
    lua_concat(L, 2);
    return 1;
}

static int l_index(lua_State *L)
{
    date d = check_date(L, 1);
    const char *key = lua_tostring(L, 2);
    if (key && strcmp(key, "year") == 0)
        lua_pushinteger(L, d.year);
    else if (key && strcmp(key, "month") == 0)
        lua_pushinteger(L, d.month);
    else if (key && strcmp(key, "day") == 0)
        lua_pushinteger(L, d.day);
    else if (lua_type(L, 2) == LUA_TSTRING &&
             lua_getfield(L, lua_upvalueindex(1), key) == LUA_TFUNCTION)
        return 1;
    else
        return luaL_error(L, "a date has no field '%s'", key ? key : luaL_typename(L, 2));
    return 1;
}

static int l_newindex(lua_State *L)
{
    return luaL_error(L, "dates cannot be changed; make a new one with date() or add_days()");
}

static const luaL_Reg date_helpers[] = {
    {"add_days", l_add_days},         {"add_months", l_add_months},
    {"end_of_month", l_end_of_month}, {"end_of_quarter", l_end_of_quarter},
    {"days_between", l_days_between}, {NULL, NULL},
};

void luadate_install(lua_State *L)
{
    lua_newtable(L);
    lua_pushliteral(L, "v");
    lua_setfield(L, -2, "__mode");
    lua_pushvalue(L, -1);
    lua_setmetatable(L, -2); /* the cache is its own (weak-valued) metatable */
    lua_rawsetp(L, LUA_REGISTRYINDEX, &date_cache_key);

    luaL_newmetatable(L, DATE_TYPE);
    static const luaL_Reg meta[] = {
        {"__tostring", l_tostring},
        {"__eq", l_eq},
        {"__lt", l_lt},
        {"__le", l_le},
        {"__concat", l_concat},
        {"__newindex", l_newindex},
        {NULL, NULL},
    };
    luaL_setfuncs(L, meta, 0);
    lua_newtable(L); /* the methods */
    luaL_setfuncs(L, date_helpers, 0);
    lua_pushcclosure(L, l_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "date");
    lua_setfield(L, -2, "__metatable"); /* getmetatable(d) == "date": the type is sealed */
    lua_pop(L, 1);

    lua_pushglobaltable(L);
    luaL_setfuncs(L, date_helpers, 0);
    lua_pushcfunction(L, l_date);
    lua_setfield(L, -2, "date");
    lua_pushcfunction(L, l_parse_date);
    lua_setfield(L, -2, "parse_date");
    lua_pop(L, 1);
}

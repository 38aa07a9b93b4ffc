/* Dates for rules: calendar arithmetic in C on core/date's `date`, and the
 * Lua date type built on it.
 *
 * In Lua, date(y, m, d) makes an immutable date with fields year, month and
 * day; dates compare with == < <=, tostring gives "YYYY-MM-DD" and .. joins
 * them with strings and numbers. Equal dates are the same Lua value, so they
 * also work as table keys. Helpers (also methods, d:add_days(n)):
 *   add_days(d, n)      n may be negative
 *   add_months(d, n)    the day is clamped to the month's end: Jan 31 + 1 = Feb 28/29
 *   end_of_month(d), end_of_quarter(d)
 *   days_between(a, b)  days from a to b: positive when b is later
 *   parse_date(s)       a date from "YYYY-MM-DD", or nil and a message
 * A result outside years 1..9999 is an error. */
#ifndef POLICYGEN_RULES_DATE_H
#define POLICYGEN_RULES_DATE_H

#include <stdbool.h>

#include <lua.h>

#include "core/date.h"
#include "rules/rules.h"

/* Days since 1970-01-01 (negative before it). */
long rules_date_to_days(date d);
date rules_date_from_days(long days);
/* These return false when the result would leave years 1..9999. */
bool rules_date_add_days(date d, long long n, date *out);
bool rules_date_add_months(date d, long long n, date *out);
date rules_date_end_of_month(date d);
date rules_date_end_of_quarter(date d);

/* Defines the date metatable and the global helpers in L. Call it inside a
 * protected call: it allocates. */
void luadate_install(lua_State *L);
/* Pushes d (which must be valid) as a Lua date. */
void luadate_push(lua_State *L, date d);
/* Like luaL_typename, but "date" for a date. */
const char *luadate_typename(lua_State *L, int idx);
/* Reads the date at idx; false when the value there is not a date. */
bool luadate_get(lua_State *L, int idx, date *out);

#endif

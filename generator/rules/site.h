/* The data a rule's check reads: value trees converted to Lua, and register
 * arrays with their methods. The contract (dates as {"$date": "YYYY-MM-DD"},
 * rows with _file and _line) is stated in rules.h. All of these allocate in
 * the rule's state: call them inside a protected call. */
#ifndef POLICYGEN_RULES_SITE_H
#define POLICYGEN_RULES_SITE_H

#include <lua.h>

#include "core/value.h"
#include "rules/rules.h"

/* Defines the register metatable (:find, :filter, :count, :get) and the
 * others site_push uses. Once per state. */
void site_install(lua_State *L);

/* Pushes v converted; NULL pushes nil. Raises a Lua error for data nested
 * deeper than 200 levels or a malformed date. */
void site_push_value(lua_State *L, const value *v);

/* Pushes the site table: site converted (an empty table when NULL; its own
 * "registers" entry is ignored), and site.registers: for each register type
 * of needs (rule_need*, rules.h), the register of that type in registers
 * (registers_typed_value's shape) with the declared fields only, or an empty
 * register when the site has none; reading another type, or an undeclared
 * field of a row, is an error. The lazy parts (borrowed while the table
 * lives) are pushed on their first read. */
void site_push(lua_State *L, const value *site, const rules_lazy *lazy, size_t lazy_count,
               const value *registers, const vec *needs);
/* Whether the value at idx is a row site_push made (flag{row=} takes no other). */
bool site_is_row(lua_State *L, int idx);
/* Data (nil, booleans, numbers, strings, dates as "YYYY-MM-DD", tables of
 * them: a table 1..n is a list, else a map with sorted keys) as a value;
 * raises a Lua error for anything else. */
value *site_to_value(lua_State *L, int idx);

#endif

/* The data a rule's check reads: value trees converted to Lua, and register
 * arrays with their methods. The contract (dates as {"$date": "YYYY-MM-DD"},
 * rows with _file and _line) is stated in rules.h. All of these allocate in
 * the rule's state: call them inside a protected call. */
#ifndef POLICYGEN_RULES_SITE_H
#define POLICYGEN_RULES_SITE_H

#include <lua.h>

#include "core/value.h"
#include "rules/rules.h"

/* Defines the register metatable (:find, :filter, :count). Once per state. */
void site_install(lua_State *L);

/* Pushes v converted; NULL pushes nil. Raises a Lua error for data nested
 * deeper than 200 levels or a malformed date. */
void site_push_value(lua_State *L, const value *v);

/* Pushes the site table: site converted (an empty table when NULL), where
 * site.registers is always a table of register arrays (each register given as
 * a list of rows or as registers_to_value's {title, key, annex?, rows}) and
 * reading a missing register gives an empty one. The lazy parts (borrowed
 * while the table lives) are pushed on their first read. */
void site_push(lua_State *L, const value *site, const rules_lazy *lazy, size_t lazy_count);

#endif

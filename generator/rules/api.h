/* What rule code can call: rule{...} and flag{...} (plus the dates of date.h
 * and the register methods of site.h), and the host's side of a plugin:
 * taking the rule its chunk returned and calling its check.
 *
 * The lua_CFunctions here run through sandbox_ccall, which hands them their
 * context as a light userdata in argument 1. */
#ifndef POLICYGEN_RULES_API_H
#define POLICYGEN_RULES_API_H

#include <stdbool.h>

#include <lua.h>

#include "core/value.h"
#include "core/vec.h"
#include "rules/rules.h"

/* One plugin's side of the API. */
typedef struct rule_api {
    bool checking;       /* flag{} is allowed only while check runs */
    const char *rule_id; /* borrowed; set before check runs */
    diag_severity rule_severity;
    vec flags; /* of rule_flag*, owned: raised by check so far */
} rule_api;

void rule_api_init(rule_api *api);
void rule_api_free(rule_api *api);
void rule_flag_free(void *flag);

/* (rule_api *) -> nothing: defines rule, flag, the dates and register methods. */
int rule_api_install(lua_State *L);

/* A rule as declared; the strings are owned by whoever took them. */
typedef struct rule_decl {
    char *id;
    char *title;
    char *source;
    diag_severity severity;
    rule_kind kind;
} rule_decl;

/* (rule_decl *out, returned value) -> check function. Raises an error unless
 * the value is a rule made by rule{...} with valid fields; fills out only on
 * success. */
int rule_api_take(lua_State *L);

/* The arguments of check. */
typedef struct check_input {
    const value *site;
    const rules_lazy *lazy;
    size_t lazy_count;
    date today;
    const value *params; /* this rule's parameters, or NULL */
} check_input;

/* (check_input *, check function) -> nothing: converts the inputs and calls
 * check(site, today, params). */
int rule_api_check(lua_State *L);

#endif

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
    vec flags;           /* of rule_flag*, owned: raised by check so far */
    size_t dropped;      /* flags past RULES_MAX_FLAGS */
    vec unknown_params;  /* of char*, owned: set by rule_api_check */
    const char *lib_dir; /* require's folder, or NULL (require refuses) */
} rule_api;

void rule_api_init(rule_api *api);
void rule_api_free(rule_api *api);

/* (rule_api *) -> nothing: defines rule, flag, the dates and register methods. */
int rule_api_install(lua_State *L);

/* A rule as declared; the strings are owned by whoever took them. */
typedef struct rule_decl {
    char *id;
    char *title;
    char *source;
    diag_severity severity;
    rule_kind kind;
    vec needs;    /* of rule_need* (rules.h), types sorted by name, not yet checked */
    char *plan;   /* rule{plan=}, or NULL */
    char *params; /* rule{params=} as JSON, or NULL */
} rule_decl;

void rule_decl_init(rule_decl *d);
void rule_decl_free(rule_decl *d);

/* (rule_decl *out, returned value) -> check function, declared parameters
 * (a table, or nil). Raises an error unless the value is a rule made by
 * rule{...} with valid fields; fills out only on success. */
int rule_api_take(lua_State *L);

/* The arguments of check. */
typedef struct check_input {
    const value *site;
    const value *registers; /* the typed registers, or NULL */
    const vec *needs;       /* of rule_need*: what the rule may read of them */
    const rules_lazy *lazy;
    size_t lazy_count;
    date today;
    const value *params; /* this rule's parameters from site.yaml, or NULL */
    rule_api *api;       /* where names site.yaml gives but the rule does not declare go */
} check_input;

/* (check_input *, check function, declared parameters or nil) -> nothing:
 * converts the inputs and calls check(site, today, params, given). */
int rule_api_check(lua_State *L);

#endif

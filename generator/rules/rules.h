/* The rule engine: runs Lua rule plugins in a sandbox and collects their flags.
 *
 * Each plugin file returns one rule:
 *
 *   return rule { id = "plan-reviewed", title = "...", severity = "error",
 *                 source = "計畫 肆、五", check = function(site, today, params) ... end }
 *
 * Every plugin gets its own Lua state (only base, string, table, math and utf8,
 * with load, dofile, loadfile, collectgarbage, print, warn, string.dump and
 * math.random removed and no __gc metamethods; chunks are loaded as text
 * only) and its own limits, and by default runs in a worker process
 * (rules/isolate.h), so nothing it does reaches the caller or another rule.
 * A rule that fails, loops, exhausts its memory, crashes its process or
 * returns something other than a rule is reported as one diagnostic at its
 * file:line and the other rules still run; a failed rule's flags are dropped.
 * Inside a rule, check may call flag{...} and use the date helpers
 * (rules/date.h describes them); require "NAME" loads the helper module
 * lib_dir/NAME.lua (text only, in the same sandbox, once per state). The
 * results do not depend on how many workers ran the rules or in which order
 * they finished.
 *
 * Ownership: rules_finish (and rules_run) fill a rules_result that the caller
 * owns and releases with rules_result_free; every string in it is owned by the
 * result. The inputs (paths, site, lazy parts, params) are only borrowed, and
 * must stay unchanged until rules_finish returns.
 *
 * The data contract for `site` (a value tree, see core/value.h):
 *   - maps become Lua tables, lists become arrays (1-based), strings, numbers
 *     (integral numbers become Lua integers), booleans; null becomes nil.
 *   - a date is a map with the single key "$date" holding "YYYY-MM-DD"; it
 *     becomes a Lua date. rules_date_value builds one.
 *   - params is the value map of rule parameters keyed by rule id (site.yaml
 *     `rules:`); check receives the rule's declared defaults (rule{params=})
 *     with params[id] over them, and, as its fourth argument, the set of the
 *     names site.yaml gave.
 *
 * Registers reach rules by type (registers/regtype.h), through `registers`
 * (registers_typed_value in registers/registers.h: type -> { name, title,
 * file, line, key, fields: { canonical: { own?, problem? } }, rows }). A rule
 * declares what it reads, rule{needs = { staff = { "name", "left?" },
 * ["vendors?"] = { ... } }}: register types (a "?" after the type: the rule
 * runs without it) and their canonical fields ("?": may be empty). Before
 * check runs, each need is checked against `registers`: a required register
 * or field the site does not have, or a field that cannot hold it (wrong
 * kind, a ref to a register of another type), makes the rule RULE_UNCHECKED,
 * with each unmet need saying what to add and where; check does not run. In
 * Lua, site.registers[TYPE] is the register of a declared type (an empty one
 * for a missing optional type) with the methods :find(pred), :filter(pred),
 * :count([pred]) and :get(key); its rows hold the declared fields only, plus
 * _key (the row's key), _file and _line, and reading an undeclared field or
 * type is an error at the rule's line.
 */
#ifndef POLICYGEN_RULES_H
#define POLICYGEN_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/date.h"
#include "core/value.h"
#include "core/vec.h"
#include "diag/diag.h"

/* A new value {"$date": "YYYY-MM-DD"}: how the host passes a date to rules. */
value *rules_date_value(date d);
/* Sets a row's "_file" and "_line" (see the contract above). */
void rules_row_set_place(value *row, const char *file, int line);

/* Per-rule limits. Instructions are counted in steps of 1000 and cover both
 * loading the plugin and running check; the site data converted for a rule
 * counts against its memory. The instruction limit is the deterministic one
 * (a loop stops at the same line on every machine); the time limit catches
 * rules that are slow without executing many instructions, and with isolation
 * it also bounds time spent inside C library functions (a pathological
 * pattern in string.find), which no instruction count can interrupt: such a
 * rule's worker is killed ISOLATE_GRACE_MS (250 ms) after its time limit. */
typedef struct rules_limits {
    size_t max_memory;          /* bytes; default 64 MiB */
    long long max_instructions; /* default 10,000,000 (0.1 to 0.2 s of Lua) */
    long max_millis;            /* wall-clock milliseconds; default 5000 */
    bool in_process;            /* default false: plugins run in worker processes,
                                   so nothing they do can hang or crash the caller;
                                   true runs them here, one by one (for debuggers) */
    int workers;                /* how many worker processes; 0 (the default):
                                   one per processor */
} rules_limits;

rules_limits rules_default_limits(void);

typedef enum flag_status {
    FLAG_MISSING,  /* never done */
    FLAG_OVERDUE,  /* past its due date */
    FLAG_DUE_SOON, /* due within the rule's window */
    FLAG_OK,
} flag_status;

void rule_flag_free(void *flag);

/* "missing", "overdue", "due-soon", "ok" */
const char *flag_status_name(flag_status status);

/* At most this many flags a rule; the rest are counted (rule_info.dropped). */
#define RULES_MAX_FLAGS 1000

typedef struct rule_flag {
    char *rule_id;
    diag_severity severity; /* flag{severity=} or the default for its status: the
                               rule's for missing/overdue, warning for due-soon
                               (info when the rule itself is info), info for ok */
    flag_status status;
    char *message;
    char *due;     /* "YYYY-MM-DD" or NULL */
    char *file;    /* the row's file (flag{row=}) or the plan's (flag{at=}), or NULL */
    int line;      /* its line, 0 without a place */
    char *section; /* a section id, or NULL */
    char *owner;   /* flag{owner=}: who must act (free text), or NULL */
} rule_flag;

/* What a rule is about (rule{kind=}): the school's duties (the default), or
 * the plan's text itself (an annex nobody cites, a field definition that
 * does not match), which the status page lists apart. */
typedef enum rule_kind {
    RULE_KIND_DUTY,
    RULE_KIND_DOCUMENT,
} rule_kind;

/* "duty", "document" */
const char *rule_kind_name(rule_kind kind);

typedef enum rule_outcome {
    RULE_RAN,       /* check returned normally (its flags are in the result) */
    RULE_FAILED,    /* reported with a diagnostic; none of its flags are kept */
    RULE_SKIPPED,   /* a second plugin with an id already seen */
    RULE_UNCHECKED, /* a need was not met (rule_info.needs says which): check did not run */
} rule_outcome;

/* "ran", "failed", "skipped", "unchecked" */
const char *rule_outcome_name(rule_outcome outcome);

/* One thing a rule reads: a register type, or a canonical field of it. */
typedef struct rule_need {
    char *type;    /* the register type */
    char *field;   /* the canonical field, or NULL for the register itself */
    bool optional; /* "?": the rule runs without it */
    bool met;      /* the site has it and can give it */
    bool blocking; /* not met, and the rule cannot run without it */
    bool wrong;    /* the site has a field for it that cannot hold it (kind, ref target) */
    char *by;      /* met: what gives it ("content/registers/staff.yaml: role"), else NULL */
    char *message; /* unmet (or an optional one that is absent): what to add, else NULL */
    char *file;    /* unmet: where to add it, or NULL */
    int line;
} rule_need;

void rule_need_free(void *need);

/* One plugin, for the status page. */
typedef struct rule_info {
    char *path;
    bool declared; /* it returned a valid rule; otherwise id is the file name
                      without ".lua" */
    char *id;
    char *title;  /* NULL when not declared, or when a child process running
                     the plugin had to be stopped from outside */
    char *source; /* likewise */
    diag_severity severity;
    rule_kind kind;
    rule_outcome outcome;
    size_t flag_count;
    size_t dropped; /* flags past RULES_MAX_FLAGS, counted only */
    char *error; /* when it failed: the Lua message with its traceback, else NULL */
    vec needs;   /* of rule_need*, as declared (types sorted), with whether each is met */
    char *plan;  /* rule{plan=}: where a plan states the duty ("CHAPTER-KEY[/words]"), or NULL */
    char *params; /* rule{params=}: the declared defaults as JSON, or NULL */
    vec unknown_params; /* of char*: names site.yaml gives the rule that it does not declare */
} rule_info;

typedef struct rules_result {
    vec flags;  /* of rule_flag*, sorted by due date (undated last), rule id,
                   message, then place */
    vec rules;  /* of rule_info*, in the order of the paths given */
    int failed;    /* how many rules failed */
    int unchecked; /* how many rules could not be checked */
} rules_result;

struct lua_State;

/* A part of site that is built only when a rule first reads site[key], by
 * push, straight in the rule's Lua state: the plan's text is most of the data
 * and most rules never read it. push pushes exactly one value; it runs in the
 * rule's process inside its protected call, so what it allocates counts
 * against the rule's memory and it may raise a Lua error. A lazy part hides an
 * entry of the site value with the same key. */
typedef struct rules_lazy {
    const char *key;
    void (*push)(struct lua_State *L, void *ctx);
    void *ctx;
} rules_lazy;

/* A run of rules (the caller has already resolved overrides and disabled
 * rules). site, lazy and params may be NULL; limits NULL means the defaults. */
typedef struct rules_inputs {
    const char *const *paths;
    size_t count;
    const value *site;
    const value *registers;    /* the typed registers (see above); NULL: none */
    const char *registers_dir; /* where a missing register would go, for messages */
    const char *lib_dir;       /* the folder `require` loads helper modules from, or NULL */
    const rules_lazy *lazy;
    size_t lazy_count;
    date today;
    const value *params;
    const rules_limits *limits;
} rules_inputs;

/* Rules running in worker processes while the caller does something else. */
typedef struct rules_batch rules_batch;

/* Starts the workers on the rules and returns at once. They go on by
 * themselves (each rule's Lua limits hold), but a rule stuck inside C is
 * stopped only once rules_finish watches the deadlines. */
rules_batch *rules_start(const rules_inputs *in);
/* Waits for every rule (stopping those that overrun), frees the batch and
 * fills out (initialised here) with the rules in the order of the paths.
 * Failures are told to diags now, with codes rule-load
 * (unreadable, syntax error, bytecode), rule-error, rule-timeout, rule-memory
 * and rule-duplicate (a warning rule-id when the id is not the file's name). */
void rules_finish(rules_batch *batch, rules_result *out, diag_sink *diags);

/* rules_start and rules_finish at once. */
void rules_run(const rules_inputs *in, rules_result *out, diag_sink *diags);
void rules_result_free(rules_result *result);

#endif

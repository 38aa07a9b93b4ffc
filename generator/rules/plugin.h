/* One plugin, start to end: read the file, make its sandbox, run its chunk,
 * take its rule, run check. plugin_run emits no diagnostics: it describes what
 * happened in a plugin_outcome, which can cross a process boundary
 * (plugin_outcome_encode / _decode) and which rules.c reports. */
#ifndef POLICYGEN_RULES_PLUGIN_H
#define POLICYGEN_RULES_PLUGIN_H

#include <stdbool.h>

#include "core/strbuf.h"
#include "core/value.h"
#include "core/vec.h"
#include "rules/api.h"
#include "rules/rules.h"
#include "rules/sandbox.h"

typedef struct plugin_inputs {
    const value *site;
    const value *registers;    /* the typed registers (rules.h), or NULL */
    const char *registers_dir; /* for messages about a missing register */
    const char *lib_dir;       /* require's folder, or NULL */
    const rules_lazy *lazy; /* parts of site built when first read */
    size_t lazy_count;
    date today;
    const value *params; /* all rules' parameters, keyed by rule id; may be NULL */
    rules_limits limits;
} plugin_inputs;

typedef enum plugin_stage {
    STAGE_LOAD,  /* reading the file, creating the state, compiling the chunk */
    STAGE_CHUNK, /* running the chunk and taking its rule */
    STAGE_CHECK, /* running check */
} plugin_stage;

/* Owns every string and flag in it: plugin_outcome_free. */
typedef struct plugin_outcome {
    bool declared; /* the chunk returned a valid rule: decl is filled (only its id
                      and severity when the plugin was stopped from outside) */
    rule_decl decl;
    bool failed; /* stage and error say how */
    plugin_stage stage;
    sandbox_error error;
    bool unchecked;      /* a need of decl.needs was not met: check did not run */
    vec flags;           /* of rule_flag*, only when check ran to its end */
    size_t dropped;      /* flags past RULES_MAX_FLAGS */
    vec unknown_params;  /* of char*: site.yaml's names the rule does not declare */
} plugin_outcome;

void plugin_outcome_init(plugin_outcome *out);
void plugin_outcome_free(plugin_outcome *out);
/* Records a failure; consumes message and detail (detail may be NULL). */
void plugin_outcome_fail(plugin_outcome *out, plugin_stage stage, sandbox_failure kind, int line,
                         char *message, char *detail);

/* What a watcher in another process can see of a running plugin. */
typedef struct plugin_progress {
    int line;          /* the line running now */
    int severity;      /* once declared */
    char rule_id[128]; /* once declared; "" before */
} plugin_progress;

/* Runs the plugin at path, keeping progress (when not NULL) up to date. out
 * must be initialised. */
void plugin_run(const char *path, const plugin_inputs *in, volatile plugin_progress *progress,
                plugin_outcome *out);

void plugin_outcome_encode(const plugin_outcome *outcome, strbuf *out);
/* false when data is not a whole encoded outcome; out is left initialised. */
bool plugin_outcome_decode(const char *data, size_t len, plugin_outcome *out);

#endif

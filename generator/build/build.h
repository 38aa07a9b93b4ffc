/* The build: content folder in, one output folder out, atomically. */
#ifndef POLICYGEN_BUILD_H
#define POLICYGEN_BUILD_H

#include <stdbool.h>

#include "content/site.h"
#include "core/date.h"
#include "xref/xref.h"

typedef struct build_options {
    const char *content_dir;
    const char *output_dir;
    const char *data_dir; /* the shipped themes/ and lua-plugins/ */
    date today;
    bool today_set;
    bool strict;          /* error-level flags fail the build */
    int jobs;             /* threads for rendering; 0: one per processor */
    bool no_pdf;          /* --no-pdf: HTML only, no PDFs */
    const char *edition;  /* --edition: build only this one of site.yaml's editions */
    bool exiting;         /* the process ends after the build: see build_site */
    const char *cache_dir; /* the build cache (cache/cache.h), or NULL to build cold */
} build_options;

typedef enum build_result {
    BUILD_OK,
    BUILD_CHECKS_FAILED,  /* --strict and the rules found errors */
    BUILD_CONTENT_ERROR,  /* nothing was written: see the diagnostics */
    BUILD_USAGE_ERROR,    /* an edition site.yaml does not list */
} build_result;

/* Whether opts->output_dir may be the output folder (outdir_refusal: not the
 * content, the current or the home folder, nor over or inside them or the
 * shipped themes and rules, nor a folder a build did not make); a diagnostic
 * when not. The command line asks before anything is touched; release
 * builds into a folder of its own making and does not. */
bool build_output_allowed(const build_options *opts, diag_sink *diags);

/* Builds every edition into opts->output_dir, atomically, telling diags what
 * it finds (the result says whether it succeeded). When opts->exiting,
 * the release program leaves the site model (hundreds of thousands of small
 * allocations for a large plan) to the kernel instead of freeing it; builds
 * with AddressSanitizer free everything, so leak checks still see it all.
 * With opts->cache_dir, a build with no change writes what the last one
 * wrote to stderr instead (cache/rebuild.h): diags must print to stderr
 * (diag_to_stderr), and a replay leaves its counts as they were. */
build_result build_site(const build_options *opts, diag_sink *diags);

/* The content folder loaded and its references resolved, as a build does
 * before its checks; NULL after the diagnostics when it cannot be built.
 * The caller frees both (site_free, xref_table_free). */
site *build_load(const build_options *opts, xref_table **xref, diag_sink *diags);

/* What changed in the current version, for an edition of audience aud:
 * its revisions row's `changes` when the edition may see it, else the
 * comparison with the last release before it (site_diff_summary); "" when
 * there is neither. Reads content/releases/. Caller frees. */
char *build_version_changes(const build_options *opts, const site *s, audience aud,
                            diag_sink *diags);

typedef enum check_result {
    CHECK_OK,
    CHECK_FAILED,        /* error-level flags, or a rule that failed */
    CHECK_CONTENT_ERROR, /* the content could not be loaded */
} check_result;

/* `policygen check`: the rules and references only, nothing written. With
 * json, prints status/flags.json's document to stdout. */
typedef enum check_output {
    CHECK_DIAGNOSTICS, /* `check`: a diagnostic per flag, the summary on stdout */
    CHECK_FLAGS_JSON,  /* `check --format json`: flags.json on stdout */
    CHECK_RULES_TEXT,  /* `rules`: every rule, its needs, parameters and outcome */
    CHECK_RULES_JSON,  /* `rules --format json` */
} check_output;

/* Runs the rules and prints what output says. `rules` exits CHECK_OK but for
 * content that cannot be loaded. */
check_result check_site(const build_options *opts, check_output output, diag_sink *diags);

#endif

/* policygen new: a content folder for a new school, from the starter plan
 * that ships with the program (DATADIR/starter: the national template's 17
 * chapters, 18 annex forms, staff digest and site.yaml, the example school's
 * own values replaced by fill-ins) and the register-type catalogue (an empty
 * register of every standard type, with its schema).
 *
 * A fill-in is 〔待填：what to write〕 (README.md, "First plan in five
 * minutes"); the rule lua-plugins/fill-ins.lua flags each one left. The
 * options fill those they answer (starter/README.md). */
#ifndef POLICYGEN_STARTER_H
#define POLICYGEN_STARTER_H

#include "core/date.h"
#include "diag/diag.h"

/* The fill-in notation: an opening mark, the words saying what to write,
 * and a closing mark. The rule lua-plugins/fill-ins.lua looks for the same
 * marks. */
#define STARTER_FILL_IN_OPEN "〔待填："
#define STARTER_FILL_IN_CLOSE "〕"

typedef struct starter_options {
    const char *dir;        /* the folder to make: missing or empty */
    const char *data_dir;   /* the program's data (holds starter/) */
    const char *org;        /* organization.name, required */
    const char *short_name; /* NULL: starter_short_name(org) */
    const char *parent;     /* the supervising authority, or NULL: left a fill-in */
    const char *level; /* 資通安全責任等級; NULL: D, the only one the starter encodes */
    date today;        /* the date of the draft V1.0 */
} starter_options;

typedef enum starter_result {
    STARTER_OK,
    STARTER_REFUSED, /* bad options, or a folder that is not missing or empty: nothing was touched
                      */
    STARTER_FAILED,  /* the starter could not be read or the folder written */
} starter_result;

/* What is wrong with the options (a usage error: a missing or empty --org,
 * a name that is not one line of UTF-8, a level other than D), or NULL.
 * The caller frees. */
char *starter_options_problem(const starter_options *opts);

/* Writes the content folder (into a staging folder beside it, renamed into
 * place at the end: on failure nothing is left) and prints what it made on
 * stdout. Every refusal and failure is a diagnostic. */
starter_result starter_create(const starter_options *opts, diag_sink *diags);

/* The short name a school's full name suggests: the city or county (and its
 * district) dropped and the school level abbreviated, as 臺北市大安區金華國民
 * 小學 → 金華國小; any name that does not end like a school's is kept whole.
 * The caller frees. */
char *starter_short_name(const char *org);

#endif

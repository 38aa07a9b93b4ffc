/* The PDFs of an edition, each typeset with its worker's context: the plan,
 * an annex's blank form, a register's printout, the staff handout. */
#ifndef POLICYGEN_RENDER_PDF_DOCS_H
#define POLICYGEN_RENDER_PDF_DOCS_H

#include <stdbool.h>

#include "content/site.h"
#include "core/date.h"
#include "registers/registers.h"
#include "render/pdf/pdf.h"
#include "render/pdf/text.h"

/* What every job reads (never writes). */
typedef struct pdf_env {
    const site *s;
    const pdf_options *opts;
    const pdf_style *st;
    const char *staging;  /* the outdir's staging folder */
    char *plan_rel;       /* "pdf/isms-plan-V1.0-internal.pdf": the edition's own name */
    const char *version;  /* "V1.0", or NULL */
    bool has_date;
    date rev_date;        /* the current revision's date */
    char rev_iso[40];     /* its metadata form, "2018-12-26T00:00:00+08:00" */
    char today_iso[40];
    bool roc;
    bool draft;           /* the current revision is not approved: every page says 草案 */
} pdf_env;

bool pdf_render_plan(pdf_ctx *c, const pdf_env *env);
bool pdf_render_annex(pdf_ctx *c, const pdf_env *env, const document *annex);
bool pdf_render_register_printout(pdf_ctx *c, const pdf_env *env, const register_def *reg);
bool pdf_render_handout(pdf_ctx *c, const pdf_env *env); /* handout.c */
/* The chapter whose text the handout shows (the policy and the goals), or
 * NULL: what of the chapters goes into it besides their outline. */
const document *pdf_handout_reads(const site *s); /* handout.c */

/* The edition's mark, "內部版", which the plan and the printouts carry. It is
 * the edition's own (site_edition_label says so to audience_track): a PDF
 * that shows it is never linked into another edition. */
const char *pdf_edition_mark(const pdf_env *env);

/* staging/relpath, its folder created (caller frees). */
char *pdf_env_path(const pdf_env *env, const char *relpath);

#endif

/* `policygen announce`: the e-mail that tells staff about the current
 * version of the plan (RFC 5322 with MIME, built with GMime): a UTF-8
 * subject, a plain-text and an HTML part (multipart/alternative), what
 * changed, what staff must do (site.yaml announce: acknowledge, and the
 * staff digest's list, digest.md) and links into the edition, ready to send
 * from the school's mail system. Deterministic: the date is the day asked
 * for (--today) at 08:00 Taiwan time, and the Message-ID and the MIME
 * boundary are derived from the site, the version and that day. */
#ifndef POLICYGEN_ANNOUNCE_H
#define POLICYGEN_ANNOUNCE_H

#include <stdbool.h>

#include "content/site.h"
#include "core/date.h"

typedef struct announce_options {
    const char *content_dir;
    const char *data_dir;  /* the shipped themes/ and lua-plugins/ */
    const char *edition;   /* NULL: staff when site.yaml lists it, else its first edition */
    const char *base_url;  /* NULL: site.yaml hosting: EDITION: url */
    const char *output;    /* the .eml file, or "-" for standard output */
    date today;
    bool today_set;
} announce_options;

typedef enum announce_result {
    ANNOUNCE_OK,
    ANNOUNCE_USAGE,   /* a bad option, no URL, or an output file policygen did not write */
    ANNOUNCE_CONTENT, /* the content cannot be loaded, no sender, or the version is a draft */
} announce_result;

/* Writes the announcement to opts->output. An existing file is replaced
 * only when it is an announcement policygen wrote (its X-Mailer header). */
announce_result announce_write(const announce_options *opts, diag_sink *diags);

/* The message for an edition: changes is what changed (build_version_changes),
 * base_url the edition's URL ending in '/'. NULL (after a diagnostic) when
 * site.yaml gives no sender (announce: from) or the current version is a
 * draft. The message has CRLF line ends. Caller frees. */
char *announce_message(const site *s, audience edition, const char *base_url, date today,
                       const char *changes, diag_sink *diags);

#endif

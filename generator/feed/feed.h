/* feed.xml: an Atom feed (RFC 4287) of an edition's approved versions, one
 * entry per version with its 修訂內容 and links, so that staff and the
 * public can subscribe to the plan's releases. */
#ifndef POLICYGEN_FEED_H
#define POLICYGEN_FEED_H

#include "content/site.h"
#include "core/value.h"

#define FEED_FILE "feed.xml"

/* The feed of one edition from the model of its revision history
 * (site_versions_page_value in diff/sitediff.h: rows newest first, each
 * with version, date_iso, date_long, changes, approved, current,
 * release_href and changes_href relative to versions/). Links are absolute
 * when site.yaml gives the edition's URL (hosting: EDITION: url), else
 * relative to the feed. NULL when no row has a date: a feed needs one.
 * Deterministic: every date comes from the revisions register. Caller frees. */
char *feed_atom(const site *s, audience edition, const value *versions_page);

/* A name-based UUID (RFC 9562 version 5, SHA-1) for name, as
 * "xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx" in out: the same name gives the
 * same identifier in every build. */
#define FEED_UUID_SIZE 37
void feed_uuid(const char *name, char out[FEED_UUID_SIZE]);

#endif

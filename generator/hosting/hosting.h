/* Hosting an edition on a web server.
 *
 * One table of security headers, one of file types and one cache policy,
 * written out three ways so that every server sends the same:
 *   - .htaccess (Apache) and web.config (IIS) in every edition's root, which
 *     work where the edition is unpacked on a server one cannot configure;
 *   - `policygen hosting nginx|apache|iis`: a complete server block.
 *
 * The Content-Security-Policy allows the edition's own files only: no inline
 * script or style, no other origin, no framing. Staff and internal editions
 * carry their access control from site.yaml (`hosting: EDITION: allow` and
 * `auth`); without one, their in-place files refuse every request, and the
 * server block for them is refused on a listener that others can reach
 * unless asked for with allow_open. */
#ifndef POLICYGEN_HOSTING_H
#define POLICYGEN_HOSTING_H

#include <stdbool.h>

#include "content/site.h"

/* The files written into every edition's root. */
#define HOSTING_HTACCESS ".htaccess"
#define HOSTING_WEB_CONFIG "web.config"

typedef enum hosting_server {
    HOSTING_NGINX,
    HOSTING_APACHE,
    HOSTING_IIS,
} hosting_server;

bool hosting_server_parse(const char *name, hosting_server *out);

/* The edition's .htaccess and web.config as they go into its root (caller
 * frees): headers, types, caching, no listings, hosting files refused, and
 * the edition's access control (none configured for a staff or internal
 * edition: every request refused). */
char *hosting_htaccess(const site *s, audience edition);
char *hosting_web_config(const site *s, audience edition);

typedef struct hosting_options {
    hosting_server server;
    audience edition;
    const char *root;   /* the edition's folder on the server; NULL: a default by server */
    const char *listen; /* "PORT", "ADDR:PORT" or "[ADDR6]:PORT"; NULL: port 80, every address */
    bool allow_open;    /* serve a staff or internal edition without access control to anyone */
} hosting_options;

/* `policygen hosting`: the server's configuration for one edition (caller
 * frees), or NULL after a diagnostic when an option is malformed or the
 * edition would be open to anyone who reaches the listener (a staff or
 * internal edition with no access control in site.yaml, on an address other
 * than loopback, without allow_open). */
char *hosting_server_config(const site *s, const hosting_options *o, diag_sink *diags);

#endif

/* The HTTP side of serve: GNU libmicrohttpd serving the last good output
 * folder, serve's own files and an event stream that tells open pages when a
 * build finished. The daemon has no thread of its own: serve's loop polls
 * serve_http_fd and calls serve_http_run, so the process has one thread when
 * it forks a build. */
#ifndef POLICYGEN_SERVE_HTTP_H
#define POLICYGEN_SERVE_HTTP_H

#include <stdbool.h>
#include <sys/socket.h>

#include "serve/page.h"

/* What the server shows; serve's loop changes it between serve_http_run calls. */
typedef struct serve_view {
    const char *root;    /* the last good output folder, or NULL before the first */
    serve_status status; /* the build id and the last build's diagnostics */
    bool pdf;            /* PDFs are typeset (a missing .pdf otherwise says why) */
} serve_view;

/* An address to listen on: an IPv4 or IPv6 literal. */
typedef struct serve_address {
    struct sockaddr_storage sa;
    unsigned port;
    bool ipv6;
    bool loopback; /* 127.0.0.0/8 or ::1 */
} serve_address;

/* Parses an IPv4 or IPv6 literal (IPv6 with or without brackets) and port;
 * false when text is neither. */
bool serve_address_parse(const char *text, unsigned port, serve_address *out);

typedef struct serve_http serve_http;

/* Listens on addr; NULL (after libmicrohttpd's message) when it cannot. */
serve_http *serve_http_start(const serve_address *addr, const serve_view *view);
/* The port listened on (the one the kernel chose for port 0). */
unsigned serve_http_port(const serve_http *h);
/* The descriptor to poll for reading, and the longest wait (-1: none) before
 * serve_http_run must be called even when it is not readable. */
int serve_http_fd(const serve_http *h);
int serve_http_timeout_ms(const serve_http *h);
/* Handles whatever is ready, without blocking. */
void serve_http_run(serve_http *h);
/* Tells every open event stream the current build id (view->status.build_id). */
void serve_http_announce(serve_http *h);
/* Sends a comment on every event stream, so that the streams of pages that
 * were closed are noticed and ended. */
void serve_http_ping(serve_http *h);
/* Ends every event stream and every connection, and frees h. */
void serve_http_stop(serve_http *h);

#endif

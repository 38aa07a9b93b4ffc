#include "serve/http.h"

#include <arpa/inet.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/strbuf.h"
#include "core/xalloc.h"
#include "serve/files.h"

/* An open event stream (GET SERVE_EVENTS). While it has nothing to say its
 * connection is suspended; an announcement or a ping resumes it. */
typedef struct sse_client {
    serve_http *http;
    struct MHD_Connection *conn;
    struct sse_client *prev, *next;
    unsigned long told;   /* the announcement it was last told */
    unsigned long pinged; /* the ping it was last sent */
    bool greeted;
    bool suspended;
    char out[192]; /* what is being sent: out[off..len) */
    size_t len, off;
} sse_client;

struct serve_http {
    struct MHD_Daemon *daemon;
    const serve_view *view;
    sse_client *clients;
    unsigned long announced; /* serve_http_announce calls */
    unsigned long pings;     /* serve_http_ping calls */
    bool stopping;
};

bool serve_address_parse(const char *text, unsigned port, serve_address *out)
{
    memset(out, 0, sizeof *out);
    out->port = port;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&out->sa;
    if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        out->loopback = (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
        return true;
    }
    char bare[INET6_ADDRSTRLEN + 2];
    size_t n = strlen(text);
    if (n >= 2 && n < sizeof bare && text[0] == '[' && text[n - 1] == ']') {
        memcpy(bare, text + 1, n - 2);
        bare[n - 2] = '\0';
        text = bare;
    }
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->sa;
    if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        out->ipv6 = true;
        out->loopback = IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
        return true;
    }
    return false;
}

/* ---- responses ---- */

static enum MHD_Result queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r,
                             const char *type)
{
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    /* Every build may change any file: the browser asks again each time. */
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Sends data (malloc'd; taken). */
static enum MHD_Result queue_buffer(struct MHD_Connection *c, unsigned status, char *data,
                                    size_t len, const char *type)
{
    return queue(c, status, MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE),
                 type);
}

static enum MHD_Result queue_page(serve_http *h, struct MHD_Connection *c, unsigned status,
                                  const char *title, const char *message)
{
    char *page = serve_page_message(&h->view->status, title, message);
    return queue_buffer(c, status, page, strlen(page), "text/html; charset=utf-8");
}

/* ---- the event stream ---- */

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    sse_client *cl = cls;
    serve_http *h = cl->http;
    (void)pos;
    if (cl->off == cl->len) {
        if (h->stopping)
            return MHD_CONTENT_READER_END_OF_STREAM;
        int n;
        if (!cl->greeted || cl->told != h->announced) {
            /* The first event also asks the browser to reconnect after 1 s. */
            n = snprintf(cl->out, sizeof cl->out, "%sevent: build\ndata: %s\n\n",
                         cl->greeted ? "" : "retry: 1000\n", h->view->status.build_id);
            cl->greeted = true;
            cl->told = h->announced;
            cl->pinged = h->pings;
        } else if (cl->pinged != h->pings) {
            n = snprintf(cl->out, sizeof cl->out, ": ping\n\n");
            cl->pinged = h->pings;
        } else {
            MHD_suspend_connection(cl->conn);
            cl->suspended = true;
            return 0;
        }
        cl->len = (size_t)n < sizeof cl->out ? (size_t)n : sizeof cl->out - 1;
        cl->off = 0;
    }
    size_t n = cl->len - cl->off < max ? cl->len - cl->off : max;
    memcpy(buf, cl->out + cl->off, n);
    cl->off += n;
    return (ssize_t)n;
}

/* The stream's response is freed once its connection is gone. */
static void sse_free(void *cls)
{
    sse_client *cl = cls;
    if (cl->prev)
        cl->prev->next = cl->next;
    else
        cl->http->clients = cl->next;
    if (cl->next)
        cl->next->prev = cl->prev;
    free(cl);
}

static enum MHD_Result queue_events(serve_http *h, struct MHD_Connection *c)
{
    sse_client *cl = xcalloc(1, sizeof *cl);
    cl->http = h;
    cl->conn = c;
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, sse_read, cl, sse_free);
    if (!r) {
        free(cl);
        return MHD_NO;
    }
    cl->next = h->clients;
    if (h->clients)
        h->clients->prev = cl;
    h->clients = cl;
    return queue(c, MHD_HTTP_OK, r, "text/event-stream; charset=utf-8");
}

static void resume_all(serve_http *h)
{
    for (sse_client *cl = h->clients; cl; cl = cl->next)
        if (cl->suspended) {
            cl->suspended = false;
            MHD_resume_connection(cl->conn);
        }
}

void serve_http_announce(serve_http *h)
{
    h->announced++;
    resume_all(h);
}

void serve_http_ping(serve_http *h)
{
    h->pings++;
    resume_all(h);
}

/* ---- files ---- */

/* Location of a folder named without its final '/': the path percent-encoded
 * but for unreserved bytes and '/'. */
static char *folder_location(const char *path)
{
    strbuf sb;
    sb_init(&sb);
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("/-._~", *p))
            sb_appendc(&sb, (char)*p);
        else
            sb_printf(&sb, "%%%02X", *p);
    }
    sb_appendc(&sb, '/');
    return sb_take(&sb);
}

/* A file as it is; libmicrohttpd closes fd. */
static enum MHD_Result queue_fd(struct MHD_Connection *c, int fd, const struct stat *st,
                                const char *type)
{
    struct MHD_Response *r = MHD_create_response_from_fd64((uint64_t)st->st_size, fd);
    if (!r)
        close(fd);
    return queue(c, MHD_HTTP_OK, r, type);
}

/* An HTML page as served: read whole, with serve's script put in. */
static enum MHD_Result queue_html(serve_http *h, struct MHD_Connection *c, int fd,
                                  const struct stat *st, const char *type)
{
    /* The built pages are far below this; a larger one is sent as it is. */
    if (st->st_size > 256 * 1024 * 1024)
        return queue_fd(c, fd, st, type);
    size_t size = (size_t)st->st_size, got = 0;
    char *html = xmalloc(size + 1);
    while (got < size) {
        ssize_t n = pread(fd, html + got, size - got, (off_t)got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    size_t len;
    char *page = serve_page_inject(html, got, &h->view->status, &len);
    free(html);
    return queue_buffer(c, MHD_HTTP_OK, page, len, type);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static enum MHD_Result queue_file(serve_http *h, struct MHD_Connection *c, const char *url)
{
    int fd;
    struct stat st;
    const char *name = NULL;
    switch (serve_open(h->view->root, url, &fd, &st, &name)) {
    case SERVE_FOUND: {
        const char *type = serve_content_type(name);
        if (serve_type_is_html(type))
            return queue_html(h, c, fd, &st, type);
        return queue_fd(c, fd, &st, type);
    }
    case SERVE_DIRECTORY: {
        char *location = folder_location(url);
        struct MHD_Response *r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
        if (r)
            MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, location);
        free(location);
        return queue(c, MHD_HTTP_MOVED_PERMANENTLY, r, "text/plain; charset=utf-8");
    }
    case SERVE_BAD_PATH:
        return queue_page(h, c, MHD_HTTP_BAD_REQUEST, "400 Bad request",
                          "This path has a '.', '..', hidden or empty segment or a backslash: "
                          "serve only serves the files of the output folder.");
    case SERVE_SYMLINK:
        return queue_page(h, c, MHD_HTTP_FORBIDDEN, "403 Forbidden",
                          "This path goes through a symbolic link: serve never follows one.");
    case SERVE_NOT_FOUND: break;
    }
    char *message = xasprintf("Nothing at %s in the output.%s", url,
                              !h->view->pdf && ends_with(url, ".pdf")
                                  ? " serve typesets no PDFs unless started with --pdf."
                                  : "");
    enum MHD_Result ret = queue_page(h, c, MHD_HTTP_NOT_FOUND, "404 Not found", message);
    free(message);
    return ret;
}

/* ---- requests ---- */

/* A request's *req_cls: what check_raw_uri found, and whether the handler
 * was called for it before. A response is queued on the second call, once
 * the request is read whole: libmicrohttpd closes the connection after a
 * response queued on the first. */
static char fresh_ok, fresh_refused, seen_ok, seen_refused;

/* Refuses a path that percent-encodes '/', '\' or NUL: the decoded path (all
 * the handler sees) could not tell them from the real thing. */
static void *check_raw_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    for (const char *p = uri; *p && *p != '?'; p++)
        if (p[0] == '%' && p[1] && p[2] &&
            (strncasecmp(p + 1, "2f", 2) == 0 || strncasecmp(p + 1, "5c", 2) == 0 ||
             strncmp(p + 1, "00", 2) == 0))
            return &fresh_refused;
    return &fresh_ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **req_cls)
{
    serve_http *h = cls;
    (void)version;
    (void)upload_data;
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
        /* At once, without reading a body: the connection closes after. */
        char *page = serve_page_message(&h->view->status, "405 Method not allowed",
                                        "serve answers GET and HEAD only.");
        struct MHD_Response *r =
            MHD_create_response_from_buffer(strlen(page), page, MHD_RESPMEM_MUST_FREE);
        if (r)
            MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
        else
            free(page);
        return queue(c, MHD_HTTP_METHOD_NOT_ALLOWED, r, "text/html; charset=utf-8");
    }
    if (*req_cls == &fresh_ok || *req_cls == &fresh_refused) {
        *req_cls = *req_cls == &fresh_ok ? &seen_ok : &seen_refused;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0; /* a GET with a body: the body is ignored */
        return MHD_YES;
    }
    if (*req_cls == &seen_refused)
        return queue_page(h, c, MHD_HTTP_BAD_REQUEST, "400 Bad request",
                          "An encoded '/', '\\' or NUL in a path is refused.");
    if (strncmp(url, SERVE_PREFIX, strlen(SERVE_PREFIX)) == 0) {
        const char *name = url + strlen(SERVE_PREFIX);
        const char *type;
        const char *asset = serve_asset(name, &type);
        if (asset)
            return queue(c, MHD_HTTP_OK,
                         MHD_create_response_from_buffer(strlen(asset), (void *)asset,
                                                         MHD_RESPMEM_PERSISTENT),
                         type);
        if (strcmp(url, SERVE_EVENTS) == 0)
            return queue_events(h, c);
        return queue_page(h, c, MHD_HTTP_NOT_FOUND, "404 Not found", "serve has no such file.");
    }
    if (!h->view->root)
        return queue_page(h, c, MHD_HTTP_SERVICE_UNAVAILABLE,
                          h->view->status.diagnostics ? "The build failed" : "Building",
                          NULL);
    return queue_file(h, c, url);
}

/* libmicrohttpd's own messages while it starts (a port in use, say). Once
 * it runs they are about browsers that went away (a closed page's event
 * stream, a reload while a page was loading): not worth telling. */
static void log_mhd(void *cls, const char *fmt, va_list ap)
{
    const serve_http *h = cls;
    if (h->daemon)
        return;
    fputs("policygen: serve: ", stderr);
    vfprintf(stderr, fmt, ap);
    size_t n = strlen(fmt);
    if (n == 0 || fmt[n - 1] != '\n')
        fputc('\n', stderr);
}

serve_http *serve_http_start(const serve_address *addr, const serve_view *view)
{
    serve_http *h = xcalloc(1, sizeof *h);
    h->view = view;
    unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (addr->ipv6)
        flags |= MHD_USE_IPv6;
    /* The logger first, so that it also tells about the options after it. */
    h->daemon = MHD_start_daemon(flags, (uint16_t)addr->port, NULL, NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER,
                                 log_mhd, h, MHD_OPTION_SOCK_ADDR,
                                 (const struct sockaddr *)&addr->sa, MHD_OPTION_URI_LOG_CALLBACK,
                                 check_raw_uri, NULL, MHD_OPTION_CONNECTION_TIMEOUT, 120u,
                                 MHD_OPTION_END);
    if (!h->daemon) {
        free(h);
        return NULL;
    }
    return h;
}

unsigned serve_http_port(const serve_http *h)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

int serve_http_fd(const serve_http *h)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_EPOLL_FD);
    return info ? info->epoll_fd : -1;
}

int serve_http_timeout_ms(const serve_http *h)
{
    MHD_UNSIGNED_LONG_LONG ms;
    if (MHD_get_timeout(h->daemon, &ms) != MHD_YES)
        return -1;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

void serve_http_run(serve_http *h)
{
    MHD_run(h->daemon);
}

void serve_http_stop(serve_http *h)
{
    if (!h)
        return;
    /* Suspended connections must be resumed before the daemon stops; each
     * stream then ends. */
    h->stopping = true;
    resume_all(h);
    MHD_run(h->daemon);
    MHD_stop_daemon(h->daemon);
    free(h);
}

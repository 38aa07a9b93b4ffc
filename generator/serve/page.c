#define _GNU_SOURCE /* memmem */
#include "serve/page.h"

#include <string.h>
#include <strings.h>

#include "core/strbuf.h"
#include "core/xalloc.h"

/* Reloads the page when a build finishes. The page knows the build it came
 * from (data-build on the script tag); the event stream names the latest
 * build as soon as it connects and after every build, so a build that
 * finished while the page was loading, or a restarted serve, still reloads
 * it. EventSource reconnects by itself after serve restarts. */
static const char RELOAD_JS[] =
    "// policygen serve: reloads this page when a build finishes.\n"
    "(function () {\n"
    "  'use strict';\n"
    "  var script = document.currentScript;\n"
    "  var shown = script ? script.getAttribute('data-build') : null;\n"
    "  var events = new EventSource('" SERVE_EVENTS "');\n"
    "  events.addEventListener('build', function (event) {\n"
    "    if (event.data !== shown)\n"
    "      window.location.reload();\n"
    "  });\n"
    "})();\n";

static const char SERVE_CSS[] =
    "/* policygen serve: the failed build's diagnostics above the last good page. */\n"
    "#policygen-serve {\n"
    "  position: sticky; top: 0; z-index: 2147483647;\n"
    "  max-height: 60vh; overflow: auto;\n"
    "  margin: 0; padding: 0.75rem 1rem;\n"
    "  background: #fff3f3; color: #1a1a1a;\n"
    "  border-bottom: 3px solid #b00020;\n"
    "  font: 15px/1.5 system-ui, sans-serif; text-align: left;\n"
    "}\n"
    "#policygen-serve h2 { margin: 0 0 0.25rem; font-size: 1.05rem; color: #b00020; }\n"
    "#policygen-serve p { margin: 0.25rem 0; }\n"
    "#policygen-serve ol { margin: 0.5rem 0 0; padding-left: 1.75rem; }\n"
    "#policygen-serve li {\n"
    "  font: 13px/1.45 ui-monospace, 'DejaVu Sans Mono', monospace;\n"
    "  white-space: pre-wrap; overflow-wrap: anywhere;\n"
    "}\n"
    "#policygen-serve li.error { color: #b00020; }\n"
    "#policygen-serve li.warning { color: #8a5300; }\n"
    "#policygen-serve.building { background: #f3f6ff; border-color: #1f4e9c; }\n"
    "#policygen-serve.building h2 { color: #1f4e9c; }\n";

const char *serve_asset(const char *name, const char **type)
{
    if (strcmp(name, "reload.js") == 0) {
        *type = "text/javascript; charset=utf-8";
        return RELOAD_JS;
    }
    if (strcmp(name, "serve.css") == 0) {
        *type = "text/css; charset=utf-8";
        return SERVE_CSS;
    }
    return NULL;
}

static void append_head(strbuf *sb, const serve_status *st)
{
    sb_append(sb, "<link rel=\"stylesheet\" href=\"" SERVE_PREFIX "serve.css\">"
                  "<script src=\"" SERVE_PREFIX "reload.js\" data-build=\"");
    sb_append_html(sb, st->build_id, strlen(st->build_id));
    sb_append(sb, "\" defer></script>\n");
}

/* One diagnostic a line, each escaped, marked by its severity. */
static void append_diagnostics(strbuf *sb, const char *text)
{
    sb_append(sb, "<ol>\n");
    const char *line = text;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > 0) {
            const char *cls = memmem(line, len, ": error: ", 9)     ? "error"
                              : memmem(line, len, ": warning: ", 11) ? "warning"
                                                                     : "note";
            sb_printf(sb, "<li class=\"%s\">", cls);
            sb_append_html(sb, line, len);
            sb_append(sb, "</li>\n");
        }
        line = end ? end + 1 : line + len;
    }
    sb_append(sb, "</ol>\n");
}

/* The box at the top of the page; nothing when the last build succeeded. */
static void append_box(strbuf *sb, const serve_status *st)
{
    if (st->diagnostics) {
        sb_append(sb, "\n<section id=\"policygen-serve\" role=\"alert\">\n"
                      "<h2>建置失敗 The build failed</h2>\n");
        sb_append(sb, st->has_output ? "<p>The pages served are from the last good build."
                                     : "<p>There is no good build yet.");
        sb_append(sb, " Fix the content and save: this page reloads after the next build.</p>\n");
        append_diagnostics(sb, st->diagnostics);
        sb_append(sb, "</section>\n");
    } else if (st->building) {
        sb_append(sb, "\n<section id=\"policygen-serve\" class=\"building\" role=\"status\">\n"
                      "<h2>建置中 Building…</h2>\n"
                      "<p>This page reloads when the first build is done.</p>\n"
                      "</section>\n");
    }
}

/* Where a tag (e.g. "</head", "<body") is, case-insensitively, or NULL. */
static const char *find_tag(const char *html, size_t len, const char *tag)
{
    size_t n = strlen(tag);
    for (size_t i = 0; i + n <= len; i++)
        if (html[i] == '<' && strncasecmp(html + i, tag, n) == 0 &&
            (i + n == len || html[i + n] == '>' || html[i + n] == ' ' || html[i + n] == '\t' ||
             html[i + n] == '\n' || html[i + n] == '\r'))
            return html + i;
    return NULL;
}

char *serve_page_inject(const char *html, size_t len, const serve_status *st, size_t *out_len)
{
    strbuf sb;
    sb_init(&sb);
    const char *end = html + len;
    const char *head_end = find_tag(html, len, "</head");
    const char *body = find_tag(html, len, "<body");
    const char *body_end = body ? memchr(body, '>', (size_t)(end - body)) : NULL;
    const char *at = html;
    /* Without </head> (or with it after <body>) the head part goes first. */
    if (!head_end || (body && head_end > body)) {
        append_head(&sb, st);
    } else {
        sb_appendn(&sb, at, (size_t)(head_end - at));
        append_head(&sb, st);
        at = head_end;
    }
    if (body_end) {
        sb_appendn(&sb, at, (size_t)(body_end + 1 - at));
        at = body_end + 1;
    }
    append_box(&sb, st);
    sb_appendn(&sb, at, (size_t)(end - at));
    *out_len = sb.len;
    return sb_take(&sb);
}

char *serve_page_message(const serve_status *st, const char *title, const char *message)
{
    strbuf sb;
    sb_init(&sb);
    sb_append(&sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<title>");
    sb_append_html(&sb, title, strlen(title));
    sb_append(&sb, " · policygen serve</title>\n");
    append_head(&sb, st);
    sb_append(&sb, "</head>\n<body>\n");
    append_box(&sb, st);
    sb_append(&sb, "<main>\n<h1>");
    sb_append_html(&sb, title, strlen(title));
    sb_append(&sb, "</h1>\n");
    if (message && *message) {
        sb_append(&sb, "<p>");
        sb_append_html(&sb, message, strlen(message));
        sb_append(&sb, "</p>\n");
    }
    sb_append(&sb, "</main>\n</body>\n</html>\n");
    return sb_take(&sb);
}

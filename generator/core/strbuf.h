/* A growable byte string, always NUL-terminated. */
#ifndef POLICYGEN_STRBUF_H
#define POLICYGEN_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct strbuf {
    char *data; /* NULL only after sb_take or sb_free */
    size_t len;
    size_t cap;
} strbuf;

void sb_init(strbuf *sb);
void sb_free(strbuf *sb);
void sb_clear(strbuf *sb);
void sb_grow(strbuf *sb, size_t extra);
void sb_append(strbuf *sb, const char *s);
void sb_appendn(strbuf *sb, const char *s, size_t n);
void sb_appendc(strbuf *sb, char c);
void sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* sb_printf(sb, "%lld", n) without printf: pages are full of numbers. */
void sb_append_int(strbuf *sb, long long n);
void sb_vprintf(strbuf *sb, const char *fmt, va_list ap);
/* Appends s with & < > " ' escaped for HTML text and attribute values. */
void sb_append_html(strbuf *sb, const char *s, size_t n);
/* The same for XML text and attribute values, leaving out the control
 * characters XML 1.0 cannot hold (all below U+0020 but tab, LF and CR). */
void sb_append_xml(strbuf *sb, const char *s, size_t n);
/* Hands the buffer to the caller (who frees it) and leaves sb released:
 * nothing left to free, and appending starts a new buffer. */
char *sb_take(strbuf *sb);

#endif

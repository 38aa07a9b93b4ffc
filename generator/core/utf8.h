/* UTF-8: decoding one character strictly (no overlong forms, no surrogates,
 * nothing above U+10FFFF) or leniently (text already checked when it was
 * loaded: a stray byte reads as one character of its own value), writing
 * one, and the escaping of text for one-line output. */
#ifndef POLICYGEN_UTF8_H
#define POLICYGEN_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"

/* The length (1 to 4) of the valid UTF-8 character at s[0..n), its code
 * point in *cp; 0 when s does not start with one (or n is 0). */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);

/* The code point at *p (advanced past it), leniently; end bounds the read. */
uint32_t utf8_next(const unsigned char **p, const unsigned char *end);
/* Appends the code point c. */
void utf8_append(strbuf *sb, uint32_t c);

/* Whether cp is a control character that text may not hold: C0 (but tab,
 * line feed and carriage return, which only escaping cares about), DEL and
 * C1 (U+0080 to U+009F, which some terminals obey as ESC sequences). */
bool utf8_is_control(uint32_t cp);

/* Appends s[0..n) so that it can neither break a line nor drive a terminal:
 * ESC as \x1b, CR as \r, LF as \n, other C0 (tab too) and DEL as \xNN, a C1
 * character and a bidirectional override or isolate (U+202A-202E,
 * U+2066-2069) as \uNNNN, and a byte that is not valid UTF-8 as \xNN.
 * Everything else is copied. */
void utf8_append_escaped(strbuf *out, const char *s, size_t n);

#endif

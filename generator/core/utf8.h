/* UTF-8 a character at a time, leniently: the text was checked when it was
 * loaded, so a stray byte is read as one character of its own value. */
#ifndef POLICYGEN_UTF8_H
#define POLICYGEN_UTF8_H

#include <stdint.h>

#include "core/strbuf.h"

/* The code point at *p (advanced past it); end bounds the read. */
uint32_t utf8_next(const unsigned char **p, const unsigned char *end);
/* Appends the code point c. */
void utf8_append(strbuf *sb, uint32_t c);

#endif

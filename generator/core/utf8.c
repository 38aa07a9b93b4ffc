#include "core/utf8.h"

size_t utf8_decode(const char *str, size_t n, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    if (n == 0)
        return 0;
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t need;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        v = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        v = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        v = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n <= need)
        return 0;
    for (size_t k = 1; k <= need; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[k] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return need + 1;
}

bool utf8_is_control(uint32_t cp)
{
    if (cp == '\t' || cp == '\n' || cp == '\r')
        return false;
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
}

/* The bidirectional overrides and isolates, which reorder what a terminal
 * shows after them (a message could be made to read as another). */
static bool bidi_control(uint32_t cp)
{
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

void utf8_append_escaped(strbuf *out, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t len = utf8_decode(s + i, n - i, &cp);
        if (len == 0) {
            sb_printf(out, "\\x%02x", (unsigned char)s[i]);
            i++;
            continue;
        }
        if (cp == '\n')
            sb_append(out, "\\n");
        else if (cp == '\r')
            sb_append(out, "\\r");
        else if ((cp >= 0x80 && cp <= 0x9F) || bidi_control(cp))
            sb_printf(out, "\\u%04x", (unsigned)cp);
        else if (cp < 0x20 || cp == 0x7F)
            sb_printf(out, "\\x%02x", (unsigned)cp);
        else
            sb_appendn(out, s + i, len);
        i += len;
    }
}

uint32_t utf8_next(const unsigned char **p, const unsigned char *end)
{
    uint32_t c = **p;
    int n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    (*p)++;
    if (n == 0 || end - *p < n)
        return c;
    c &= 0x3Fu >> n;
    for (int i = 0; i < n; i++)
        c = c << 6 | (*(*p)++ & 0x3Fu);
    return c;
}

void utf8_append(strbuf *sb, uint32_t c)
{
    char b[4];
    size_t n;
    if (c < 0x80) {
        b[0] = (char)c;
        n = 1;
    } else if (c < 0x800) {
        b[0] = (char)(0xC0 | c >> 6);
        b[1] = (char)(0x80 | (c & 0x3F));
        n = 2;
    } else if (c < 0x10000) {
        b[0] = (char)(0xE0 | c >> 12);
        b[1] = (char)(0x80 | (c >> 6 & 0x3F));
        b[2] = (char)(0x80 | (c & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | c >> 18);
        b[1] = (char)(0x80 | (c >> 12 & 0x3F));
        b[2] = (char)(0x80 | (c >> 6 & 0x3F));
        b[3] = (char)(0x80 | (c & 0x3F));
        n = 4;
    }
    sb_appendn(sb, b, n);
}

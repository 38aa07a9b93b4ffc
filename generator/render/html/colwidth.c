#include "render/html/colwidth.h"

#include <string.h>

#include "core/utf8.h"

/* Lines wrap past these widths (em): a cell of prose gets a column of 8
 * characters, a header label one of 4. */
#define LINE_CAP 8.0
#define HEADER_CAP 4.0

/* The width of a character in em, about, in the theme's sans-serif. */
static double char_em(unsigned long cp)
{
    if (cp < 0x80)
        return cp == ' ' ? 0.3 : 0.55;
    if (cp >= 0x1100 && !(cp >= 0x2000 && cp < 0x2E80))
        return 1.0; /* CJK, kana, hangul, full-width forms */
    return 0.6;
}

/* An ASCII character that a browser does not break at (UAX #14 keeps IDs,
 * addresses, dates and numbers whole: SW-001, 210.240.1.56, 107/12/26). */
static bool word_char(unsigned long cp)
{
    return cp > ' ' && cp < 0x80;
}

#define KEEP_OPEN "<span class=\"keep\">"

typedef struct measure {
    colwidth *c;
    double cap;
    double line, word; /* the current line's width, and its current word's */
    bool keep;         /* inside a kept span: every character is of one word */
} measure;

static void need(measure *m, double em)
{
    if (em > m->c->em)
        m->c->em = em;
}

static void end_word(measure *m)
{
    need(m, m->word);
    m->word = 0;
}

static void end_line(measure *m)
{
    end_word(m);
    need(m, m->line < m->cap ? m->line : m->cap);
    m->line = 0;
}

static void put_char(measure *m, unsigned long cp)
{
    double w = char_em(cp);
    m->line += w;
    if (m->keep || word_char(cp))
        m->word += w;
    else
        end_word(m);
}

void colwidth_add_text(colwidth *c, const char *text, size_t len, bool header)
{
    measure m = {c, header ? HEADER_CAP : LINE_CAP, 0, 0, false};
    const unsigned char *p = (const unsigned char *)text, *end = p + len;
    while (p < end) {
        if (*p == '\n') {
            p++;
            end_line(&m);
            continue;
        }
        put_char(&m, utf8_next(&p, end));
    }
    end_line(&m);
}

static void add_html(colwidth *c, const char *html, size_t len, double cap)
{
    measure m = {c, cap, 0, 0, false};
    const unsigned char *p = (const unsigned char *)html, *end = p + len;
    while (p < end) {
        if (*p == '<') {
            const unsigned char *close = memchr(p, '>', (size_t)(end - p));
            if (!close)
                break;
            if (close - p >= 3 && (p[1] == 'b' || p[1] == 'B') && (p[2] == 'r' || p[2] == 'R'))
                end_line(&m);
            /* <span class="keep">: a value the browser does not break. */
            size_t n = (size_t)(close - p) + 1;
            if (n == sizeof KEEP_OPEN - 1 && memcmp(p, KEEP_OPEN, n) == 0)
                m.keep = true;
            else if (m.keep && n == 7 && memcmp(p, "</span>", 7) == 0) {
                m.keep = false;
                end_word(&m);
            }
            p = close + 1;
        } else if (*p == '&') {
            const unsigned char *semi = memchr(p, ';', (size_t)(end - p) < 10 ? (size_t)(end - p) : 10);
            p = semi ? semi + 1 : p + 1;
            put_char(&m, 'x');
        } else if (*p == '\n') {
            p++; /* white space in HTML: the <br> before it made the line */
        } else {
            put_char(&m, utf8_next(&p, end));
        }
    }
    end_line(&m);
}

void colwidth_add_html(colwidth *c, const char *html, size_t len, bool header)
{
    add_html(c, html, len, header ? HEADER_CAP : LINE_CAP);
}

double colwidth_natural_html(const char *html, size_t len)
{
    colwidth c = {0};
    add_html(&c, html, len, 1e9);
    return c.em;
}

/* The theme's classes: th.wN { min-width: Nem } (style.css). */
static const struct {
    double em;
    const char *name;
} STEPS[] = {{2, "w2"}, {3, "w3"}, {4, "w4"},   {5, "w5"},   {6, "w6"},
             {7, "w7"}, {8, "w8"}, {10, "w10"}, {12, "w12"}, {14, "w14"}};
#define NSTEPS (sizeof STEPS / sizeof *STEPS)

static size_t step_of(const colwidth *c)
{
    for (size_t i = 0; i < NSTEPS; i++)
        if (c->em <= STEPS[i].em + 0.05)
            return i;
    return NSTEPS - 1;
}

const char *colwidth_class(const colwidth *c)
{
    return STEPS[step_of(c)].name;
}

double colwidth_em(const colwidth *c)
{
    return STEPS[step_of(c)].em;
}

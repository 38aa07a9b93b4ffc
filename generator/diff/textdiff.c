#include "diff/textdiff.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "core/xalloc.h"

/* ---- code point strings ----
 *
 * Text is decoded to code points; a byte that does not start a valid UTF-8
 * sequence becomes ESCAPE + the byte (above U+10FFFF, so it can never equal
 * a character) and is written back as that byte. */

#define ESCAPE 0x110000u

typedef struct cps {
    uint32_t *v;
    size_t len;
    size_t cap;
} cps;

static void cps_reserve(cps *s, size_t extra)
{
    if (s->len + extra <= s->cap)
        return;
    size_t cap = s->cap ? s->cap : 16;
    while (cap < s->len + extra)
        cap *= 2;
    s->v = xrealloc(s->v, cap * sizeof *s->v);
    s->cap = cap;
}

static void cps_append(cps *s, const uint32_t *v, size_t n)
{
    if (!n)
        return;
    cps_reserve(s, n);
    memmove(s->v + s->len, v, n * sizeof *v);
    s->len += n;
}

static void cps_prepend(cps *s, const uint32_t *v, size_t n)
{
    if (!n)
        return;
    cps_reserve(s, n);
    memmove(s->v + n, s->v, s->len * sizeof *s->v);
    memcpy(s->v, v, n * sizeof *v);
    s->len += n;
}

static void cps_erase_front(cps *s, size_t n)
{
    if (n >= s->len) {
        s->len = 0;
        return;
    }
    memmove(s->v, s->v + n, (s->len - n) * sizeof *s->v);
    s->len -= n;
}

static void cps_set(cps *s, const uint32_t *v, size_t n)
{
    s->len = 0;
    cps_append(s, v, n);
}

static void cps_free(cps *s)
{
    free(s->v);
    s->v = NULL;
    s->len = s->cap = 0;
}

static void decode_all(const char *str, size_t n, cps *out)
{
    cps_reserve(out, n);
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t len = utf8_decode(str + i, n - i, &cp);
        if (len) {
            out->v[out->len++] = cp;
            i += len;
        } else {
            out->v[out->len++] = ESCAPE + (unsigned char)str[i];
            i++;
        }
    }
}

static void utf8_encode(strbuf *sb, const uint32_t *v, size_t n)
{
    sb_grow(sb, n * 4);
    for (size_t i = 0; i < n; i++) {
        uint32_t c = v[i];
        char b[4];
        size_t k;
        if (c < 0x80) {
            b[0] = (char)c;
            k = 1;
        } else if (c < 0x800) {
            b[0] = (char)(0xC0 | (c >> 6));
            b[1] = (char)(0x80 | (c & 0x3F));
            k = 2;
        } else if (c < 0x10000) {
            b[0] = (char)(0xE0 | (c >> 12));
            b[1] = (char)(0x80 | ((c >> 6) & 0x3F));
            b[2] = (char)(0x80 | (c & 0x3F));
            k = 3;
        } else if (c <= 0x10FFFF) {
            b[0] = (char)(0xF0 | (c >> 18));
            b[1] = (char)(0x80 | ((c >> 12) & 0x3F));
            b[2] = (char)(0x80 | ((c >> 6) & 0x3F));
            b[3] = (char)(0x80 | (c & 0x3F));
            k = 4;
        } else {
            b[0] = (char)(c - ESCAPE);
            k = 1;
        }
        sb_appendn(sb, b, k);
    }
}

static size_t common_prefix(const uint32_t *a, size_t n, const uint32_t *b, size_t m)
{
    size_t k = 0;
    while (k < n && k < m && a[k] == b[k])
        k++;
    return k;
}

static size_t common_suffix(const uint32_t *a, size_t n, const uint32_t *b, size_t m)
{
    size_t k = 0;
    while (k < n && k < m && a[n - 1 - k] == b[m - 1 - k])
        k++;
    return k;
}

/* ---- Myers' middle-snake diff over token arrays ---- */

typedef struct edit {
    diff_op op;
    size_t a; /* start in the old tokens (equal, delete) */
    size_t b; /* start in the new tokens (equal, insert) */
    size_t n;
} edit;

typedef struct edits {
    edit *v;
    size_t len;
    size_t cap;
} edits;

typedef struct dctx {
    size_t budget; /* steps left */
    bool exhausted;
    double product; /* line mode: re-diff changed lines whose product is at most this */
} dctx;

static void edits_push(edits *e, diff_op op, size_t a, size_t b, size_t n)
{
    if (!n)
        return;
    if (e->len) {
        edit *l = &e->v[e->len - 1];
        if (l->op == op && (op == DIFF_INSERT || l->a + l->n == a) &&
            (op == DIFF_DELETE || l->b + l->n == b)) {
            l->n += n;
            return;
        }
    }
    if (e->len == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 16;
        e->v = xrealloc(e->v, e->cap * sizeof *e->v);
    }
    e->v[e->len++] = (edit){op, a, b, n};
}

static void charge(dctx *c, size_t steps)
{
    if (steps >= c->budget) {
        c->budget = 0;
        c->exhausted = true;
    } else {
        c->budget -= steps;
    }
}

static void diff_rec(dctx *c, const uint32_t *A, size_t a0, size_t n, const uint32_t *B, size_t b0,
                     size_t m, edits *out);

/* The replacement of the whole of one stretch by the whole of the other. */
static void replace_all(edits *out, size_t a0, size_t n, size_t b0, size_t m)
{
    edits_push(out, DIFF_DELETE, a0, b0, n);
    edits_push(out, DIFF_INSERT, a0 + n, b0, m);
}

static size_t isqrt(size_t x)
{
    return (size_t)sqrt((double)x);
}

/* Finds the middle snake of A[a0, a0+n) and B[b0, b0+m) and diffs the two
 * halves on either side of it; both n and m are at least 2 here. */
static void bisect(dctx *c, const uint32_t *A, size_t a0, size_t n, const uint32_t *B, size_t b0,
                   size_t m, edits *out)
{
    const uint32_t *a = A + a0, *b = B + b0;
    ptrdiff_t N = (ptrdiff_t)n, M = (ptrdiff_t)m;
    ptrdiff_t max_d = (N + M + 1) / 2;
    /* Each round d costs at least 2(d + 1) steps, so the budget left cannot
     * pay for more than about sqrt(budget) rounds: no need for longer arrays. */
    ptrdiff_t reach = (ptrdiff_t)isqrt(c->budget) + 2;
    bool capped = max_d > reach;
    if (capped)
        max_d = reach;
    ptrdiff_t v_offset = max_d + 1;
    ptrdiff_t v_length = 2 * max_d + 3;
    ptrdiff_t *v1 = xmalloc((size_t)v_length * sizeof *v1);
    ptrdiff_t *v2 = xmalloc((size_t)v_length * sizeof *v2);
    for (ptrdiff_t i = 0; i < v_length; i++)
        v1[i] = v2[i] = -1;
    charge(c, (size_t)v_length);
    v1[v_offset + 1] = 0;
    v2[v_offset + 1] = 0;
    ptrdiff_t delta = N - M;
    bool front = (delta % 2) != 0;
    ptrdiff_t k1start = 0, k1end = 0, k2start = 0, k2end = 0;
    ptrdiff_t split_x = -1, split_y = -1;
    for (ptrdiff_t d = 0; d < max_d && split_x < 0; d++) {
        if (c->exhausted)
            break;
        size_t steps = 0;
        for (ptrdiff_t k1 = -d + k1start; k1 <= d - k1end; k1 += 2) {
            ptrdiff_t k1_offset = v_offset + k1;
            ptrdiff_t x1;
            if (k1 == -d || (k1 != d && v1[k1_offset - 1] < v1[k1_offset + 1]))
                x1 = v1[k1_offset + 1];
            else
                x1 = v1[k1_offset - 1] + 1;
            ptrdiff_t y1 = x1 - k1;
            steps++;
            while (x1 < N && y1 < M && a[x1] == b[y1]) {
                x1++;
                y1++;
                steps++;
            }
            v1[k1_offset] = x1;
            if (x1 > N) {
                k1end += 2;
            } else if (y1 > M) {
                k1start += 2;
            } else if (front) {
                ptrdiff_t k2_offset = v_offset + delta - k1;
                if (k2_offset >= 0 && k2_offset < v_length && v2[k2_offset] != -1) {
                    ptrdiff_t x2 = N - v2[k2_offset];
                    if (x1 >= x2) {
                        split_x = x1;
                        split_y = y1;
                        break;
                    }
                }
            }
        }
        if (split_x >= 0)
            break;
        for (ptrdiff_t k2 = -d + k2start; k2 <= d - k2end; k2 += 2) {
            ptrdiff_t k2_offset = v_offset + k2;
            ptrdiff_t x2;
            if (k2 == -d || (k2 != d && v2[k2_offset - 1] < v2[k2_offset + 1]))
                x2 = v2[k2_offset + 1];
            else
                x2 = v2[k2_offset - 1] + 1;
            ptrdiff_t y2 = x2 - k2;
            steps++;
            while (x2 < N && y2 < M && a[N - x2 - 1] == b[M - y2 - 1]) {
                x2++;
                y2++;
                steps++;
            }
            v2[k2_offset] = x2;
            if (x2 > N) {
                k2end += 2;
            } else if (y2 > M) {
                k2start += 2;
            } else if (!front) {
                ptrdiff_t k1_offset = v_offset + delta - k2;
                if (k1_offset >= 0 && k1_offset < v_length && v1[k1_offset] != -1) {
                    ptrdiff_t x1 = v1[k1_offset];
                    ptrdiff_t y1 = v_offset + x1 - k1_offset;
                    if (x1 >= N - x2) {
                        split_x = x1;
                        split_y = y1;
                        break;
                    }
                }
            }
        }
        charge(c, steps);
    }
    free(v1);
    free(v2);
    if (split_x < 0) {
        /* Nothing in common, or out of budget: the stretch is replaced. */
        if (capped)
            c->exhausted = true;
        replace_all(out, a0, n, b0, m);
        return;
    }
    diff_rec(c, A, a0, (size_t)split_x, B, b0, (size_t)split_y, out);
    diff_rec(c, A, a0 + (size_t)split_x, n - (size_t)split_x, B, b0 + (size_t)split_y,
             m - (size_t)split_y, out);
}

/* Where the short text occurs in the long one, or -1 (naive search, only
 * for short needles). */
static ptrdiff_t find_short(const uint32_t *hay, size_t n, const uint32_t *needle, size_t k)
{
    if (k > n)
        return -1;
    for (size_t i = 0; i + k <= n; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, k * sizeof *needle) == 0)
            return (ptrdiff_t)i;
    return -1;
}

#define CONTAIN_MAX 32

static void diff_middle(dctx *c, const uint32_t *A, size_t a0, size_t n, const uint32_t *B,
                        size_t b0, size_t m, edits *out)
{
    if (!n) {
        edits_push(out, DIFF_INSERT, a0, b0, m);
        return;
    }
    if (!m) {
        edits_push(out, DIFF_DELETE, a0, b0, n);
        return;
    }
    if (c->exhausted) {
        replace_all(out, a0, n, b0, m);
        return;
    }
    size_t shortlen = n < m ? n : m;
    if (shortlen <= CONTAIN_MAX) {
        charge(c, (n < m ? m : n) * shortlen);
        ptrdiff_t at = n < m ? find_short(B + b0, m, A + a0, n) : find_short(A + a0, n, B + b0, m);
        if (at >= 0) {
            size_t i = (size_t)at;
            if (n < m) {
                edits_push(out, DIFF_INSERT, a0, b0, i);
                edits_push(out, DIFF_EQUAL, a0, b0 + i, n);
                edits_push(out, DIFF_INSERT, a0 + n, b0 + i + n, m - i - n);
            } else {
                edits_push(out, DIFF_DELETE, a0, b0, i);
                edits_push(out, DIFF_EQUAL, a0 + i, b0, m);
                edits_push(out, DIFF_DELETE, a0 + i + m, b0 + m, n - i - m);
            }
            return;
        }
        if (shortlen == 1) {
            replace_all(out, a0, n, b0, m);
            return;
        }
    }
    bisect(c, A, a0, n, B, b0, m, out);
}

static void diff_rec(dctx *c, const uint32_t *A, size_t a0, size_t n, const uint32_t *B, size_t b0,
                     size_t m, edits *out)
{
    size_t p = common_prefix(A + a0, n, B + b0, m);
    size_t s = common_suffix(A + a0 + p, n - p, B + b0 + p, m - p);
    edits_push(out, DIFF_EQUAL, a0, b0, p);
    diff_middle(c, A, a0 + p, n - p - s, B, b0 + p, m - p - s, out);
    edits_push(out, DIFF_EQUAL, a0 + n - s, b0 + m - s, s);
}

/* ---- line mode: lines as tokens, then the changed lines by character ---- */

typedef struct line_table {
    size_t *start; /* cp offset of each slot's line (in its text), for comparison */
    size_t *len;
    const uint32_t **text;
    uint32_t *id; /* slot -> id + 1, 0 = empty */
    size_t nslots;
    uint32_t next_id;
} line_table;

static uint64_t hash_cps(const uint32_t *v, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= v[i];
        h *= 1099511628211ull;
    }
    return h;
}

static uint32_t line_id(line_table *t, const uint32_t *text, size_t start, size_t len)
{
    size_t mask = t->nslots - 1;
    size_t i = (size_t)hash_cps(text + start, len) & mask;
    for (;; i = (i + 1) & mask) {
        if (!t->id[i]) {
            t->id[i] = ++t->next_id;
            t->text[i] = text;
            t->start[i] = start;
            t->len[i] = len;
            return t->id[i];
        }
        if (t->len[i] == len &&
            memcmp(t->text[i] + t->start[i], text + start, len * sizeof *text) == 0)
            return t->id[i];
    }
}

/* Splits v[0, n) into lines (each with its '\n'): token ids and the code
 * point offset of each line (offs has count + 1 entries). */
static void split_lines(line_table *t, const uint32_t *v, size_t from, size_t n, uint32_t **ids,
                        size_t **offs, size_t *count)
{
    size_t lines = 0;
    for (size_t i = 0; i < n; i++)
        if (v[from + i] == '\n')
            lines++;
    if (n && v[from + n - 1] != '\n')
        lines++;
    *ids = xmalloc((lines + 1) * sizeof **ids);
    *offs = xmalloc((lines + 1) * sizeof **offs);
    size_t k = 0, start = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[from + i] == '\n' || i + 1 == n) {
            (*offs)[k] = from + start;
            (*ids)[k] = line_id(t, v, from + start, i + 1 - start);
            k++;
            start = i + 1;
        }
    }
    (*offs)[k] = from + n;
    *count = k;
}

static void diff_lines(dctx *c, const uint32_t *A, size_t a0, size_t n, const uint32_t *B,
                       size_t b0, size_t m, edits *out)
{
    line_table t = {0};
    size_t want = 16;
    while (want < 2 * (n + m + 2))
        want *= 2;
    /* Lines are far fewer than code points; size for the worst case anyway. */
    t.nslots = want;
    t.id = xcalloc(want, sizeof *t.id);
    t.start = xmalloc(want * sizeof *t.start);
    t.len = xmalloc(want * sizeof *t.len);
    t.text = xmalloc(want * sizeof *t.text);
    uint32_t *ia, *ib;
    size_t *oa, *ob, na, nb;
    split_lines(&t, A, a0, n, &ia, &oa, &na);
    split_lines(&t, B, b0, m, &ib, &ob, &nb);
    free(t.id);
    free(t.start);
    free(t.len);
    free(t.text);

    edits le = {0};
    diff_rec(c, ia, 0, na, ib, 0, nb, &le);
    /* Each run of changed lines between equal ones: by character when small
     * enough and the budget lasts, else as replaced lines. */
    size_t i = 0;
    while (i < le.len) {
        edit e = le.v[i];
        if (e.op == DIFF_EQUAL) {
            edits_push(out, DIFF_EQUAL, oa[e.a], ob[e.b], oa[e.a + e.n] - oa[e.a]);
            i++;
            continue;
        }
        /* The run's lines: [la0, la1) of the old text, [lb0, lb1) of the new. */
        size_t la0 = SIZE_MAX, la1 = 0, lb0 = SIZE_MAX, lb1 = 0;
        size_t pos_a = e.a, pos_b = e.b;
        while (i < le.len && le.v[i].op != DIFF_EQUAL) {
            edit f = le.v[i];
            if (f.op == DIFF_DELETE) {
                if (la0 == SIZE_MAX)
                    la0 = f.a;
                la1 = f.a + f.n;
            } else {
                if (lb0 == SIZE_MAX)
                    lb0 = f.b;
                lb1 = f.b + f.n;
            }
            i++;
        }
        if (la0 == SIZE_MAX)
            la0 = la1 = pos_a;
        if (lb0 == SIZE_MAX)
            lb0 = lb1 = pos_b;
        size_t ca0 = oa[la0], cn = oa[la1] - oa[la0];
        size_t cb0 = ob[lb0], cm = ob[lb1] - ob[lb0];
        if (cn && cm && (double)cn * (double)cm <= c->product && !c->exhausted)
            diff_rec(c, A, ca0, cn, B, cb0, cm, out);
        else
            replace_all(out, ca0, cn, cb0, cm);
    }
    free(le.v);
    free(ia);
    free(ib);
    free(oa);
    free(ob);
}

/* ---- the cleanup, on a linked list of runs ---- */

typedef struct dnode {
    struct dnode *prev, *next;
    diff_op op;
    cps t;
} dnode;

typedef struct dlist {
    dnode *head, *tail;
    size_t count;
} dlist;

static dnode *dnode_new(diff_op op, const uint32_t *v, size_t n)
{
    dnode *d = xcalloc(1, sizeof *d);
    d->op = op;
    cps_append(&d->t, v, n);
    return d;
}

/* Inserts d before at (at the end when at is NULL). */
static void dl_insert_before(dlist *l, dnode *at, dnode *d)
{
    if (!at) {
        d->prev = l->tail;
        d->next = NULL;
        if (l->tail)
            l->tail->next = d;
        else
            l->head = d;
        l->tail = d;
    } else {
        d->next = at;
        d->prev = at->prev;
        if (at->prev)
            at->prev->next = d;
        else
            l->head = d;
        at->prev = d;
    }
    l->count++;
}

static void dl_remove(dlist *l, dnode *d)
{
    if (d->prev)
        d->prev->next = d->next;
    else
        l->head = d->next;
    if (d->next)
        d->next->prev = d->prev;
    else
        l->tail = d->prev;
    l->count--;
    cps_free(&d->t);
    free(d);
}

static void dl_free(dlist *l)
{
    while (l->head)
        dl_remove(l, l->head);
}

static bool cps_ends_with(const cps *s, const cps *suffix)
{
    return suffix->len <= s->len &&
           memcmp(s->v + s->len - suffix->len, suffix->v, suffix->len * sizeof *s->v) == 0;
}

static bool cps_starts_with(const cps *s, const cps *prefix)
{
    return prefix->len <= s->len && memcmp(s->v, prefix->v, prefix->len * sizeof *s->v) == 0;
}

/* diff-match-patch's diff_cleanupMerge: merges neighbouring runs of the same
 * kind, puts each deletion before its insertion, factors out text common to
 * both, and slides single edits sideways to remove an equality. */
static void cleanup_merge(dlist *l)
{
    for (int round = 0; round < 32; round++) {
        for (dnode *n = l->head; n;) {
            dnode *next = n->next;
            if (!n->t.len)
                dl_remove(l, n);
            n = next;
        }
        dl_insert_before(l, NULL, dnode_new(DIFF_EQUAL, NULL, 0)); /* a sentinel */
        cps td = {0}, ti = {0};
        size_t cd = 0, ci = 0;
        dnode *run = NULL;
        for (dnode *n = l->head; n;) {
            dnode *next = n->next;
            if (n->op == DIFF_INSERT) {
                ci++;
                cps_append(&ti, n->t.v, n->t.len);
                if (!run)
                    run = n;
            } else if (n->op == DIFF_DELETE) {
                cd++;
                cps_append(&td, n->t.v, n->t.len);
                if (!run)
                    run = n;
            } else {
                if (cd + ci > 1) {
                    dnode *before = run->prev; /* an equality, or NULL at the start */
                    if (cd && ci) {
                        size_t k = common_prefix(ti.v, ti.len, td.v, td.len);
                        if (k) {
                            if (before)
                                cps_append(&before->t, ti.v, k);
                            else
                                dl_insert_before(l, run, dnode_new(DIFF_EQUAL, ti.v, k));
                            cps_erase_front(&ti, k);
                            cps_erase_front(&td, k);
                        }
                        k = common_suffix(ti.v, ti.len, td.v, td.len);
                        if (k) {
                            cps_prepend(&n->t, ti.v + ti.len - k, k);
                            ti.len -= k;
                            td.len -= k;
                        }
                    }
                    for (dnode *r = run; r != n;) {
                        dnode *rn = r->next;
                        dl_remove(l, r);
                        r = rn;
                    }
                    if (td.len)
                        dl_insert_before(l, n, dnode_new(DIFF_DELETE, td.v, td.len));
                    if (ti.len)
                        dl_insert_before(l, n, dnode_new(DIFF_INSERT, ti.v, ti.len));
                } else if (cd + ci == 0 && n->prev && n->prev->op == DIFF_EQUAL) {
                    cps_append(&n->prev->t, n->t.v, n->t.len);
                    dl_remove(l, n);
                }
                cd = ci = 0;
                td.len = ti.len = 0;
                run = NULL;
            }
            n = next;
        }
        cps_free(&td);
        cps_free(&ti);
        if (l->tail && l->tail->op == DIFF_EQUAL && !l->tail->t.len)
            dl_remove(l, l->tail);

        bool changes = false;
        for (dnode *n = l->head ? l->head->next : NULL; n && n->next; n = n->next) {
            dnode *p = n->prev, *x = n->next;
            if (p->op != DIFF_EQUAL || x->op != DIFF_EQUAL || n->op == DIFF_EQUAL || !p->t.len ||
                !x->t.len)
                continue;
            if (cps_ends_with(&n->t, &p->t)) {
                /* A<ins>BA</ins>C -> <ins>AB</ins>AC */
                size_t k = p->t.len;
                n->t.len -= k;
                cps_prepend(&n->t, p->t.v, k);
                cps_prepend(&x->t, p->t.v, k);
                dl_remove(l, p);
                changes = true;
            } else if (cps_starts_with(&n->t, &x->t)) {
                /* A<ins>CB</ins>C -> AC<ins>BC</ins> */
                size_t k = x->t.len;
                cps_append(&p->t, x->t.v, k);
                cps_erase_front(&n->t, k);
                cps_append(&n->t, x->t.v, k);
                dl_remove(l, x);
                changes = true;
            }
        }
        if (!changes)
            break;
    }
}

/* ---- boundaries, for sliding edits to where people read a break ---- */

static bool cp_space(uint32_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0xA0 ||
           c == 0x3000;
}

static bool cp_punct(uint32_t c)
{
    if (c < 0x80)
        return !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
    return (c >= 0xA0 && c <= 0xBF) || c == 0xD7 || c == 0xF7 || (c >= 0x2000 && c <= 0x206F) ||
           (c >= 0x3000 && c <= 0x303F) || (c >= 0xFE30 && c <= 0xFE4F) ||
           (c >= 0xFF00 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20) ||
           (c >= 0xFF3B && c <= 0xFF40) || (c >= 0xFF5B && c <= 0xFF65) || c >= ESCAPE;
}

/* Ends a sentence or clause in Chinese text, where no space follows. */
static bool cp_sentence_end(uint32_t c)
{
    return c == 0x3002 /* 。 */ || c == 0xFF01 /* ！ */ || c == 0xFF1F /* ？ */ ||
           c == 0xFF1B /* ； */ || c == 0xFF1A /* ： */;
}

static bool cp_clause(uint32_t c)
{
    return c == 0x3001 /* 、 */ || c == 0xFF0C /* ， */ || c == 0x300D /* 」 */ ||
           c == 0xFF09 /* ） */;
}

/* diff-match-patch's diff_cleanupSemanticScore for the boundary at S[b]
 * between one = S[s0, b) and two = S[b, e): 6 at either end of the text,
 * 5 a blank line, 4 a line break, 3 the end of a sentence, 2 a space or a
 * Chinese clause mark, 1 other punctuation, 0 inside a word. */
static int boundary_score(const uint32_t *S, size_t s0, size_t b, size_t e)
{
    if (b == s0 || b == e)
        return 6;
    uint32_t c1 = S[b - 1], c2 = S[b];
    bool na1 = cp_punct(c1) || cp_space(c1), na2 = cp_punct(c2) || cp_space(c2);
    bool ws1 = cp_space(c1), ws2 = cp_space(c2);
    bool lb1 = c1 == '\n' || c1 == '\r', lb2 = c2 == '\n' || c2 == '\r';
    bool blank1 = c1 == '\n' && b - s0 >= 2 &&
                  (S[b - 2] == '\n' || (S[b - 2] == '\r' && b - s0 >= 3 && S[b - 3] == '\n'));
    size_t k = b;
    if (k < e && S[k] == '\r')
        k++;
    bool blank2 = k < e && S[k] == '\n';
    if (blank2) {
        k++;
        if (k < e && S[k] == '\r')
            k++;
        blank2 = k < e && S[k] == '\n';
    }
    if (blank1 || blank2)
        return 5;
    if (lb1 || lb2)
        return 4;
    if ((na1 && !ws1 && ws2) || cp_sentence_end(c1))
        return 3;
    if (ws1 || ws2 || cp_clause(c1))
        return 2;
    if (na1 || na2)
        return 1;
    return 0;
}

#define LOSSLESS_MAX_SHIFT 2000

/* diff_cleanupSemanticLossless: a single edit between two equalities slides
 * to the boundary that reads best ("The c<ins>at c</ins>ame" -> "The
 * <ins>cat </ins>came"), without changing either text. */
static void cleanup_lossless(dlist *l)
{
    cps S = {0};
    for (dnode *p = l->head ? l->head->next : NULL; p && p->next; p = p->next) {
        dnode *prev = p->prev, *next = p->next;
        if (prev->op != DIFF_EQUAL || next->op != DIFF_EQUAL || p->op == DIFF_EQUAL)
            continue;
        /* S = prev + edit + next; the edit is S[i1, i2). Slide it left as
         * far as it goes, then right one code point at a time. */
        S.len = 0;
        cps_append(&S, prev->t.v, prev->t.len);
        cps_append(&S, p->t.v, p->t.len);
        cps_append(&S, next->t.v, next->t.len);
        size_t co = common_suffix(prev->t.v, prev->t.len, p->t.v, p->t.len);
        size_t i1 = prev->t.len - co, i2 = prev->t.len + p->t.len - co;
        size_t best = i1;
        int best_score = boundary_score(S.v, 0, i1, i2) + boundary_score(S.v, i1, i2, S.len);
        for (size_t k = 0; k < LOSSLESS_MAX_SHIFT && i2 < S.len && S.v[i1] == S.v[i2]; k++) {
            i1++;
            i2++;
            int score = boundary_score(S.v, 0, i1, i2) + boundary_score(S.v, i1, i2, S.len);
            if (score >= best_score) {
                best_score = score;
                best = i1;
            }
        }
        if (best == prev->t.len)
            continue;
        size_t elen = p->t.len;
        cps_set(&p->t, S.v + best, elen);
        cps_set(&next->t, S.v + best + elen, S.len - best - elen);
        cps_set(&prev->t, S.v, best);
        if (!next->t.len)
            dl_remove(l, next);
        if (!prev->t.len) {
            dl_remove(l, prev);
            /* p has no equality before it now; go on from it. */
        }
    }
    cps_free(&S);
}

/* The longest suffix of x that is a prefix of y (Knuth-Morris-Pratt). */
static size_t overlap(const cps *x, const cps *y)
{
    size_t L = x->len < y->len ? x->len : y->len;
    if (!L)
        return 0;
    const uint32_t *pat = y->v, *txt = x->v + x->len - L;
    size_t *pi = xmalloc(L * sizeof *pi);
    pi[0] = 0;
    for (size_t i = 1; i < L; i++) {
        size_t k = pi[i - 1];
        while (k && pat[i] != pat[k])
            k = pi[k - 1];
        if (pat[i] == pat[k])
            k++;
        pi[i] = k;
    }
    size_t q = 0;
    for (size_t i = 0; i < L; i++) {
        while (q && (q == L || txt[i] != pat[q]))
            q = pi[q - 1];
        if (txt[i] == pat[q])
            q++;
    }
    free(pi);
    return q;
}

#define SEMANTIC_MAX_RUNS 20000

/* diff_cleanupSemantic: an equality no longer than the changes on both
 * sides of it is folded into them (so 「資通<del>安</del><ins>全</ins>…」 noise
 * reads as one replaced phrase), then edits slide to boundaries and
 * overlapping deletions and insertions give back their overlap. */
static void cleanup_semantic(dlist *l)
{
    bool changes = false;
    dnode **stack = NULL;
    size_t depth = 0, cap = 0;
    dnode *last_eq = NULL;
    size_t li1 = 0, ld1 = 0, li2 = 0, ld2 = 0;
    for (dnode *p = l->head; p;) {
        if (p->op == DIFF_EQUAL) {
            if (depth == cap) {
                cap = cap ? cap * 2 : 32;
                stack = xrealloc(stack, cap * sizeof *stack);
            }
            stack[depth++] = p;
            li1 = li2;
            ld1 = ld2;
            li2 = ld2 = 0;
            last_eq = p;
        } else {
            if (p->op == DIFF_INSERT)
                li2 += p->t.len;
            else
                ld2 += p->t.len;
            size_t before = li1 > ld1 ? li1 : ld1, after = li2 > ld2 ? li2 : ld2;
            if (last_eq && last_eq->t.len <= before && last_eq->t.len <= after) {
                dl_insert_before(l, last_eq, dnode_new(DIFF_DELETE, last_eq->t.v, last_eq->t.len));
                last_eq->op = DIFF_INSERT;
                depth--; /* last_eq */
                if (depth)
                    depth--; /* the one before needs looking at again */
                li1 = ld1 = li2 = ld2 = 0;
                last_eq = NULL;
                changes = true;
                p = depth ? stack[depth - 1]->next : l->head;
                continue;
            }
        }
        p = p->next;
    }
    free(stack);
    if (changes)
        cleanup_merge(l);
    cleanup_lossless(l);

    for (dnode *p = l->head ? l->head->next : NULL; p; p = p ? p->next : NULL) {
        dnode *prev = p->prev;
        if (!prev || prev->op != DIFF_DELETE || p->op != DIFF_INSERT)
            continue;
        size_t o1 = overlap(&prev->t, &p->t); /* end of the deletion = start of the insertion */
        size_t o2 = overlap(&p->t, &prev->t); /* end of the insertion = start of the deletion */
        if (o1 >= o2 && o1 && (2 * o1 >= prev->t.len || 2 * o1 >= p->t.len) && o1 < prev->t.len &&
            o1 < p->t.len) {
            dl_insert_before(l, p, dnode_new(DIFF_EQUAL, p->t.v, o1));
            prev->t.len -= o1;
            cps_erase_front(&p->t, o1);
        } else if (o2 > o1 && (2 * o2 >= prev->t.len || 2 * o2 >= p->t.len) && o2 < prev->t.len &&
                   o2 < p->t.len) {
            /* <del>BC</del><ins>AB</ins> -> <ins>A</ins>B<del>C</del> */
            cps eq = {0}, head = {0};
            cps_append(&eq, prev->t.v, o2);
            cps_append(&head, p->t.v, p->t.len - o2);
            cps_erase_front(&prev->t, o2);
            cps_free(&p->t);
            p->t = prev->t; /* C */
            prev->t = head; /* A */
            prev->op = DIFF_INSERT;
            p->op = DIFF_DELETE;
            dl_insert_before(l, p, dnode_new(DIFF_EQUAL, eq.v, eq.len));
            cps_free(&eq);
        }
        p = p->next; /* past the insertion (or the new equality) */
    }
}

/* ---- the public functions ---- */

text_diff_limits text_diff_default_limits(void)
{
    return (text_diff_limits){.char_product = 1e8, .budget = 20000000, .semantic = true};
}

static void list_from_edits(dlist *l, const edits *e, const cps *A, const cps *B)
{
    for (size_t i = 0; i < e->len; i++) {
        const edit *x = &e->v[i];
        const uint32_t *src = x->op == DIFF_INSERT ? B->v + x->b : A->v + x->a;
        if (l->tail && l->tail->op == x->op)
            cps_append(&l->tail->t, src, x->n);
        else
            dl_insert_before(l, NULL, dnode_new(x->op, src, x->n));
    }
}

text_diff *text_diff_compute_ex(const char *a, size_t alen, const char *b, size_t blen,
                                const text_diff_limits *limits)
{
    text_diff_limits lim = limits ? *limits : text_diff_default_limits();
    if (!a) {
        a = "";
        alen = 0;
    }
    if (!b) {
        b = "";
        blen = 0;
    }
    cps A = {0}, B = {0};
    decode_all(a, alen, &A);
    decode_all(b, blen, &B);
    dctx c = {.budget = lim.budget, .product = lim.char_product};
    edits e = {0};
    size_t p = common_prefix(A.v, A.len, B.v, B.len);
    size_t s = common_suffix(A.v + p, A.len - p, B.v + p, B.len - p);
    size_t n = A.len - p - s, m = B.len - p - s;
    text_diff *d = xcalloc(1, sizeof *d);
    edits_push(&e, DIFF_EQUAL, 0, 0, p);
    if (n && m && (double)n * (double)m > lim.char_product) {
        d->line_mode = true;
        diff_lines(&c, A.v, p, n, B.v, p, m, &e);
    } else {
        diff_middle(&c, A.v, p, n, B.v, p, m, &e);
    }
    edits_push(&e, DIFF_EQUAL, p + n, p + m, s);
    d->coarse = c.exhausted;

    dlist l = {0};
    list_from_edits(&l, &e, &A, &B);
    free(e.v);
    cps_free(&A);
    cps_free(&B);
    cleanup_merge(&l);
    if (lim.semantic && l.count <= SEMANTIC_MAX_RUNS)
        cleanup_semantic(&l);

    d->spans = xcalloc(l.count + 1, sizeof *d->spans);
    strbuf sb;
    sb_init(&sb);
    for (dnode *x = l.head; x; x = x->next) {
        if (!x->t.len)
            continue;
        sb_clear(&sb);
        utf8_encode(&sb, x->t.v, x->t.len);
        diff_span *sp = &d->spans[d->len++];
        sp->op = x->op;
        sp->len = sb.len;
        sp->text = xstrndup(sb.data, sb.len);
    }
    sb_free(&sb);
    dl_free(&l);
    return d;
}

text_diff *text_diff_compute(const char *a, const char *b)
{
    return text_diff_compute_ex(a, a ? strlen(a) : 0, b, b ? strlen(b) : 0, NULL);
}

void text_diff_free(text_diff *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->len; i++)
        free(d->spans[i].text);
    free(d->spans);
    free(d);
}

bool text_diff_has_changes(const text_diff *d)
{
    for (size_t i = 0; d && i < d->len; i++)
        if (d->spans[i].op != DIFF_EQUAL)
            return true;
    return false;
}

static size_t count_cps(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            k++;
    return k;
}

void text_diff_counts(const text_diff *d, size_t *equal, size_t *deleted, size_t *inserted)
{
    size_t e = 0, del = 0, ins = 0;
    for (size_t i = 0; d && i < d->len; i++) {
        size_t k = count_cps(d->spans[i].text, d->spans[i].len);
        if (d->spans[i].op == DIFF_EQUAL)
            e += k;
        else if (d->spans[i].op == DIFF_DELETE)
            del += k;
        else
            ins += k;
    }
    if (equal)
        *equal = e;
    if (deleted)
        *deleted = del;
    if (inserted)
        *inserted = ins;
}

double text_diff_similarity(const text_diff *d)
{
    size_t e, del, ins;
    text_diff_counts(d, &e, &del, &ins);
    size_t total = 2 * e + del + ins;
    return total ? (double)(2 * e) / (double)total : 1.0;
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

double text_similarity(const char *a, const char *b, double at_least)
{
    a = a ? a : "";
    b = b ? b : "";
    cps A = {0}, B = {0};
    decode_all(a, strlen(a), &A);
    decode_all(b, strlen(b), &B);
    size_t total = A.len + B.len;
    if (!total) {
        cps_free(&A);
        cps_free(&B);
        return 1.0;
    }
    /* The longest common subsequence is at most the multiset intersection. */
    if (A.len)
        qsort(A.v, A.len, sizeof *A.v, cmp_u32);
    if (B.len)
        qsort(B.v, B.len, sizeof *B.v, cmp_u32);
    size_t common = 0;
    for (size_t i = 0, j = 0; i < A.len && j < B.len;) {
        if (A.v[i] == B.v[j]) {
            common++;
            i++;
            j++;
        } else if (A.v[i] < B.v[j]) {
            i++;
        } else {
            j++;
        }
    }
    cps_free(&A);
    cps_free(&B);
    double bound = (double)(2 * common) / (double)total;
    if (bound < at_least)
        return bound;
    text_diff_limits lim = {.char_product = 4e6, .budget = 400000, .semantic = false};
    text_diff *d = text_diff_compute_ex(a, strlen(a), b, strlen(b), &lim);
    double sim = text_diff_similarity(d);
    text_diff_free(d);
    return sim;
}

char *text_diff_side(const text_diff *d, diff_op which)
{
    strbuf sb;
    sb_init(&sb);
    sb_append(&sb, "");
    for (size_t i = 0; d && i < d->len; i++)
        if (d->spans[i].op == DIFF_EQUAL || d->spans[i].op == which)
            sb_appendn(&sb, d->spans[i].text, d->spans[i].len);
    return sb_take(&sb);
}

/* Escaped text with line breaks as <br>; a changed line break shows as ¶. */
static void html_run(strbuf *out, const char *s, size_t n, bool changed)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\n')
            continue;
        sb_append_html(out, s + start, i - start);
        sb_append(out, changed ? "¶<br>\n" : "<br>\n");
        start = i + 1;
    }
    sb_append_html(out, s + start, n - start);
}

/* The byte offset after the first k code points of s[0, n). */
static size_t cp_offset(const char *s, size_t n, size_t k)
{
    size_t i = 0;
    while (i < n && k) {
        i++;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        k--;
    }
    return i;
}

static void html_skip(strbuf *out)
{
    sb_append(out, "<span class=\"diff-skip\" title=\"未修改之內容\">…</span>");
}

/* Where the context after a change ends in s[0, n): the end of the line
 * the change is on (its '\n' included), or context code points into it when
 * the line is longer. */
static size_t head_cut(const char *s, size_t n, size_t context)
{
    size_t limit = cp_offset(s, n, context);
    const char *nl = memchr(s, '\n', limit);
    return nl ? (size_t)(nl - s) + 1 : limit;
}

/* Where the context before a change starts: the start of its line, or
 * context code points before the change when the line is longer. */
static size_t tail_cut(const char *s, size_t n, size_t context)
{
    size_t k = count_cps(s, n);
    size_t limit = cp_offset(s, n, k > context ? k - context : 0);
    for (size_t i = n; i > limit; i--)
        if (s[i - 1] == '\n')
            return i;
    return limit;
}

void text_diff_html(strbuf *out, const text_diff *d, size_t context)
{
    sb_append(out, "");
    for (size_t i = 0; d && i < d->len; i++) {
        const diff_span *sp = &d->spans[i];
        if (sp->op == DIFF_DELETE || sp->op == DIFF_INSERT) {
            const char *tag = sp->op == DIFF_DELETE ? "del" : "ins";
            sb_printf(out, "<%s>", tag);
            html_run(out, sp->text, sp->len, true);
            sb_printf(out, "</%s>", tag);
            continue;
        }
        bool first = i == 0, last = i + 1 == d->len;
        if (!context || (first && last) || count_cps(sp->text, sp->len) <= 2 * context + 20) {
            html_run(out, sp->text, sp->len, false);
            continue;
        }
        /* Keep the rest of the line after a change and the start of the
         * line before the next one; what lies between is skipped. */
        size_t head = first ? 0 : head_cut(sp->text, sp->len, context);
        size_t tail = last ? sp->len : tail_cut(sp->text, sp->len, context);
        if (tail <= head) {
            html_run(out, sp->text, sp->len, false);
            continue;
        }
        html_run(out, sp->text, head, false);
        html_skip(out);
        if (tail < sp->len && tail > 0 && sp->text[tail - 1] == '\n')
            sb_append(out, "<br>\n");
        html_run(out, sp->text + tail, sp->len - tail, false);
    }
}

void text_diff_html_whole(strbuf *out, const char *text, diff_op op)
{
    sb_append(out, "");
    if (!text || !*text)
        return;
    if (op == DIFF_EQUAL) {
        html_run(out, text, strlen(text), false);
        return;
    }
    const char *tag = op == DIFF_DELETE ? "del" : "ins";
    sb_printf(out, "<%s>", tag);
    html_run(out, text, strlen(text), false);
    sb_printf(out, "</%s>", tag);
}

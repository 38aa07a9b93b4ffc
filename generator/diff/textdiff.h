/* Character diffs of plain text, for the "what changed" pages.
 *
 * Chinese has no spaces between words, so text is compared by Unicode code
 * point: Myers' O(ND) algorithm (linear space, middle snake, divide and
 * conquer, as in diff-match-patch), after trimming the common prefix and
 * suffix. The result is then cleaned up for people (semantic cleanup, as
 * diff-match-patch's diff_cleanupSemantic): tiny equal runs between two
 * changes are folded into the changes, edits are slid to sentence and line
 * boundaries, and a deletion and an insertion that overlap give their
 * overlap back as equal text.
 *
 * Bounded and deterministic: a diff spends at most a fixed budget of work
 * (steps of the algorithm, not wall-clock time, so the same input always
 * gives the same output). Inputs whose lengths multiply past a limit are
 * compared line by line first, and only the changed lines by character. A
 * stretch the budget does not reach is reported as a whole deletion and
 * insertion (`coarse`). Invalid UTF-8 bytes are kept as they are. */
#ifndef POLICYGEN_DIFF_TEXTDIFF_H
#define POLICYGEN_DIFF_TEXTDIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/strbuf.h"

typedef enum diff_op {
    DIFF_EQUAL = 0,
    DIFF_DELETE = -1, /* only in the old text */
    DIFF_INSERT = 1,  /* only in the new text */
} diff_op;

typedef struct diff_span {
    diff_op op;
    char *text; /* UTF-8, owned, never empty */
    size_t len; /* bytes */
} diff_span;

typedef struct text_diff {
    diff_span *spans; /* in order; a deletion comes before the insertion that replaces it */
    size_t len;
    bool line_mode; /* compared line by line first (the inputs were large) */
    bool coarse;    /* the budget ran out: some changes are shown as whole replacements */
} text_diff;

typedef struct text_diff_limits {
    /* Above this product of the lengths (in code points, after the common
     * prefix and suffix are taken off), compare lines first. */
    double char_product;
    /* Steps of work for the whole diff (snake steps and diagonals). */
    size_t budget;
    /* Run the semantic cleanup (off: the minimal diff as found). */
    bool semantic;
} text_diff_limits;

/* 1e8 code points squared (e.g. 10,000 x 10,000), 20 million steps (well
 * under a second, sanitizers included), semantic cleanup on. */
text_diff_limits text_diff_default_limits(void);

/* a and b are NUL-terminated UTF-8 (NULL reads as ""). Never NULL. */
text_diff *text_diff_compute(const char *a, const char *b);
text_diff *text_diff_compute_ex(const char *a, size_t alen, const char *b, size_t blen,
                                const text_diff_limits *limits);
void text_diff_free(text_diff *d);

/* Whether any span is a deletion or an insertion. */
bool text_diff_has_changes(const text_diff *d);
/* Code points that are equal in both texts, deleted, inserted. */
void text_diff_counts(const text_diff *d, size_t *equal, size_t *deleted, size_t *inserted);
/* 2 x equal / (old + new) code points: 1 for identical texts, 0 for nothing
 * in common (1 when both are empty). */
double text_diff_similarity(const text_diff *d);
/* How alike a and b are, as text_diff_similarity of their diff (without
 * cleanup, on a small budget), when that can reach at_least; when it cannot
 * (2 x the characters they have in common, counted as multisets, over both
 * lengths is below at_least) returns that bound without diffing. */
double text_similarity(const char *a, const char *b, double at_least);
/* The old (which = DIFF_DELETE) or new (DIFF_INSERT) text back; caller frees. */
char *text_diff_side(const text_diff *d, diff_op which);

/* Appends the diff as HTML: equal text escaped, deletions in <del>,
 * insertions in <ins>, line breaks as <br> (a changed line break also shows
 * as ¶). context 0 shows every equal run whole. Otherwise an equal run of
 * more than 2 x context + 20 code points keeps the rest of the line after a
 * change and the start of the line before the next one (each at most
 * context code points) and shows the rest as
 * <span class="diff-skip" title="未修改之內容">…</span>. */
void text_diff_html(strbuf *out, const text_diff *d, size_t context);
/* The whole of a text as one inserted (op DIFF_INSERT) or deleted run, in
 * the same markup. */
void text_diff_html_whole(strbuf *out, const char *text, diff_op op);

#endif

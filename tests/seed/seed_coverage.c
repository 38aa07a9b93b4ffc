/*
 * seed_coverage: prove that every sentence of the seed plan's chapter text is
 * present in a set of content files.
 *
 *   seed_coverage [--start=LINE] SEED.txt FILE...
 *
 * The seed is a text extraction of the original PDF.  Its body starts at the
 * line "壹、依據及目的" (after the cover, the revision table and the table of
 * contents); --start names another first line.  From there on every line is
 * cut into sentences at 。；：！？ and at the line end (table rows, the lines
 * with a tab, also at each tab).  A sentence is normalised (whitespace and
 * superscript footnote marks dropped, <input> checkboxes turned into ☐/☑,
 * leading list numbers such as 壹、 一、 (一) (1) 1. A. - stripped, because the
 * generator writes those) and looked up in the normalised text of the FILEs.
 * Sentences shorter than 4 characters, or made only of ASCII punctuation, are
 * not checked.
 *
 * FILEs are Markdown (front-matter keys, heading and list markers, footnote
 * marks [^n], {#id} anchors, link targets and the characters # * ` | are
 * dropped) or, when the name ends in .html or .htm, rendered HTML (tags,
 * comments, <script>, <style> and <sup> footnote references are dropped and
 * entities decoded).  Whitespace is dropped everywhere, so line wrapping in
 * the files does not matter.
 *
 * Cells of the seed's tables were flattened by the extraction: the lines of a
 * cell are joined by spaces.  In the content, the lines of a cell are joined
 * by "；".  Table sentences are therefore looked up in a copy of the text
 * without "；".
 *
 * Output: "SEED:LINE: missing: SENTENCE" for each sentence not found, then
 * "seed coverage: N passed, M failed".  Exit status 0 when nothing is
 * missing, 1 when something is, 2 on a usage or I/O error.
 *
 * C11 and libc only.  Memory: every allocation goes through xrealloc, which
 * aborts the program when it fails.
 */

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *progname = "seed_coverage";

/* ---- buffers ----------------------------------------------------------- */

typedef struct {
	char *p;
	size_t len, cap;
} buf_t;

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fprintf(stderr, "%s: out of memory\n", progname);
		exit(2);
	}
	return q;
}

static void buf_put(buf_t *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (b->len + n + 1 > cap)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void buf_putc(buf_t *b, char c)
{
	buf_put(b, &c, 1);
}

static void buf_puts(buf_t *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

static void buf_put_utf8(buf_t *b, unsigned long cp)
{
	char s[4];
	size_t n;

	if (cp < 0x80) {
		s[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		s[0] = (char)(0xC0 | (cp >> 6));
		s[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		s[0] = (char)(0xE0 | (cp >> 12));
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else if (cp < 0x110000) {
		s[0] = (char)(0xF0 | (cp >> 18));
		s[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		s[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	} else {
		return;
	}
	buf_put(b, s, n);
}

/* Reads a whole file; the result is NUL-terminated.  The caller frees. */
static char *read_file(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	buf_t b = {0};
	char chunk[65536];
	size_t n;

	if (!f) {
		fprintf(stderr, "%s: %s: cannot open\n", progname, path);
		exit(2);
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_put(&b, chunk, n);
	if (ferror(f)) {
		fprintf(stderr, "%s: %s: read error\n", progname, path);
		exit(2);
	}
	fclose(f);
	if (!b.p)
		buf_put(&b, "", 0);
	*lenp = b.len;
	return b.p;
}

/* ---- UTF-8 helpers ------------------------------------------------------ */

/* Length of the UTF-8 sequence that starts at s (at least 1, at most n). */
static size_t u8len(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	size_t k = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	return k > n ? n : k;
}

static int starts(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && memcmp(s, prefix, k) == 0;
}

/* Length of the whitespace character at s, 0 if none (ASCII, U+00A0, U+3000, U+FEFF). */
static size_t space_len(const char *s, size_t n)
{
	if (n >= 1 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\n' ||
		       s[0] == '\v' || s[0] == '\f'))
		return 1;
	if (starts(s, n, "\xC2\xA0"))
		return 2;
	if (starts(s, n, "\xE3\x80\x80") || starts(s, n, "\xEF\xBB\xBF"))
		return 3;
	return 0;
}

/* Length of the superscript digit at s (¹²³⁰⁴-⁹), 0 if none. */
static size_t superscript_len(const char *s, size_t n)
{
	if (starts(s, n, "\xC2\xB9") || starts(s, n, "\xC2\xB2") || starts(s, n, "\xC2\xB3"))
		return 2;
	if (n >= 3 && (unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x81) {
		unsigned char c = (unsigned char)s[2];
		if (c == 0xB0 || (c >= 0xB4 && c <= 0xB9))
			return 3;
	}
	return 0;
}

/* Sentence ends: 。；：！？ */
static size_t delim_len(const char *s, size_t n)
{
	static const char *const delims[] = {"。", "；", "：", "！", "？"};
	for (size_t i = 0; i < sizeof delims / sizeof delims[0]; i++)
		if (starts(s, n, delims[i]))
			return strlen(delims[i]);
	return 0;
}

static size_t count_chars(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i += u8len(s + i, n - i))
		k++;
	return k;
}

/* ---- list numbering prefixes --------------------------------------------- */

static size_t cjk_numeral_len(const char *s, size_t n)
{
	static const char *const nums[] = {
		"一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "百", "零", "〇",
		"壹", "貳", "參", "肆", "伍", "陸", "柒", "捌", "玖", "拾", "佰",
	};
	for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
		if (starts(s, n, nums[i]))
			return strlen(nums[i]);
	return 0;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Length of one list-numbering prefix at s (whitespace already dropped):
 * "-", "壹拾柒、", "一、", "(一)", "（一）", "(1)", "1." (not "210.240"), "A.".
 * 0 if there is none.
 */
static size_t numbering_len(const char *s, size_t n)
{
	size_t i = 0, k;

	if (n >= 1 && s[0] == '-')
		return 1;
	/* CJK numerals followed by 、 */
	while (i < n && (k = cjk_numeral_len(s + i, n - i)) > 0)
		i += k;
	if (i > 0 && starts(s + i, n - i, "、"))
		return i + strlen("、");
	/* (一) (1) （一） （1） */
	i = 0;
	if (starts(s, n, "("))
		i = 1;
	else if (starts(s, n, "（"))
		i = strlen("（");
	if (i > 0) {
		size_t j = i;
		for (;;) {
			if (j < n && is_digit(s[j]))
				j++;
			else if ((k = cjk_numeral_len(s + j, n - j)) > 0)
				j += k;
			else
				break;
		}
		if (j > i && j < n && s[j] == ')')
			return j + 1;
		if (j > i && starts(s + j, n - j, "）"))
			return j + strlen("）");
	}
	/* 1. but not a number such as 210.240 */
	i = 0;
	while (i < n && i < 3 && is_digit(s[i]))
		i++;
	if (i > 0 && i < n && s[i] == '.' && !(i + 1 < n && is_digit(s[i + 1])))
		return i + 1;
	/* A. */
	if (n >= 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] == '.' &&
	    !(n >= 3 && ((s[2] >= 'A' && s[2] <= 'Z') || (s[2] >= 'a' && s[2] <= 'z'))))
		return 2;
	return 0;
}

/* ---- the content: Markdown and HTML ------------------------------------- */

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

static int is_html_name(const char *path)
{
	return ends_with(path, ".html") || ends_with(path, ".htm");
}

/* Appends the text of one Markdown line [s, s+n) to out, whitespace dropped. */
static void md_line(buf_t *out, const char *s, size_t n, int front_matter)
{
	size_t i = 0, k;

	while (i < n && (k = space_len(s + i, n - i)) > 0)
		i += k;
	if (front_matter) {
		/* key: value -> value */
		size_t j = i;
		while (j < n && (s[j] == '_' || s[j] == '-' || is_digit(s[j]) ||
				 (s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z')))
			j++;
		if (j > i && j < n && s[j] == ':')
			i = j + 1;
		while (i < n && (s[i] == ' ' || s[i] == '"' || s[i] == '\''))
			i++;
		while (n > i && (s[n - 1] == ' ' || s[n - 1] == '"' || s[n - 1] == '\''))
			n--;
	}
	/* a table delimiter row: only | - : and spaces */
	{
		size_t j = i;
		int dash = 0;
		while (j < n && (s[j] == '|' || s[j] == '-' || s[j] == ':' || s[j] == ' ' || s[j] == '\t')) {
			dash |= s[j] == '-';
			j++;
		}
		if (j == n && dash && memchr(s + i, '|', n - i))
			return;
	}
	/* block markers: headings, block quotes, list markers (nested) */
	for (;;) {
		while (i < n && (k = space_len(s + i, n - i)) > 0)
			i += k;
		if (i < n && (s[i] == '#' || s[i] == '>')) {
			while (i < n && (s[i] == '#' || s[i] == '>'))
				i++;
			continue;
		}
		if (i < n && (s[i] == '-' || s[i] == '*' || s[i] == '+') &&
		    (i + 1 == n || s[i + 1] == ' ' || s[i + 1] == '\t')) {
			i++;
			continue;
		}
		{
			size_t j = i;
			while (j < n && j - i < 9 && is_digit(s[j]))
				j++;
			if (j > i && j < n && (s[j] == '.' || s[j] == ')') &&
			    (j + 1 == n || s[j + 1] == ' ' || s[j + 1] == '\t')) {
				i = j + 1;
				continue;
			}
		}
		break;
	}
	/* a footnote definition: [^label]: */
	if (starts(s + i, n - i, "[^")) {
		const char *close = memchr(s + i, ']', n - i);
		if (close && (size_t)(close - s) + 1 < n && close[1] == ':')
			i = (size_t)(close - s) + 2;
	}
	while (i < n) {
		const char *p = s + i;
		size_t rest = n - i;

		if ((k = space_len(p, rest)) > 0) {
			i += k;
		} else if (starts(p, rest, "[^") || starts(p, rest, "{#")) {
			/* footnote mark or heading anchor */
			const char *close = memchr(p, p[0] == '[' ? ']' : '}', rest);
			i = close ? (size_t)(close - s) + 1 : n;
		} else if (p[0] == '\\' && rest >= 2 && (unsigned char)p[1] < 0x80 &&
			   strchr("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", p[1])) {
			buf_putc(out, p[1]);
			i += 2;
		} else if (starts(p, rest, "](")) {
			/* the target of a link: drop it, keep the link text */
			int depth = 0;
			for (i += 1; i < n; i++) {
				if (s[i] == '(')
					depth++;
				else if (s[i] == ')' && --depth == 0)
					break;
			}
			i++;
		} else if (p[0] == '#' || p[0] == '*' || p[0] == '`' || p[0] == '|' ||
			   p[0] == '[' || p[0] == ']' || (p[0] == '!' && rest >= 2 && p[1] == '[')) {
			i++;
		} else {
			k = u8len(p, rest);
			buf_put(out, p, k);
			i += k;
		}
	}
}

/* 1 if the line is "---", trailing whitespace allowed */
static int is_front_matter_fence(const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return n == 3 && memcmp(s, "---", 3) == 0;
}

static void md_text(buf_t *out, const char *s, size_t n)
{
	size_t i = 0, lineno = 0;
	int front_matter = 0;

	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - s) : n;
		const char *line = s + i;
		size_t len = end - i, t = 0;

		while (t < len && (line[t] == ' ' || line[t] == '\t'))
			t++;
		lineno++;
		if (lineno == 1 && is_front_matter_fence(line, len)) {
			front_matter = 1;
		} else if (front_matter && is_front_matter_fence(line, len)) {
			front_matter = 0;
		} else if (!front_matter && (starts(line + t, len - t, "```") || starts(line + t, len - t, "~~~"))) {
			/* a code fence line (a directive's name) goes; its body stays */
		} else {
			md_line(out, line, len, front_matter);
		}
		i = end + 1;
	}
}

static int ieq_prefix(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	if (n < k)
		return 0;
	for (size_t i = 0; i < k; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != prefix[i])
			return 0;
	}
	return 1;
}

/* Finds needle (lowercase ASCII) in s[0..n) ignoring case; returns its offset or n. */
static size_t ifind(const char *s, size_t n, const char *needle)
{
	for (size_t i = 0; i < n; i++)
		if (ieq_prefix(s + i, n - i, needle))
			return i;
	return n;
}

/* Decodes the entity at s ("&...;"); returns its length, or 0 if it is not one. */
static size_t html_entity(buf_t *out, const char *s, size_t n)
{
	static const struct {
		const char *name;
		unsigned long cp;
	} named[] = {
		{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'},
		{"&apos;", '\''}, {"&nbsp;", 0xA0},
	};
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (starts(s, n, named[i].name)) {
			buf_put_utf8(out, named[i].cp);
			return strlen(named[i].name);
		}
	if (starts(s, n, "&#")) {
		size_t i = 2;
		unsigned long cp = 0;
		int hex = i < n && (s[i] == 'x' || s[i] == 'X'), digits = 0;
		if (hex)
			i++;
		for (; i < n && digits < 8; i++, digits++) {
			char c = s[i];
			if (is_digit(c))
				cp = cp * (hex ? 16 : 10) + (unsigned long)(c - '0');
			else if (hex && c >= 'a' && c <= 'f')
				cp = cp * 16 + (unsigned long)(c - 'a' + 10);
			else if (hex && c >= 'A' && c <= 'F')
				cp = cp * 16 + (unsigned long)(c - 'A' + 10);
			else
				break;
		}
		if (digits > 0 && i < n && s[i] == ';') {
			buf_put_utf8(out, cp);
			return i + 1;
		}
	}
	return 0;
}

static void html_text(buf_t *out, const char *s, size_t n)
{
	/* elements whose content is not text of the plan */
	static const char *const skipped[][2] = {
		{"<script", "</script"}, {"<style", "</style"}, {"<sup", "</sup"},
	};
	buf_t text = {0};
	size_t i = 0, k;

	while (i < n) {
		const char *p = s + i;
		size_t rest = n - i;

		if (p[0] == '<') {
			int done = 0;
			if (starts(p, rest, "<!--")) {
				for (i += 4; i < n && !starts(s + i, n - i, "-->"); i++)
					;
				i += 3;
				continue;
			}
			for (size_t e = 0; e < sizeof skipped / sizeof skipped[0]; e++) {
				size_t len = strlen(skipped[e][0]);
				if (ieq_prefix(p, rest, skipped[e][0]) && len < rest &&
				    (p[len] == '>' || p[len] == ' ' || p[len] == '\t' || p[len] == '\n')) {
					size_t close = ifind(p, rest, skipped[e][1]);
					const char *gt = close < rest ? memchr(p + close, '>', rest - close) : NULL;
					i = gt ? (size_t)(gt - s) + 1 : n;
					done = 1;
					break;
				}
			}
			if (done)
				continue;
			{
				const char *gt = memchr(p, '>', rest);
				i = gt ? (size_t)(gt - s) + 1 : n;
			}
		} else if (p[0] == '&' && (k = html_entity(&text, p, rest)) > 0) {
			i += k;
		} else {
			k = u8len(p, rest);
			buf_put(&text, p, k);
			i += k;
		}
	}
	/* drop whitespace, including decoded &nbsp; */
	for (i = 0; i < text.len;) {
		if ((k = space_len(text.p + i, text.len - i)) > 0) {
			i += k;
		} else {
			k = u8len(text.p + i, text.len - i);
			buf_put(out, text.p + i, k);
			i += k;
		}
	}
	free(text.p);
}

/* ---- the seed ------------------------------------------------------------ */

typedef struct {
	char *norm;     /* normalised, numbering stripped; owned */
	char *text;     /* as the seed has it, trimmed; owned */
	size_t lineno;
	int table;
} sentence_t;

typedef struct {
	sentence_t *v;
	size_t len, cap;
} sentences_t;

static int is_content(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
			return 1;
	}
	return 0;
}

static char *dup_range(const char *s, size_t n)
{
	char *p = xrealloc(NULL, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Normalises the sentence [s, s+n) and keeps it if it is long enough to check. */
static void add_sentence(sentences_t *out, const char *s, size_t n, int table, size_t lineno)
{
	buf_t norm = {0};
	size_t i, k, skip = 0;

	for (i = 0; i < n;) {
		if ((k = space_len(s + i, n - i)) > 0) {
			i += k;
		} else {
			k = u8len(s + i, n - i);
			buf_put(&norm, s + i, k);
			i += k;
		}
	}
	if (!norm.p)
		return;
	while ((k = numbering_len(norm.p + skip, norm.len - skip)) > 0)
		skip += k;
	if (count_chars(norm.p + skip, norm.len - skip) >= 4 && is_content(norm.p + skip, norm.len - skip)) {
		sentence_t *st;
		if (out->len == out->cap) {
			out->cap = out->cap ? out->cap * 2 : 256;
			out->v = xrealloc(out->v, out->cap * sizeof *out->v);
		}
		st = &out->v[out->len++];
		while (n > 0 && (k = space_len(s, n)) > 0)
			s += k, n -= k;
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
			n--;
		st->norm = dup_range(norm.p + skip, norm.len - skip);
		st->text = dup_range(s, n);
		st->lineno = lineno;
		st->table = table;
	}
	free(norm.p);
}

/*
 * Rewrites one seed line: <input ... checked ...> becomes ☑, any other
 * <input ...> ☐, superscript digits are dropped.
 */
static void seed_line(buf_t *out, const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		if (ieq_prefix(s + i, n - i, "<input")) {
			const char *gt = memchr(s + i, '>', n - i);
			size_t end = gt ? (size_t)(gt - s) + 1 : n;
			int checked = ifind(s + i, end - i, "checked") < end - i;
			buf_puts(out, checked ? "☑" : "☐");
			i = end;
		} else if ((k = superscript_len(s + i, n - i)) > 0) {
			i += k;
		} else {
			k = u8len(s + i, n - i);
			buf_put(out, s + i, k);
			i += k;
		}
	}
}

/* 1 if the line, whitespace dropped, is exactly `marker` (whitespace dropped). */
static int is_start_line(const char *s, size_t n, const char *marker)
{
	buf_t a = {0}, b = {0};
	size_t k;
	int same;

	for (size_t i = 0; i < n; i += k)
		if ((k = space_len(s + i, n - i)) == 0)
			buf_put(&a, s + i, k = u8len(s + i, n - i));
	for (size_t i = 0, m = strlen(marker); i < m; i += k)
		if ((k = space_len(marker + i, m - i)) == 0)
			buf_put(&b, marker + i, k = u8len(marker + i, m - i));
	same = a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
	free(a.p);
	free(b.p);
	return same;
}

static int read_seed(sentences_t *ss, const char *seed, size_t n, const char *marker)
{
	size_t i = 0, lineno = 0;
	int started = 0;

	while (i < n) {
		const char *nl = memchr(seed + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - seed) : n;
		buf_t line = {0};

		lineno++;
		if (!started && is_start_line(seed + i, end - i, marker))
			started = 1;
		if (started) {
			seed_line(&line, seed + i, end - i);
			if (line.p) {
				int table = memchr(line.p, '\t', line.len) != NULL;
				size_t from = 0, j = 0, k;
				while (j < line.len) {
					if ((k = delim_len(line.p + j, line.len - j)) > 0 ||
					    (table && line.p[j] == '\t' && (k = 1))) {
						add_sentence(ss, line.p + from, j - from, table, lineno);
						j += k;
						from = j;
					} else {
						j += u8len(line.p + j, line.len - j);
					}
				}
				add_sentence(ss, line.p + from, line.len - from, table, lineno);
			}
			free(line.p);
		}
		i = end + 1;
	}
	return started;
}

/* Non-overlapping occurrences of needle in hay. */
static size_t count_occurrences(const char *hay, const char *needle)
{
	size_t count = 0, n = strlen(needle);
	for (const char *p = strstr(hay, needle); p; p = strstr(p + n, needle))
		count++;
	return count;
}

/*
 * Reports the sentences the content lacks.  A sentence the seed has k times
 * must be in the content at least k times: its k-th copy is missing otherwise.
 */
static size_t report_missing(const sentences_t *ss, const char *seed_path,
			     const char *haystack, const char *haystack_nosemi)
{
	size_t failed = 0;

	for (size_t i = 0; i < ss->len; i++) {
		const sentence_t *st = &ss->v[i];
		size_t ordinal = 1;
		for (size_t j = 0; j < i; j++)
			if (ss->v[j].table == st->table && strcmp(ss->v[j].norm, st->norm) == 0)
				ordinal++;
		if (count_occurrences(st->table ? haystack_nosemi : haystack, st->norm) < ordinal) {
			printf("%s:%zu: missing: %s\n", seed_path, st->lineno, st->text);
			failed++;
		}
	}
	return failed;
}

/* ---- main ------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr, "usage: %s [--start=LINE] SEED.txt FILE...\n", progname);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *marker = "壹、依據及目的";
	buf_t hay = {0}, nosemi = {0};
	sentences_t ss = {0};
	char *seed;
	size_t seed_len, failed;
	int a = 1;

	if (argc > 0 && argv[0] && argv[0][0])
		progname = argv[0];
	for (; a < argc && argv[a][0] == '-' && argv[a][1] == '-'; a++) {
		if (strcmp(argv[a], "--") == 0) {
			a++;
			break;
		} else if (strncmp(argv[a], "--start=", 8) == 0) {
			marker = argv[a] + 8;
		} else {
			usage();
		}
	}
	if (argc - a < 2)
		usage();

	for (int f = a + 1; f < argc; f++) {
		size_t len;
		char *text = read_file(argv[f], &len);
		if (is_html_name(argv[f]))
			html_text(&hay, text, len);
		else
			md_text(&hay, text, len);
		buf_putc(&hay, '\n'); /* no sentence spans two files */
		free(text);
	}
	for (size_t i = 0; i < hay.len;) {
		if (starts(hay.p + i, hay.len - i, "；")) {
			i += strlen("；");
		} else {
			size_t k = u8len(hay.p + i, hay.len - i);
			buf_put(&nosemi, hay.p + i, k);
			i += k;
		}
	}

	seed = read_file(argv[a], &seed_len);
	if (!read_seed(&ss, seed, seed_len, marker)) {
		fprintf(stderr, "%s: %s: no line \"%s\" starts the body\n", progname, argv[a], marker);
		return 2;
	}
	failed = report_missing(&ss, argv[a], hay.p, nosemi.p);
	printf("seed coverage: %zu passed, %zu failed\n", ss.len - failed, failed);
	for (size_t i = 0; i < ss.len; i++) {
		free(ss.v[i].norm);
		free(ss.v[i].text);
	}
	free(ss.v);
	free(seed);
	free(hay.p);
	free(nosemi.p);
	return failed ? 1 : 0;
}

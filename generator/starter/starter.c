#include "starter/starter.h"

#include <ctype.h>
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fs.h"
#include "core/outdir.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "diag/diag.h"
#include "registers/regtype.h"

/* The only level whose duties the starter plan states (its 陸、柒 and the
 * annexes say 資通安全責任等級 D 級). */
#define STARTER_LEVEL "D"

/* The fill-ins of the starter text that an option answers: the words
 * between the marks, as the starter files write them. */
#define FILL_ORG "機關全銜"
#define FILL_SHORT "簡稱"
#define FILL_PARENT "上級機關"

/* The starter files larger than this are not the starter's. */
#define STARTER_MAX_BYTES ((size_t)1 << 20)

/* ---- the short name ---- */

static const char *const SCHOOL_LEVELS[][2] = {
    {"國民小學", "國小"},
    {"國民中學", "國中"},
    {"高級中等學校", "高中"},
    {"高級中學", "高中"},
};

static bool ends_with(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* The byte offset of the k-th character of s[0..len), or len when s has
 * fewer characters. */
static size_t char_offset(const char *s, size_t len, size_t k)
{
    const char *p = s;
    while (k-- > 0 && p < s + len)
        p = g_utf8_next_char(p);
    return p < s + len ? (size_t)(p - s) : len;
}

static size_t char_count(const char *s, size_t len)
{
    return (size_t)g_utf8_strlen(s, (gssize)len);
}

/* Whether the k-th character of s[0..len) is one of the words. */
static bool char_is(const char *s, size_t len, size_t k, const char *const *words)
{
    size_t at = char_offset(s, len, k);
    if (at == len)
        return false;
    size_t n = char_offset(s + at, len - at, 1);
    for (; *words; words++)
        if (strlen(*words) == n && memcmp(s + at, *words, n) == 0)
            return true;
    return false;
}

/* Official school names read city or county (three characters, 臺北市),
 * perhaps 市立, 縣立 or 私立, perhaps a district (大安區, 三地門鄉), then the
 * school's own name and its level; the short name is the own name and the
 * level's short form. Whatever is cut leaves at least two characters. */
char *starter_short_name(const char *org)
{
    static const char *const CITY[] = {"市", "縣", NULL};
    static const char *const DISTRICT[] = {"區", "鄉", "鎮", "市", NULL};
    static const char *const OWNED[] = {"立", NULL};
    size_t len = strlen(org);
    const char *level = NULL;
    for (size_t i = 0; i < sizeof SCHOOL_LEVELS / sizeof *SCHOOL_LEVELS && !level; i++)
        if (ends_with(org, len, SCHOOL_LEVELS[i][0])) {
            len -= strlen(SCHOOL_LEVELS[i][0]);
            level = SCHOOL_LEVELS[i][1];
        }
    if (!level || !g_utf8_validate(org, (gssize)len, NULL) || char_count(org, len) < 2)
        return xstrdup(org);
    const char *stem = org;
    if (char_count(stem, len) >= 3 + 2 && char_is(stem, len, 2, CITY)) {
        size_t cut = char_offset(stem, len, 3);
        stem += cut;
        len -= cut;
        size_t owner = strncmp(stem, "私立", strlen("私立")) == 0 ? 2
                       : char_is(stem, len, 0, OWNED)             ? 1
                                                                  : 0;
        if (owner && char_count(stem, len) >= owner + 2) {
            cut = char_offset(stem, len, owner);
            stem += cut;
            len -= cut;
        }
        for (size_t k = 2; k <= 3; k++)
            if (char_is(stem, len, k, DISTRICT) && char_count(stem, len) >= k + 1 + 2) {
                cut = char_offset(stem, len, k + 1);
                stem += cut;
                len -= cut;
                break;
            }
    }
    return xasprintf("%.*s%s", (int)len, stem, level);
}

/* ---- checking the options and the folder ---- */

/* A name the options give goes into YAML and Markdown: one line of UTF-8. */
static char *text_problem(const char *option, const char *s)
{
    if (!s || !*s)
        return xasprintf("%s is required and may not be empty", option);
    if (!g_utf8_validate(s, -1, NULL))
        return xasprintf("%s is not UTF-8 text", option);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return xasprintf("%s holds a control character (a line break or a tab): give one line",
                             option);
    return NULL;
}

/* A level is a letter, in either case. */
static char *level_problem(const char *level)
{
    int letter = strlen(level) == 1 ? toupper((unsigned char)level[0]) : 0;
    if (letter == STARTER_LEVEL[0])
        return NULL;
    if (letter >= 'A' && letter <= 'E')
        return xasprintf("--level %s: the starter plan states the duties of level " STARTER_LEVEL
                         " (資通安全責任等級 " STARTER_LEVEL " 級) only; those of level %c are "
                         "not encoded yet, so its plan cannot be started with policygen new",
                         level, letter);
    return xasprintf("--level '%s' is not a 資通安全責任等級 (A to E); the starter plan is for "
                     "level " STARTER_LEVEL,
                     level);
}

char *starter_options_problem(const starter_options *opts)
{
    char *why = text_problem("--org", opts->org);
    if (!why && opts->short_name)
        why = text_problem("--short-name", opts->short_name);
    if (!why && opts->parent)
        why = text_problem("--parent", opts->parent);
    if (!why)
        why = level_problem(opts->level ? opts->level : STARTER_LEVEL);
    return why;
}

/* The folder must be missing or an empty folder: new never writes into
 * anything that holds something, nor through a symbolic link. */
static bool check_folder(const char *dir, diag_sink *diags)
{
    struct stat st;
    if (lstat(dir, &st) != 0) {
        if (errno == ENOENT)
            return true;
        diag_error(diags, srcpos_file(dir), "new-folder", "cannot use this folder: %s",
                   strerror(errno));
        return false;
    }
    if (S_ISLNK(st.st_mode)) {
        diag_error(diags, srcpos_file(dir), "new-folder",
                   "is a symbolic link: name the new content folder itself");
        return false;
    }
    if (!S_ISDIR(st.st_mode)) {
        diag_error(diags, srcpos_file(dir), "new-folder",
                   "exists and is a file, not a folder: name a new or empty folder");
        return false;
    }
    vec names;
    vec_init(&names, free);
    bool listed = fs_list_dir(dir, &names);
    bool ok = listed && names.len == 0;
    if (!listed)
        diag_error(diags, srcpos_file(dir), "new-folder", "cannot list folder: %s",
                   strerror(errno));
    else if (!ok)
        diag_error(diags, srcpos_file(dir), "new-folder",
                   "is not empty (it holds %s%s): policygen new writes only into a new or empty "
                   "folder, and never over anything",
                   (const char *)names.items[0], names.len > 1 ? ", …" : "");
    vec_free(&names);
    return ok;
}

/* ---- YAML and Markdown text ---- */

/* A scalar as YAML: plain when nothing in it could mean anything else
 * (Chinese words, letters, digits, spaces, - _ . /), else double-quoted. */
static void yaml_scalar(strbuf *sb, const char *s)
{
    static const char *const SPECIAL[] = {"true", "false", "yes", "no", "on", "off",
                                          "null", "y",     "n",   "~",  NULL};
    bool plain = *s && ((unsigned char)s[0] >= 0x80 || isalpha((unsigned char)s[0])) &&
                 s[strlen(s) - 1] != ' ';
    for (const unsigned char *p = (const unsigned char *)s; plain && *p; p++)
        plain = *p >= 0x80 || isalnum(*p) || strchr(" -_./", *p);
    for (size_t i = 0; plain && SPECIAL[i]; i++)
        plain = strcasecmp(s, SPECIAL[i]) != 0;
    if (plain) {
        sb_append(sb, s);
        return;
    }
    sb_appendc(sb, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            sb_printf(sb, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            sb_printf(sb, "\\x%02x", *p);
        else
            sb_appendc(sb, (char)*p);
    }
    sb_appendc(sb, '"');
}

static char *yaml_text(const char *s)
{
    strbuf sb;
    sb_init(&sb);
    yaml_scalar(&sb, s);
    return sb_take(&sb);
}

/* Text that reads as itself in Markdown: every ASCII punctuation mark is
 * escaped (CommonMark allows a backslash before any of them). */
static char *markdown_text(const char *s)
{
    strbuf sb;
    sb_init(&sb);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x80 && ispunct(*p))
            sb_appendc(&sb, '\\');
        sb_appendc(&sb, (char)*p);
    }
    return sb_take(&sb);
}

/* ---- what is written ---- */

typedef struct fill {
    const char *words; /* between the marks */
    const char *value; /* NULL: left to fill */
} fill;

typedef struct writer {
    outdir od;
    const starter_options *opts;
    fill fills[3];
    char *starter; /* DATADIR/starter */
    size_t chapters, annexes, registers, fill_ins;
} writer;

static size_t count_of(const char *s, const char *word)
{
    size_t n = 0;
    for (const char *p = strstr(s, word); p; p = strstr(p + strlen(word), word))
        n++;
    return n;
}

/* A starter file with the fill-ins the options answer filled in, each value
 * written as quote() writes it (as Markdown text, or as a YAML scalar where
 * the fill-in is a whole value). */
static char *fill_in(const writer *w, const char *text, char *(*quote)(const char *))
{
    char *out = xstrdup(text);
    for (size_t i = 0; i < sizeof w->fills / sizeof *w->fills; i++) {
        if (!w->fills[i].value)
            continue;
        char *mark = xasprintf(STARTER_FILL_IN_OPEN "%s" STARTER_FILL_IN_CLOSE, w->fills[i].words);
        char *value = quote(w->fills[i].value);
        strbuf sb;
        sb_init(&sb);
        const char *p = out;
        for (const char *at = strstr(p, mark); at; at = strstr(p, mark)) {
            sb_appendn(&sb, p, (size_t)(at - p));
            sb_append(&sb, value);
            p = at + strlen(mark);
        }
        sb_append(&sb, p);
        free(out);
        out = sb_take(&sb);
        free(value);
        free(mark);
    }
    return out;
}

static char *read_starter(const char *path, diag_sink *diags)
{
    size_t len;
    char *text = fs_read_file(path, STARTER_MAX_BYTES, &len);
    if (!text)
        diag_error(diags, srcpos_file(path), "starter",
                   "cannot read the starter plan: %s (is policygen installed whole?)",
                   strerror(errno));
    return text;
}

/* Copies each file of starter/SUB ending in ext into the folder, filling in
 * the Markdown (whose fill-ins it counts); the number of files, or -1 on
 * failure. A missing folder is empty unless it is required. */
static long copy_folder(writer *w, const char *sub, const char *ext, bool required)
{
    char *dir = fs_join(w->starter, sub);
    vec names;
    vec_init(&names, free);
    long copied = 0;
    if (!fs_is_dir(dir) || !fs_list_dir(dir, &names)) {
        if (required) {
            diag_error(w->od.diags, srcpos_file(dir), "starter",
                       "the starter plan has no %s folder (is policygen installed whole?)", sub);
            copied = -1;
        }
    }
    for (size_t i = 0; copied >= 0 && i < names.len; i++) {
        const char *name = names.items[i];
        if (name[0] == '.' || !ends_with(name, strlen(name), ext))
            continue;
        char *path = fs_join(dir, name);
        char *rel = fs_join(sub, name);
        char *text = read_starter(path, w->od.diags);
        if (text) {
            bool markdown = strcmp(ext, ".md") == 0;
            char *filled = markdown ? fill_in(w, text, markdown_text) : xstrdup(text);
            if (markdown)
                w->fill_ins += count_of(filled, STARTER_FILL_IN_OPEN);
            if (outdir_write_string(&w->od, rel, filled))
                copied++;
            else
                copied = -1;
            free(filled);
            free(text);
        } else {
            copied = -1;
        }
        free(rel);
        free(path);
    }
    if (copied == 0 && required) {
        diag_error(w->od.diags, srcpos_file(dir), "starter",
                   "the starter plan's %s folder is empty (is policygen installed whole?)", sub);
        copied = -1;
    }
    vec_free(&names);
    free(dir);
    return copied;
}

/* A file of the starter's top folder: digest.md, filled in as Markdown, and
 * site.yaml, as YAML. */
static bool write_top(writer *w, const char *name, char *(*quote)(const char *))
{
    char *path = fs_join(w->starter, name);
    char *text = read_starter(path, w->od.diags);
    bool ok = false;
    if (text) {
        char *filled = fill_in(w, text, quote);
        if (quote == markdown_text)
            w->fill_ins += count_of(filled, STARTER_FILL_IN_OPEN);
        ok = outdir_write_string(&w->od, name, filled);
        free(filled);
        free(text);
    }
    free(path);
    return ok;
}

/* The field type a canonical field is written as (types.yaml, "label"). */
static const char *field_type_of(const regtype_field *f)
{
    if (f->type)
        return f->type;
    switch (f->kind) {
    case REGKIND_TEXT: return "text";
    case REGKIND_NUMBER: return "int";
    case REGKIND_DATE: return "date";
    case REGKIND_BOOL: return "bool";
    case REGKIND_LIST: return f->values.len ? "checks" : "list";
    case REGKIND_REF: return "ref";
    }
    return "text";
}

static void field_line(strbuf *sb, const char *name, size_t width, const regtype_field *f, bool key)
{
    sb_printf(sb, "  %s:%*s{ label: ", name, (int)(width - strlen(name)), "");
    yaml_scalar(sb, f ? f->label : "編號");
    const char *type = f ? field_type_of(f) : "text";
    sb_printf(sb, ", type: %s", type);
    if (f && f->values.len) {
        sb_append(sb, ", values: [");
        for (size_t i = 0; i < f->values.len; i++) {
            if (i)
                sb_append(sb, ", ");
            yaml_scalar(sb, f->values.items[i]);
        }
        sb_append(sb, "]");
    }
    if (strcmp(type, "ref") == 0)
        sb_printf(sb, ", register: %s", f->register_name ? f->register_name : f->to);
    if (f && f->audience)
        sb_printf(sb, ", audience: %s", f->audience);
    if (key)
        sb_append(sb, ", required: true");
    sb_append(sb, " }\n");
}

/* registers/TYPE.yaml: the type's canonical fields under their catalogue
 * labels, keyed by the type's key or a field `id` of its own; no rows but
 * the revisions register's draft V1.0, the plan's current version. */
static bool write_register(writer *w, const regtype *t)
{
    strbuf sb;
    sb_init(&sb);
    bool revisions = strcmp(t->name, "revisions") == 0;
    sb_printf(&sb,
              "# %s: written by `policygen new` from the register-type catalogue%s\n"
              "# Rename a label, or add fields of your own, as you need (README.md of\n"
              "# policygen, \"Registers\").\n"
              "title: ",
              t->title,
              revisions ? ". The last row is the\n# plan's current version: a draft until "
                          "the 資通安全長 approves it (status: approved,\n# with the approver "
                          "and the date)."
                        : ", with no\n# rows yet: add a row under `items:` for each entry.");
    yaml_scalar(&sb, t->title);
    sb_printf(&sb, "\ntype: %s\n", t->name);
    if (t->audience)
        sb_printf(&sb, "audience: %s\n", t->audience);
    const char *key = t->key ? t->key : "id";
    sb_printf(&sb, "key: %s\nfields:\n", key);
    size_t width = strlen(key);
    for (size_t i = 0; i < t->fields.len; i++) {
        const regtype_field *f = t->fields.items[i];
        if (strlen(f->name) > width)
            width = strlen(f->name);
    }
    width++;
    if (!t->key)
        field_line(&sb, "id", width, NULL, true);
    for (size_t i = 0; i < t->fields.len; i++) {
        const regtype_field *f = t->fields.items[i];
        field_line(&sb, f->name, width, f, t->key && strcmp(f->name, t->key) == 0);
    }
    if (revisions) {
        char day[16];
        date_format_iso(w->opts->today, day, sizeof day);
        sb_printf(&sb,
                  "items:\n"
                  "  - version: V1.0\n"
                  "    date: %s\n"
                  "    changes: 新擬訂文件\n"
                  "    status: draft\n",
                  day);
    } else {
        sb_append(&sb, "items: []\n");
    }
    char *rel = xasprintf("registers/%s.yaml", t->name);
    bool ok = outdir_write_string(&w->od, rel, sb.data);
    free(rel);
    sb_free(&sb);
    return ok;
}

/* The starter's own registers (template data, such as the 資產分類標準表),
 * then every other type of the catalogue. */
static bool write_registers(writer *w)
{
    long own = copy_folder(w, "registers", ".yaml", false);
    if (own < 0)
        return false;
    w->registers = (size_t)own;
    const vec *types = regtype_all();
    for (size_t i = 0; i < types->len; i++) {
        const regtype *t = types->items[i];
        char *file = xasprintf("%s.yaml", t->name);
        char *shipped = fs_join(w->starter, "registers");
        char *path = fs_join(shipped, file);
        bool theirs = fs_is_file(path);
        free(path);
        free(shipped);
        free(file);
        if (theirs)
            continue;
        if (!write_register(w, t))
            return false;
        w->registers++;
    }
    return true;
}

starter_result starter_create(const starter_options *opts, diag_sink *diags)
{
    char *why = starter_options_problem(opts);
    if (why)
        diag_error(diags, srcpos_file("policygen new"), "usage", "%s", why);
    bool refused = why || !check_folder(opts->dir, diags);
    free(why);
    if (refused)
        return STARTER_REFUSED;

    writer w = {.opts = opts};
    char *short_name = opts->short_name ? xstrdup(opts->short_name) : starter_short_name(opts->org);
    w.fills[0] = (fill){FILL_ORG, opts->org};
    w.fills[1] = (fill){FILL_SHORT, short_name};
    w.fills[2] = (fill){FILL_PARENT, opts->parent};
    w.starter = fs_join(opts->data_dir, "starter");
    starter_result r = STARTER_FAILED;
    /* The staging folder goes beside the folder, also for "." or "a/..". */
    char *target = fs_resolve(opts->dir);
    if (!target)
        diag_error(diags, srcpos_file(opts->dir), "write", "cannot resolve the folder: %s",
                   strerror(errno));
    else if (outdir_begin_new(&w.od, target, diags)) {
        long chapters = copy_folder(&w, "plan", ".md", true);
        long annexes = chapters < 0 ? -1 : copy_folder(&w, "annexes", ".md", true);
        bool ok = annexes >= 0 && write_top(&w, "digest.md", markdown_text) &&
                  write_top(&w, "site.yaml", yaml_text) && write_registers(&w) && !w.od.failed;
        if (!ok) {
            outdir_abort(&w.od);
        } else if (outdir_commit(&w.od)) {
            w.chapters = (size_t)chapters;
            w.annexes = (size_t)annexes;
            r = STARTER_OK;
        }
    }
    if (r == STARTER_OK) {
        printf("new: %s for %s (%s, level %s): %zu chapters, %zu annex forms, digest.md, "
               "site.yaml, %zu registers\n",
               opts->dir, opts->org, short_name, STARTER_LEVEL, w.chapters, w.annexes, w.registers);
        printf("new: %zu fill-ins " STARTER_FILL_IN_OPEN "…" STARTER_FILL_IN_CLOSE
               " are left to fill; `policygen check -C %s` lists each at its place\n",
               w.fill_ins, opts->dir);
    }
    free(target);
    free(w.starter);
    free(short_name);
    return r;
}

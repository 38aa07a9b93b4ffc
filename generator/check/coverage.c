#include "check/coverage.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "yaml/yaml.h"

/* check/plan-template.yaml, assembled into the program (the Makefile knows
 * the object depends on it). */
__asm__(".section .rodata\n"
        ".global coverage_template_text\n"
        "coverage_template_text:\n"
        ".incbin \"generator/check/plan-template.yaml\"\n"
        ".byte 0\n"
        ".global coverage_template_end\n"
        "coverage_template_end:\n"
        ".previous\n");
extern const char coverage_template_text[];
extern const char coverage_template_end[];

static ydoc *template_doc;
static pthread_once_t template_once = PTHREAD_ONCE_INIT;

static void load_template(void)
{
    yaml_limits limits = yaml_default_limits();
    size_t len = (size_t)(coverage_template_end - coverage_template_text) - 1;
    diag_sink d = diag_to_stderr(); /* the program's own file */
    template_doc = yaml_load_buffer("generator/check/plan-template.yaml", coverage_template_text,
                                    len, 1, &limits, &d);
    if (!template_doc || !template_doc->root || template_doc->root->kind != YNODE_SEQ)
        abort(); /* shipped with the program and tested */
}

/* Titles compare without spaces, punctuation of either width or 之. */
static char *normalized(const char *s)
{
    static const char *const dropped[] = {" ", "\t", "　", "、", "，", "（", "）", "(", ")",
                                          "之",  "及", "與", "：", NULL};
    char *out = xmalloc(strlen(s) + 1);
    size_t n = 0;
    while (*s) {
        bool skip = false;
        /* Most bytes start none of them: one look at the first byte. */
        for (int i = 0; dropped[i] && !skip; i++) {
            if (*s != dropped[i][0])
                continue;
            size_t len = strlen(dropped[i]);
            if (strncmp(s, dropped[i], len) == 0) {
                s += len;
                skip = true;
            }
        }
        if (!skip)
            out[n++] = *s++;
    }
    out[n] = '\0';
    return out;
}

static const document *chapter_by_id(const site *s, const char *id)
{
    for (size_t i = 0; i < s->chapters.len; i++) {
        const document *d = s->chapters.items[i];
        if (strcmp(d->id, id) == 0)
            return d;
    }
    return NULL;
}

/* The first chapter whose normalized title (titles[i], one per chapter,
 * made once a map: a plan may have a thousand chapters) is the entry's
 * title or one of its `also` titles. */
static const document *chapter_by_title(const site *s, char *const *titles, const ynode *entry)
{
    const ynode *also = ynode_get(entry, "also");
    size_t count = 1 + (also ? also->len : 0);
    char **wanted = xcalloc(count, sizeof *wanted);
    wanted[0] = normalized(ynode_str(ynode_get(entry, "title")));
    for (size_t k = 1; k < count; k++)
        wanted[k] = normalized(also->items[k - 1]->text);
    const document *found = NULL;
    for (size_t i = 0; i < s->chapters.len && !found; i++)
        for (size_t k = 0; k < count && !found; k++)
            if (strcmp(titles[i], wanted[k]) == 0)
                found = s->chapters.items[i];
    for (size_t k = 0; k < count; k++)
        free(wanted[k]);
    free(wanted);
    return found;
}

void coverage_report(const site *s, diag_sink *diags)
{
    pthread_once(&template_once, load_template);
    const ynode *root = template_doc->root;
    const ynode *given = s->config.coverage;
    for (size_t i = 0; given && i < given->len; i++) {
        const char *key = given->keys[i]->text;
        bool known = false;
        for (size_t k = 0; k < root->len && !known; k++)
            known = strcmp(ynode_str(ynode_get(root->items[k], "key")), key) == 0;
        const char *id = ynode_str(given->items[i]);
        if (!known)
            diag_error(diags, ynode_pos(given->keys[i]), "site-value",
                       "coverage: '%s' is not a chapter of the template (basis, scope, "
                       "core-business, policy, organization, staffing, inventory, "
                       "risk-assessment, controls, incident-response, threat-intelligence, "
                       "outsourcing, training, personnel-evaluation, continuous-improvement, "
                       "implementation-report, references)",
                       key);
        else if (!id || !chapter_by_id(s, id))
            diag_error(diags, ynode_pos(given->items[i]), "site-value",
                       "coverage: '%s' names no chapter of the plan (give a chapter's id)",
                       id ? id : "");
    }
}

void coverage_map(const site *s, coverage *out)
{
    pthread_once(&template_once, load_template);
    const ynode *root = template_doc->root;
    const ynode *given = s->config.coverage;
    out->count = root->len;
    out->chapters = xcalloc(root->len, sizeof *out->chapters);
    char **titles = xcalloc(s->chapters.len ? s->chapters.len : 1, sizeof *titles);
    for (size_t i = 0; i < s->chapters.len; i++)
        titles[i] = normalized(((const document *)s->chapters.items[i])->title);
    for (size_t i = 0; i < root->len; i++) {
        const ynode *entry = root->items[i];
        coverage_chapter *c = &out->chapters[i];
        c->key = ynode_str(ynode_get(entry, "key"));
        c->number = ynode_str(ynode_get(entry, "number"));
        c->title = ynode_str(ynode_get(entry, "title"));
        bool required = false;
        c->required = ynode_as_bool(ynode_get(entry, "required"), &required) && required;
        const char *id = ynode_str(ynode_get(given, c->key));
        c->chapter = id ? chapter_by_id(s, id) : NULL;
        if (!c->chapter && !id)
            c->chapter = chapter_by_title(s, titles, entry);
        if (!c->chapter && !id)
            c->chapter = chapter_by_id(s, c->key);
    }
    for (size_t i = 0; i < s->chapters.len; i++)
        free(titles[i]);
    free(titles);
}

void coverage_free(coverage *c)
{
    free(c->chapters);
    c->chapters = NULL;
    c->count = 0;
}

static bool holds_words(const char *title, const char *words)
{
    while (*words) {
        while (*words == ' ')
            words++;
        size_t n = strcspn(words, " ");
        if (n == 0)
            break;
        char *word = xstrndup(words, n);
        bool found = strstr(title, word) != NULL;
        free(word);
        if (!found)
            return false;
        words += n;
    }
    return true;
}

const section *coverage_heading(const coverage *c, const char *key, const char *words)
{
    for (size_t i = 0; i < c->count; i++) {
        const document *chapter = c->chapters[i].chapter;
        if (strcmp(c->chapters[i].key, key) != 0 || !chapter)
            continue;
        for (size_t k = 1; k < chapter->sections.len; k++) {
            const section *sec = chapter->sections.items[k];
            if (holds_words(sec->title, words))
                return sec;
        }
    }
    return NULL;
}

const section *coverage_find(const coverage *c, const char *place)
{
    if (!place)
        return NULL;
    size_t keylen = strcspn(place, "/");
    const document *chapter = NULL;
    for (size_t i = 0; i < c->count && !chapter; i++)
        if (strlen(c->chapters[i].key) == keylen && strncmp(c->chapters[i].key, place, keylen) == 0)
            chapter = c->chapters[i].chapter;
    if (!chapter || !chapter->sections.len)
        return NULL;
    if (!place[keylen])
        return chapter->sections.items[0];
    for (size_t i = 1; i < chapter->sections.len; i++) {
        const section *sec = chapter->sections.items[i];
        if (holds_words(sec->title, place + keylen + 1))
            return sec;
    }
    return chapter->sections.items[0];
}

/* "伍、一、" + "資通安全長" -> "伍、一、資通安全長"; "玖、二、(一)" + "網路" -> "玖、二、(一) 網路" */
static char *label(const section *sec)
{
    const char *n = sec->full_label ? sec->full_label : "";
    size_t len = strlen(n);
    bool joined = len == 0 || (len >= 3 && strcmp(n + len - 3, "、") == 0);
    return xasprintf("%s%s%s", n, joined ? "" : " ", sec->title);
}

value *coverage_value(const coverage *c)
{
    value *list = value_list();
    for (size_t i = 0; i < c->count; i++) {
        const coverage_chapter *ch = &c->chapters[i];
        value *v = value_map();
        value_map_set_string(v, "key", ch->key);
        value_map_set_string(v, "number", ch->number);
        value_map_set_string(v, "title", ch->title);
        value_map_set_bool(v, "required", ch->required);
        if (ch->chapter) {
            value_map_set_string(v, "chapter", ch->chapter->id);
            if (ch->chapter->sections.len)
                value_map_set(v, "label", value_string_take(label(ch->chapter->sections.items[0])));
        }
        value_list_push(list, v);
    }
    return list;
}

char *coverage_cite(const coverage *c, const char *place)
{
    const section *sec = coverage_find(c, place);
    if (!sec)
        return NULL;
    char *l = label(sec);
    char *cite = xasprintf("計畫 %s", l);
    free(l);
    return cite;
}

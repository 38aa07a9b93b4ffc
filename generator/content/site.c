#include "content/site.h"

#include <cmark-gfm.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/fs.h"
#include "core/parallel.h"
#include "core/xalloc.h"
#include "markdown/directive.h"
#include "markdown/markdown.h"
#include "markdown/scan.h"
#include "markdown/tree.h"
#include "registers/registers.h"

/* A chapter of 11 MB would be a mistake; this keeps a stray binary out. */
#define MAX_DOCUMENT_BYTES ((size_t)8 << 20)

static const char *const AUDIENCE_NAMES[] = {"public", "staff", "internal"};

const char *audience_name(audience a)
{
    return AUDIENCE_NAMES[a];
}

bool audience_parse(const char *s, audience *out)
{
    for (int i = 0; i < 3; i++) {
        if (s && strcmp(s, AUDIENCE_NAMES[i]) == 0) {
            *out = (audience)i;
            return true;
        }
    }
    return false;
}

static _Thread_local audience_range *tracked;

bool audience_sees(audience aud, audience needed)
{
    bool sees = needed <= aud;
    if (tracked) {
        /* The same answer for every audience from needed up, or below it. */
        if (sees && needed > tracked->lo)
            tracked->lo = needed;
        if (!sees && (int)needed - 1 < (int)tracked->hi)
            tracked->hi = (audience)((int)needed - 1);
    }
    return sees;
}

void audience_track(audience_range *r)
{
    tracked = r;
}

/* ---- site.yaml ---- */

typedef struct key_spec {
    const char *name;
    const char *const *children; /* allowed keys of a nested mapping, or NULL */
} key_spec;

static const char *const ORG_KEYS[] = {"name", "short_name", "parent", "level", NULL};
static const char *const DOC_KEYS[] = {"id", "title", "signatures", NULL};
static const key_spec SITE_KEYS[] = {
    {"organization", ORG_KEYS}, {"document", DOC_KEYS}, {"language", NULL},
    {"calendar", NULL},         {"numbering", NULL},    {"theme", NULL},
    {"editions", NULL},         {"rules", NULL},
};

static bool in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

/* Reports every unknown key: a typo must not pass silently. */
static void check_site_keys(const ynode *root)
{
    for (size_t i = 0; i < root->len; i++) {
        const ynode *key = root->keys[i];
        const key_spec *spec = NULL;
        for (size_t k = 0; k < sizeof SITE_KEYS / sizeof *SITE_KEYS; k++)
            if (strcmp(SITE_KEYS[k].name, key->text) == 0)
                spec = &SITE_KEYS[k];
        if (!spec) {
            diag_error(ynode_pos(key), "site-key", "unknown key '%s' in site.yaml", key->text);
            continue;
        }
        const ynode *val = root->items[i];
        if (!spec->children)
            continue;
        if (val->kind != YNODE_MAP) {
            diag_error(ynode_pos(val), "site-key", "'%s' must be a mapping", key->text);
            continue;
        }
        for (size_t j = 0; j < val->len; j++)
            if (!in_list(spec->children, val->keys[j]->text))
                diag_error(ynode_pos(val->keys[j]), "site-key", "unknown key '%s.%s' in site.yaml",
                           key->text, val->keys[j]->text);
    }
}

/* A scalar setting; reports a non-scalar and returns the default. */
static char *config_string(const ynode *n, const char *what, const char *fallback)
{
    if (!n)
        return fallback ? xstrdup(fallback) : NULL;
    if (n->kind != YNODE_SCALAR) {
        diag_error(ynode_pos(n), "site-value", "'%s' must be text", what);
        return fallback ? xstrdup(fallback) : NULL;
    }
    return xstrdup(n->text);
}

static void config_string_list(const ynode *n, const char *what, vec *out)
{
    if (!n)
        return;
    if (n->kind != YNODE_SEQ) {
        diag_error(ynode_pos(n), "site-value", "'%s' must be a list", what);
        return;
    }
    for (size_t i = 0; i < n->len; i++) {
        if (n->items[i]->kind != YNODE_SCALAR)
            diag_error(ynode_pos(n->items[i]), "site-value", "items of '%s' must be text", what);
        else
            vec_push(out, xstrdup(n->items[i]->text));
    }
}

static bool load_config(site *s)
{
    s->config_path = fs_join(s->dir, "site.yaml");
    if (!fs_is_file(s->config_path)) {
        diag_error(srcpos_file(s->config_path), "missing", "site.yaml not found: %s",
                   strerror(errno ? errno : ENOENT));
        return false;
    }
    s->config_doc = yaml_load_file(s->config_path, NULL);
    if (!s->config_doc)
        return false;
    const ynode *root = s->config_doc->root;
    if (!root || root->kind != YNODE_MAP) {
        diag_error(root ? ynode_pos(root) : srcpos_file(s->config_path), "site-value",
                   "site.yaml must be a mapping of settings");
        return false;
    }
    check_site_keys(root);

    site_config *c = &s->config;
    const ynode *org = ynode_get(root, "organization");
    const ynode *doc = ynode_get(root, "document");
    c->org_name = config_string(ynode_get(org, "name"), "organization.name", "");
    if (!*c->org_name)
        diag_error(org ? ynode_pos(org) : ynode_pos(root), "site-value",
                   "organization.name is required");
    c->org_short_name = config_string(ynode_get(org, "short_name"), "organization.short_name",
                                      c->org_name);
    c->org_parent = config_string(ynode_get(org, "parent"), "organization.parent", "");
    c->org_level = config_string(ynode_get(org, "level"), "organization.level", "");
    c->doc_id = config_string(ynode_get(doc, "id"), "document.id", "plan");
    c->doc_title = config_string(ynode_get(doc, "title"), "document.title", "資通安全維護計畫");
    config_string_list(ynode_get(doc, "signatures"), "document.signatures", &c->signatures);
    c->language = config_string(ynode_get(root, "language"), "language", "zh-TW");
    c->theme = config_string(ynode_get(root, "theme"), "theme", "default");

    const ynode *cal = ynode_get(root, "calendar");
    const char *cal_s = ynode_str(cal);
    c->calendar = CALENDAR_ROC;
    if (cal_s && strcmp(cal_s, "gregorian") == 0)
        c->calendar = CALENDAR_GREGORIAN;
    else if (cal && (!cal_s || strcmp(cal_s, "roc") != 0))
        diag_error(ynode_pos(cal), "site-value", "calendar must be roc or gregorian");

    const ynode *num = ynode_get(root, "numbering");
    const char *num_s = ynode_str(num);
    c->numbering = NUMBERING_ZH_TW_OFFICIAL;
    if (num_s && strcmp(num_s, "decimal") == 0)
        c->numbering = NUMBERING_DECIMAL;
    else if (num_s && strcmp(num_s, "none") == 0)
        c->numbering = NUMBERING_NONE;
    else if (num && (!num_s || strcmp(num_s, "zh-TW-official") != 0))
        diag_error(ynode_pos(num), "site-value",
                   "numbering must be zh-TW-official, decimal or none");

    const ynode *eds = ynode_get(root, "editions");
    config_string_list(eds, "editions", &c->editions);
    for (size_t i = 0; i < c->editions.len; i++) {
        audience a;
        if (!audience_parse(c->editions.items[i], &a))
            diag_error(ynode_pos(eds->items[i]), "site-value",
                       "unknown edition '%s' (editions are public, staff and internal)",
                       (char *)c->editions.items[i]);
    }
    if (!c->editions.len)
        vec_push(&c->editions, xstrdup("internal"));

    c->rules = ynode_get(root, "rules");
    if (c->rules && c->rules->kind != YNODE_MAP) {
        diag_error(ynode_pos(c->rules), "site-value", "'rules' must be a mapping by rule id");
        c->rules = NULL;
    }
    return true;
}

/* ---- documents ---- */

static void document_free(void *p)
{
    document *d = p;
    if (!d)
        return;
    free(d->path);
    free(d->slug);
    free(d->id);
    free(d->title);
    free(d->register_name);
    ydoc_free(d->front);
    free(d->source);
    vec_free(&d->sections);
    vec_free(&d->directives);
    vec_free(&d->links);
    md_text_free(d->text);
    if (d->made_free)
        d->made_free(d->made);
    free(d);
}

static void section_free(void *p)
{
    section *s = p;
    free(s->id);
    free(s->label);
    free(s->full_label);
    free(s->title);
    free(s);
}

/* "01-basis.md" -> "basis"; the number prefix orders files, it is not a name. */
static char *slug_from_file_name(const char *name)
{
    const char *start = name;
    const char *p = name;
    while (*p >= '0' && *p <= '9')
        p++;
    if (p > name && (*p == '-' || *p == '_'))
        start = p + 1;
    const char *dot = strrchr(start, '.');
    return xstrndup(start, dot ? (size_t)(dot - start) : strlen(start));
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

/* Splits "---\n yaml \n---\n body" and parses the YAML. */
static bool read_front_matter(document *d, const char *const *allowed)
{
    const char *src = d->source;
    d->body_line = 1;
    if (strncmp(src, "---\n", 4) != 0 && strncmp(src, "---\r\n", 5) != 0)
        return true;
    const char *yaml_start = strchr(src, '\n') + 1;
    const char *p = yaml_start;
    int line = 2;
    const char *yaml_end = NULL;
    while (*p) {
        if (strncmp(p, "---", 3) == 0 && (p[3] == '\n' || p[3] == '\r' || p[3] == '\0')) {
            yaml_end = p;
            break;
        }
        const char *nl = strchr(p, '\n');
        if (!nl)
            break;
        p = nl + 1;
        line++;
    }
    if (!yaml_end) {
        diag_error((srcpos){d->path, 1, 1}, "front-matter",
                   "front matter starts with '---' but has no closing '---' line");
        return false;
    }
    d->front = yaml_load_buffer(d->path, yaml_start, (size_t)(yaml_end - yaml_start), 2, NULL);
    if (!d->front)
        return false;
    const ynode *root = d->front->root;
    if (root && root->kind != YNODE_MAP) {
        diag_error(ynode_pos(root), "front-matter", "front matter must be a mapping of keys");
        return false;
    }
    for (size_t i = 0; root && i < root->len; i++)
        if (!in_list(allowed, root->keys[i]->text))
            diag_error(ynode_pos(root->keys[i]), "front-matter", "unknown front-matter key '%s'",
                       root->keys[i]->text);
    const char *nl = strchr(yaml_end, '\n');
    d->body_line = line + 1;
    d->source_body = nl ? nl + 1 : yaml_end + strlen(yaml_end);
    return true;
}

static const char *const CHAPTER_KEYS[] = {"id", "title", "audience", NULL};
static const char *const ANNEX_KEYS[] = {"id", "number", "title", "register", "audience", NULL};

static char *front_string(const document *d, const char *key)
{
    const ynode *n = ynode_get(d->front ? d->front->root : NULL, key);
    if (!n)
        return NULL;
    if (n->kind != YNODE_SCALAR) {
        diag_error(ynode_pos(n), "front-matter", "'%s' must be text", key);
        return NULL;
    }
    return xstrdup(n->text);
}

static document *load_document(const site *s, const char *path, const char *file_name,
                               document_kind kind, int position, const site_visitor *visitor)
{
    document *d = xcalloc(1, sizeof *d);
    d->kind = kind;
    d->path = xstrdup(path);
    d->slug = slug_from_file_name(file_name);
    d->number = position;
    vec_init(&d->sections, section_free);
    vec_init(&d->directives, directive_free);
    vec_init(&d->links, doc_link_free);

    size_t len;
    d->source = fs_read_file(path, MAX_DOCUMENT_BYTES, &len);
    if (!d->source) {
        diag_error(srcpos_file(path), "read", "cannot read: %s", strerror(errno));
        document_free(d);
        return NULL;
    }
    if (memchr(d->source, '\0', len)) {
        diag_error(srcpos_file(path), "read", "not a text file (contains NUL bytes)");
        document_free(d);
        return NULL;
    }
    d->source_body = d->source;
    if (!read_front_matter(d, kind == DOCUMENT_ANNEX ? ANNEX_KEYS : CHAPTER_KEYS)) {
        document_free(d);
        return NULL;
    }
    d->id = front_string(d, "id");
    if (!d->id)
        d->id = xstrdup(d->slug);
    d->title = front_string(d, "title");
    if (!d->title) {
        diag_error((srcpos){path, 1, 1}, "front-matter", "missing 'title' in front matter");
        d->title = xstrdup(d->slug);
    }
    char *aud = front_string(d, "audience");
    d->audience = AUDIENCE_PUBLIC;
    if (aud && !audience_parse(aud, &d->audience))
        diag_error(ynode_pos(ynode_get(d->front->root, "audience")), "front-matter",
                   "audience must be public, staff or internal, not '%s'", aud);
    free(aud);
    if (kind == DOCUMENT_ANNEX) {
        d->register_name = front_string(d, "register");
        const ynode *num = ynode_get(d->front ? d->front->root : NULL, "number");
        long n;
        if (num && (!ynode_as_long(num, &n) || n < 1))
            diag_error(ynode_pos(num), "front-matter", "annex number must be a whole number from 1");
        else if (num)
            d->number = (int)n;
    }
    /* What the later stages need of the tree is read now; the tree goes
     * (markdown/tree.h parses it again for the renderers). */
    d->body_len = len - (size_t)(d->source_body - d->source);
    md_tree *tree = md_tree_parse(d);
    md_find_directives(d, tree->root);
    md_number_document(d, tree->root, s->config.numbering);
    md_scan_document(d, tree->root);
    if (visitor)
        visitor->visit(visitor->ctx, d, tree->root);
    md_tree_close(tree);
    return d;
}

/* One Markdown file to load, and what became of it. */
typedef struct load_job {
    const site *site;
    const site_visitor *visitor;
    char *path;
    char *name;
    document_kind kind;
    int position;
    document *doc;     /* NULL when it could not be read */
    diag_buffer *diags; /* its diagnostics, told in file order afterwards */
} load_job;

/* Lists every *.md of a folder in file-name order as jobs. A missing folder
 * is an empty list (a plan may have no annexes). Returns false when the
 * folder cannot be listed. */
static bool list_folder(const site *s, const char *sub, document_kind kind,
                        const site_visitor *visitor, vec *jobs)
{
    char *dir = fs_join(s->dir, sub);
    vec names;
    vec_init(&names, free);
    bool ok = true;
    if (fs_is_dir(dir) && !fs_list_dir(dir, &names)) {
        diag_error(srcpos_file(dir), "read", "cannot list folder: %s", strerror(errno));
        ok = false;
    }
    int position = 0;
    for (size_t i = 0; i < names.len; i++) {
        const char *name = names.items[i];
        if (name[0] == '.' || !ends_with(name, ".md"))
            continue;
        load_job *job = xcalloc(1, sizeof *job);
        *job = (load_job){.site = s, .visitor = visitor, .path = fs_join(dir, name),
                          .name = xstrdup(name), .kind = kind, .position = ++position};
        vec_push(jobs, job);
    }
    vec_free(&names);
    free(dir);
    return ok;
}

static void load_job_run(void *ctx, int worker, size_t i)
{
    (void)worker;
    load_job *job = ((vec *)ctx)->items[i];
    job->diags = diag_buffer_new();
    diag_capture(job->diags);
    job->doc = load_document(job->site, job->path, job->name, job->kind, job->position,
                             job->visitor);
    diag_capture(NULL);
}

/* Loads the chapters of plan/ and the annexes of annexes/, parsing on `jobs`
 * threads; diagnostics come out in file order, as from one thread. Returns
 * false when a folder or a file could not be read. */
static bool load_documents(site *s, int jobs, const site_visitor *visitor)
{
    vec pending;
    vec_init(&pending, NULL);
    bool ok = list_folder(s, "plan", DOCUMENT_CHAPTER, visitor, &pending);
    ok = list_folder(s, "annexes", DOCUMENT_ANNEX, visitor, &pending) && ok;
    parallel_for(pending.len, jobs > 0 ? jobs : parallel_cpu_count(), load_job_run, &pending);
    for (size_t i = 0; i < pending.len; i++) {
        load_job *job = pending.items[i];
        diag_buffer_replay(job->diags);
        if (job->doc)
            vec_push(job->kind == DOCUMENT_CHAPTER ? &s->chapters : &s->annexes, job->doc);
        else
            ok = false;
        free(job->path);
        free(job->name);
        free(job);
    }
    vec_free(&pending);
    return ok;
}

static int cmp_annex_number(const void *a, const void *b)
{
    const document *x = *(document *const *)a, *y = *(document *const *)b;
    return x->number != y->number ? (x->number > y->number) - (x->number < y->number)
                                  : strcmp(x->path, y->path);
}

/* Ids are how everything else refers to a document: they must be unique. */
static void check_unique_ids(const vec *docs, const char *what)
{
    map seen;
    map_init(&seen, NULL);
    for (size_t i = 0; i < docs->len; i++) {
        document *d = docs->items[i];
        document *first = map_get(&seen, d->id);
        if (first)
            diag_error((srcpos){d->path, 1, 1}, "duplicate-id",
                       "%s id '%s' is already used by %s", what, d->id, first->path);
        else
            map_set(&seen, d->id, d);
    }
    map_free(&seen);
}

site *site_load(const char *dir)
{
    return site_load_jobs(dir, 0);
}

site *site_load_jobs(const char *dir, int jobs)
{
    return site_load_visiting(dir, jobs, NULL);
}

site *site_load_visiting(const char *dir, int jobs, const site_visitor *visitor)
{
    if (!fs_is_dir(dir)) {
        diag_error(srcpos_file(dir), "missing", "content folder not found");
        return NULL;
    }
    site *s = xcalloc(1, sizeof *s);
    s->dir = xstrdup(dir);
    vec_init(&s->config.signatures, free);
    vec_init(&s->config.editions, free);
    vec_init(&s->chapters, document_free);
    vec_init(&s->annexes, document_free);
    map_init(&s->revision_notes, free);
    if (!load_config(s)) {
        site_free(s);
        return NULL;
    }
    bool ok = load_documents(s, jobs, visitor);
    if (!ok) {
        site_free(s);
        return NULL;
    }
    char *digest = fs_join(s->dir, "digest.md");
    if (fs_is_file(digest)) {
        s->digest = load_document(s, digest, "digest.md", DOCUMENT_DIGEST, 0, visitor);
        ok = s->digest != NULL;
    }
    free(digest);
    if (!ok) {
        site_free(s);
        return NULL;
    }
    if (!s->chapters.len)
        diag_warning(srcpos_file(s->dir), "empty", "no chapters in plan/");
    vec_sort(&s->annexes, cmp_annex_number);
    check_unique_ids(&s->chapters, "chapter");
    check_unique_ids(&s->annexes, "annex");
    md_number_footnotes(s);
    registers_load(s);
    registers_check_site(s);
    return s;
}

void site_free(site *s)
{
    if (!s)
        return;
    free(s->dir);
    free(s->config_path);
    ydoc_free(s->config_doc);
    site_config *c = &s->config;
    free(c->org_name);
    free(c->org_short_name);
    free(c->org_parent);
    free(c->org_level);
    free(c->doc_id);
    free(c->doc_title);
    vec_free(&c->signatures);
    free(c->language);
    free(c->theme);
    vec_free(&c->editions);
    vec_free(&s->chapters);
    vec_free(&s->annexes);
    registers_free(s->registers);
    document_free(s->digest);
    map_free(&s->revision_notes);
    free(s);
}

const section *site_find_section(const site *s, const char *ref)
{
    const char *slash = strchr(ref, '/');
    size_t doc_len = slash ? (size_t)(slash - ref) : 0;
    const char *want = slash ? slash + 1 : ref;
    for (size_t i = 0; i < s->chapters.len; i++) {
        const document *d = s->chapters.items[i];
        if (slash && (strlen(d->id) != doc_len || strncmp(d->id, ref, doc_len) != 0))
            continue;
        if (!slash && strcmp(d->id, ref) == 0 && d->sections.len)
            return d->sections.items[0];
        for (size_t k = 1; k < d->sections.len; k++) {
            const section *sec = d->sections.items[k];
            if (strcmp(sec->id, want) == 0)
                return sec;
        }
    }
    return NULL;
}

const char *site_revision_note(const site *s, const char *version)
{
    return s && version ? map_get(&s->revision_notes, version) : NULL;
}

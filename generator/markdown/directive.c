#include "markdown/directive.h"

#include <cmark-gfm.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "markdown/markdown.h"

const char *const DIRECTIVE_KIND_NAMES[DIRECTIVE_KINDS] = {"register", "annexes", "revisions",
                                                           "only", "signatures"};

void directive_free(void *p)
{
    directive *d = p;
    if (!d)
        return;
    free(d->arg);
    ydoc_free(d->options);
    if (d->content)
        cmark_node_free(d->content);
    free(d);
}

size_t directive_signatures(const directive *d, const char **labels, size_t max)
{
    const ynode *list = d->kind == DIRECTIVE_SIGNATURES && d->options ? d->options->root : NULL;
    if (!list || list->kind != YNODE_SEQ)
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < list->len && n < max; i++)
        if (list->items[i]->kind == YNODE_SCALAR && *list->items[i]->text)
            labels[n++] = list->items[i]->text;
    return n;
}

/* Splits the info string into the directive name and its argument. */
static bool parse_info(const char *info, char **name, char **arg)
{
    while (*info == ' ')
        info++;
    const char *end = info;
    while (*end && *end != ' ')
        end++;
    if (end == info)
        return false;
    *name = xstrndup(info, (size_t)(end - info));
    while (*end == ' ')
        end++;
    size_t len = strlen(end);
    while (len && end[len - 1] == ' ')
        len--;
    *arg = len ? xstrndup(end, len) : NULL;
    return true;
}

directive *directive_make(const document *doc, directive_kind kind, char *arg, srcpos pos,
                          const char *body, size_t body_len, diag_sink *diags)
{
    directive *d = xcalloc(1, sizeof *d);
    d->kind = kind;
    d->arg = arg;
    d->pos = pos;
    switch (kind) {
    case DIRECTIVE_REGISTER:
        if (!arg)
            diag_error(diags, pos, "directive", "the register directive needs a register name");
        if (body_len) {
            d->options = yaml_load_buffer(doc->path, body, body_len, pos.line + 1, NULL, diags);
            if (d->options && d->options->root && d->options->root->kind != YNODE_MAP)
                diag_error(diags, ynode_pos(d->options->root), "directive",
                           "register options must be a mapping (columns, where, sort, layout)");
        }
        break;
    case DIRECTIVE_SIGNATURES: {
        if (arg)
            diag_error(diags, pos, "directive",
                       "the signatures directive takes its labels as a YAML "
                       "list in its body, not after its name");
        if (body_len)
            d->options = yaml_load_buffer(doc->path, body, body_len, pos.line + 1, NULL, diags);
        const ynode *list = d->options ? d->options->root : NULL;
        bool ok = list && list->kind == YNODE_SEQ && list->len > 0;
        for (size_t i = 0; ok && i < list->len; i++)
            if (list->items[i]->kind != YNODE_SCALAR || !*list->items[i]->text) {
                diag_error(diags, ynode_pos(list->items[i]), "directive",
                           "a signature's label must be text");
                ok = false;
            }
        if (!list || list->kind != YNODE_SEQ || !list->len)
            diag_error(diags, list ? ynode_pos(list) : pos, "directive",
                       "the signatures directive needs a list of labels, as in [立同意書人]");
        break;
    }
    case DIRECTIVE_ANNEXES:
    case DIRECTIVE_REVISIONS:
        if (arg || body_len)
            diag_error(diags, pos, "directive", "the %s directive takes no options",
                       DIRECTIVE_KIND_NAMES[kind]);
        break;
    case DIRECTIVE_ONLY:
        if (!audience_parse(arg, &d->audience))
            diag_error(diags, pos, "directive",
                       "'only' needs an audience: public, staff or internal");
        d->content = md_parse(body ? body : "", body_len);
        /* Reading a node's text the first time writes it into the node:
         * done now, so that threads may render the block side by side. */
        md_settle(d->content);
        break;
    }
    return d;
}

/* The directive a top-level block opens, with its kind and argument, or
 * false. */
static bool directive_block(cmark_node *n, directive_kind *kind, char **arg)
{
    int fence_length = 0, fence_offset = 0;
    char fence_char = 0;
    if (cmark_node_get_type(n) != CMARK_NODE_CODE_BLOCK ||
        !cmark_node_get_fenced(n, &fence_length, &fence_offset, &fence_char))
        return false;
    const char *info = cmark_node_get_fence_info(n);
    char *name = NULL;
    *arg = NULL;
    bool found = false;
    if (info && parse_info(info, &name, arg))
        for (int k = 0; k < DIRECTIVE_KINDS && !found; k++)
            if (strcmp(name, DIRECTIVE_KIND_NAMES[k]) == 0) {
                *kind = (directive_kind)k;
                found = true;
            }
    free(name);
    if (!found) {
        free(*arg);
        *arg = NULL;
    }
    return found;
}

void md_find_directives(document *doc, cmark_node *root, diag_sink *diags)
{
    for (cmark_node *n = cmark_node_first_child(root); n; n = cmark_node_next(n)) {
        directive_kind kind;
        char *arg;
        if (!directive_block(n, &kind, &arg))
            continue;
        srcpos pos = {doc->path, cmark_node_get_start_line(n) + doc->body_line - 1,
                      cmark_node_get_start_column(n)};
        const char *body = cmark_node_get_literal(n);
        directive *d = directive_make(doc, kind, arg, pos, body, body ? strlen(body) : 0, diags);
        vec_push(&doc->directives, d);
        cmark_node_set_user_data(n, d);
    }
}

void md_attach_directives(const document *doc, cmark_node *root)
{
    size_t k = 0;
    for (cmark_node *n = cmark_node_first_child(root); n && k < doc->directives.len;
         n = cmark_node_next(n)) {
        directive_kind kind;
        char *arg;
        if (!directive_block(n, &kind, &arg))
            continue;
        free(arg);
        cmark_node_set_user_data(n, doc->directives.items[k++]);
    }
}

/* The Mustache engine: the input is a template (with "\n----\n" separating
 * it from a partial named "p" and a parent named "base"), compiled and
 * rendered with data that has every kind of value. */
#include "fuzz.h"

#include "template/template.h"

typedef struct partials {
    const char *p;
    const char *base;
} partials;

static const char *resolve(void *ctx, const char *name)
{
    const partials *ps = ctx;
    if (strcmp(name, "p") == 0)
        return ps->p;
    if (strcmp(name, "base") == 0)
        return ps->base;
    return NULL;
}

static value *data_value(void)
{
    value *v = value_map();
    value_map_set_string(v, "name", "<b>&\"'");
    value_map_set_number(v, "n", 3);
    value_map_set_bool(v, "yes", true);
    value_map_set_bool(v, "no", false);
    value_map_set(v, "none", value_null());
    value_map_set_string(v, "partial", "p");
    value *list = value_list();
    for (int i = 0; i < 3; i++) {
        value *item = value_map();
        value_map_set_number(item, "i", i);
        value_map_set_string(item, "name", i ? "x" : "");
        value_list_push(list, item);
    }
    value_map_set(v, "items", list);
    value *nested = value_map();
    value_map_set(nested, "items", value_list());
    value_map_set_string(nested, "deep", "d");
    value_map_set(v, "a", nested);
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static value *ctx;
    if (!ctx)
        ctx = data_value();
    char *text = xstrndup((const char *)data, size);
    /* Up to three parts: the template, the partial "p", the parent "base". */
    char *parts[3] = {text, "", ""};
    for (int i = 1; i < 3; i++) {
        char *sep = strstr(parts[i - 1], "\n----\n");
        if (!sep)
            break;
        *sep = '\0';
        parts[i] = sep + 6;
    }
    partials ps = {parts[1], parts[2]};
    tpl_set *set = tpl_set_new(resolve, &ps);
    tpl_error err;
    tpl *t = tpl_compile("fuzz", parts[0], &err);
    if (t) {
        strbuf out;
        sb_init(&out);
        tpl_render(set, t, ctx, &out, &err);
        tpl_render(set, t, NULL, &out, &err);
        sb_free(&out);
        tpl_free(t);
    }
    tpl_set_free(set);
    free(text);
    return 0;
}

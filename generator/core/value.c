#include "core/value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "core/xalloc.h"

static value *value_new(value_kind kind)
{
    value *v = xcalloc(1, sizeof *v);
    v->kind = kind;
    v->refs = 1;
    return v;
}

static void unref_void(void *v)
{
    value_unref(v);
}

value *value_null(void) { return value_new(VALUE_NULL); }

value *value_bool(bool b)
{
    value *v = value_new(VALUE_BOOL);
    v->as.boolean = b;
    return v;
}

value *value_number(double n)
{
    value *v = value_new(VALUE_NUMBER);
    v->as.number = n;
    return v;
}

/* A string copied into the value's own allocation: pages are made of many
 * small strings, and this is one allocation each rather than two. */
value *value_stringn(const char *s, size_t n)
{
    value *v = xmalloc(sizeof *v + n + 1);
    memset(v, 0, sizeof *v);
    v->kind = VALUE_STRING;
    v->refs = 1;
    v->as.string.data = (char *)(v + 1);
    memcpy(v->as.string.data, s, n);
    v->as.string.data[n] = '\0';
    v->as.string.len = n;
    return v;
}

value *value_string(const char *s)
{
    return value_stringn(s ? s : "", s ? strlen(s) : 0);
}

value *value_string_take(char *s)
{
    value *v = value_new(VALUE_STRING);
    v->as.string.data = s;
    v->as.string.len = strlen(s);
    return v;
}

value *value_list(void)
{
    value *v = value_new(VALUE_LIST);
    vec_init(&v->as.list, unref_void);
    return v;
}

value *value_map(void)
{
    value *v = value_new(VALUE_MAP);
    map_init(&v->as.map, unref_void);
    return v;
}

value *value_ref(value *v)
{
    if (v) /* atomic: pages render on several threads and share the site's data */
        __atomic_add_fetch(&v->refs, 1, __ATOMIC_RELAXED);
    return v;
}

void value_unref(value *v)
{
    if (!v || __atomic_sub_fetch(&v->refs, 1, __ATOMIC_ACQ_REL) > 0)
        return;
    switch (v->kind) {
    case VALUE_STRING:
        if (v->as.string.data != (char *)(v + 1))
            free(v->as.string.data);
        break;
    case VALUE_LIST: vec_free(&v->as.list); break;
    case VALUE_MAP: map_free(&v->as.map); break;
    default: break;
    }
    free(v);
}

void value_list_push(value *list, value *item)
{
    vec_push(&list->as.list, item);
}

void value_map_set(value *m, const char *key, value *item)
{
    map_set(&m->as.map, key, item);
}

void value_map_set_string(value *m, const char *key, const char *s)
{
    value_map_set(m, key, value_string(s));
}

void value_map_set_bool(value *m, const char *key, bool b)
{
    value_map_set(m, key, value_bool(b));
}

void value_map_set_number(value *m, const char *key, double n)
{
    value_map_set(m, key, value_number(n));
}

value *value_map_copy(const value *m)
{
    value *v = value_map();
    for (size_t i = 0; i < m->as.map.len; i++)
        map_set(&v->as.map, m->as.map.entries[i].key, value_ref(m->as.map.entries[i].value));
    return v;
}

value *value_map_get(const value *m, const char *key)
{
    if (!m || m->kind != VALUE_MAP)
        return NULL;
    return map_get(&m->as.map, key);
}

size_t value_list_len(const value *list)
{
    return list && list->kind == VALUE_LIST ? list->as.list.len : 0;
}

value *value_list_get(const value *list, size_t i)
{
    if (!list || list->kind != VALUE_LIST)
        return NULL;
    return vec_get(&list->as.list, i);
}

const char *value_as_string(const value *v)
{
    return v && v->kind == VALUE_STRING ? v->as.string.data : NULL;
}

bool value_truthy(const value *v)
{
    if (!v)
        return false;
    switch (v->kind) {
    case VALUE_NULL: return false;
    case VALUE_BOOL: return v->as.boolean;
    case VALUE_NUMBER: return true;
    case VALUE_STRING: return v->as.string.len > 0;
    case VALUE_LIST: return v->as.list.len > 0;
    case VALUE_MAP: return true;
    }
    return false;
}

static void append_number(strbuf *out, double n)
{
    if (isfinite(n) && n == floor(n) && fabs(n) < 1e15) {
        sb_append_int(out, (long long)n);
        return;
    }
    char buf[64];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, n);
        if (strtod(buf, NULL) == n)
            break;
    }
    sb_append(out, buf);
}

void value_append_text(strbuf *out, const value *v)
{
    if (!v)
        return;
    switch (v->kind) {
    case VALUE_NULL: break;
    case VALUE_BOOL: sb_append(out, v->as.boolean ? "true" : "false"); break;
    case VALUE_NUMBER: append_number(out, v->as.number); break;
    case VALUE_STRING: sb_appendn(out, v->as.string.data, v->as.string.len); break;
    case VALUE_LIST:
    case VALUE_MAP: value_append_json(out, v, false); break;
    }
}

static void append_json_string(strbuf *out, const char *s, size_t n)
{
    sb_appendc(out, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': sb_append(out, "\\\""); break;
        case '\\': sb_append(out, "\\\\"); break;
        case '\n': sb_append(out, "\\n"); break;
        case '\r': sb_append(out, "\\r"); break;
        case '\t': sb_append(out, "\\t"); break;
        default:
            if (c < 0x20 || c == 0x7F) {
                sb_printf(out, "\\u%04x", c);
            } else if (c >= 0x80) {
                /* JSON is UTF-8: a byte that does not start a valid
                 * character (a rule can make any) becomes U+FFFD. */
                uint32_t cp;
                size_t len = utf8_decode(s + i, n - i, &cp);
                if (len == 0) {
                    sb_append(out, "\\ufffd");
                } else {
                    sb_appendn(out, s + i, len);
                    i += len - 1;
                }
            } else {
                sb_appendc(out, (char)c);
            }
        }
    }
    sb_appendc(out, '"');
}

static void indent(strbuf *out, bool pretty, int depth)
{
    if (!pretty)
        return;
    sb_appendc(out, '\n');
    for (int i = 0; i < depth; i++)
        sb_append(out, "  ");
}

static void append_json(strbuf *out, const value *v, bool pretty, int depth)
{
    switch (v ? v->kind : VALUE_NULL) {
    case VALUE_NULL: sb_append(out, "null"); break;
    case VALUE_BOOL:
    case VALUE_NUMBER: value_append_text(out, v); break;
    case VALUE_STRING: append_json_string(out, v->as.string.data, v->as.string.len); break;
    case VALUE_LIST:
        if (!v->as.list.len) {
            sb_append(out, "[]");
            break;
        }
        sb_appendc(out, '[');
        for (size_t i = 0; i < v->as.list.len; i++) {
            if (i)
                sb_appendc(out, ',');
            indent(out, pretty, depth + 1);
            append_json(out, v->as.list.items[i], pretty, depth + 1);
        }
        indent(out, pretty, depth);
        sb_appendc(out, ']');
        break;
    case VALUE_MAP:
        if (!v->as.map.len) {
            sb_append(out, "{}");
            break;
        }
        sb_appendc(out, '{');
        for (size_t i = 0; i < v->as.map.len; i++) {
            if (i)
                sb_appendc(out, ',');
            indent(out, pretty, depth + 1);
            const char *key = v->as.map.entries[i].key;
            append_json_string(out, key, strlen(key));
            sb_append(out, pretty ? ": " : ":");
            append_json(out, v->as.map.entries[i].value, pretty, depth + 1);
        }
        indent(out, pretty, depth);
        sb_appendc(out, '}');
        break;
    }
}

void value_append_json(strbuf *out, const value *v, bool pretty)
{
    append_json(out, v, pretty, 0);
}

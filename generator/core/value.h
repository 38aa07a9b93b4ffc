/* A JSON-like dynamic value: the data that templates render and that JSON
 * output is written from. Values are reference-counted: a container takes
 * over the reference it is given (value_list_push, value_map_set "consume"
 * their argument); call value_ref to keep your own. Reference counts are
 * atomic, so threads may share a value that nobody changes any more. */
#ifndef POLICYGEN_VALUE_H
#define POLICYGEN_VALUE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/map.h"
#include "core/strbuf.h"
#include "core/vec.h"

typedef enum value_kind {
    VALUE_NULL,
    VALUE_BOOL,
    VALUE_NUMBER,
    VALUE_STRING,
    VALUE_LIST,
    VALUE_MAP,
} value_kind;

typedef struct value {
    value_kind kind;
    int refs;
    union {
        bool boolean;
        double number;
        struct {
            char *data;
            size_t len;
        } string;
        vec list; /* of value*, owned */
        map map;  /* of value*, owned, insertion-ordered */
    } as;
} value;

value *value_null(void);
value *value_bool(bool b);
value *value_number(double n);
value *value_string(const char *s);
value *value_stringn(const char *s, size_t n);
/* Takes ownership of a malloc'd string. */
value *value_string_take(char *s);
value *value_list(void);
value *value_map(void);

value *value_ref(value *v);
void value_unref(value *v);

/* Containers consume item. */
void value_list_push(value *list, value *item);
void value_map_set(value *m, const char *key, value *item);
/* Shorthands for the common cases of building page data. */
void value_map_set_string(value *m, const char *key, const char *s);
void value_map_set_bool(value *m, const char *key, bool b);
void value_map_set_number(value *m, const char *key, double n);

/* A new map of m's keys, in its order, each with a reference to m's value:
 * a map to add to that leaves m (shared, perhaps) as it is. */
value *value_map_copy(const value *m);

/* Borrowed lookups; NULL when absent or not a map. */
value *value_map_get(const value *m, const char *key);
size_t value_list_len(const value *list);
value *value_list_get(const value *list, size_t i);
const char *value_as_string(const value *v); /* NULL unless a string */

/* Mustache truthiness: false, null, empty list and empty string are falsey. */
bool value_truthy(const value *v);
/* Appends the value as text: strings as they are, numbers in shortest form
 * ("1.21", "85"), booleans as true/false, null as nothing. */
void value_append_text(strbuf *out, const value *v);
/* Appends the value as JSON (keys in insertion order, 2-space indent when
 * pretty). */
void value_append_json(strbuf *out, const value *v, bool pretty);

#endif

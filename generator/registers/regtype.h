/* The catalogue of standard register types (registers/types.yaml, compiled
 * into the program): for each type the canonical fields the shipped rules
 * read, with their kind and meaning. A register declares `type: NAME` and
 * maps its own fields onto the canonical ones (registers.h); rules read
 * typed registers by canonical names (rules/rules.h, "needs").
 *
 * The catalogue is parsed once, on first use, and never changes: its
 * strings live for the whole process and any thread may read it. */
#ifndef POLICYGEN_REGTYPE_H
#define POLICYGEN_REGTYPE_H

#include <stdbool.h>

#include "core/vec.h"
#include "registers/registers.h"

typedef enum regtype_kind {
    REGKIND_TEXT,   /* text, markdown, enum, ref (its key), int (as written) */
    REGKIND_NUMBER, /* int, number, hours */
    REGKIND_DATE,   /* date */
    REGKIND_BOOL,   /* bool */
    REGKIND_LIST,   /* checks, list; a single text, enum or ref as a list of one */
    REGKIND_REF,    /* a ref to a register of the type `to` */
} regtype_kind;

typedef struct regtype_field {
    const char *name;
    regtype_kind kind;
    const char *to;    /* REGKIND_REF: the type referred to */
    const char *label; /* the column heading `policygen new` writes */
    const char *type;  /* the field type it writes (field_type_name), or NULL for the kind's */
    const char *register_name; /* a ref it writes: the register it refers to, or NULL */
    vec values;        /* const char*: the values it writes for enum and checks */
    const char *audience; /* the audience it writes, or NULL for the register's */
    const char *about; /* what the field means */
} regtype_field;

typedef struct regtype {
    const char *name;
    const char *title;
    const char *about;
    const char *audience; /* the audience `policygen new` writes, or NULL: public */
    const char *key;      /* the field it keys rows by, or NULL: an own field `id` */
    vec fields;           /* of regtype_field*, in catalogue order */
} regtype;

/* Every type, in catalogue order (of const regtype*). */
const vec *regtype_all(void);
/* The type called name, or NULL. */
const regtype *regtype_get(const char *name);
const regtype_field *regtype_field_get(const regtype *t, const char *name);
const char *regtype_kind_name(regtype_kind k);
/* "a date", "a list of roles"...: the kind for messages, with the field's
 * meaning when short. The caller frees. */
char *regtype_field_describe(const regtype_field *f);
/* Whether a register field of type t can hold a canonical field of kind k
 * (for REGKIND_REF, the caller also checks the target's type). */
bool regtype_kind_accepts(regtype_kind k, field_type t);
/* The type names joined by ", " (for messages); the caller frees. */
char *regtype_names(void);

#endif

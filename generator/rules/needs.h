/* Whether a site can give a rule what it declares it reads (rule{needs=},
 * rules.h): checked before the rule's check runs, in the rule's process. */
#ifndef POLICYGEN_RULES_NEEDS_H
#define POLICYGEN_RULES_NEEDS_H

#include <stdbool.h>

#include "core/value.h"
#include "core/vec.h"

/* Fills each rule_need of needs (met, by, message, file, line) from the typed
 * registers (registers_typed_value; NULL: none). registers_dir is where a
 * missing register would go. */
void rule_needs_check(vec *needs, const value *registers, const char *registers_dir);
/* Whether a need keeps the rule from running: a required register or field
 * the site lacks, or any field (required or not) it cannot give. */
bool rule_needs_unmet(const vec *needs);

#endif

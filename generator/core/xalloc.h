/* Allocation for the host program: every function aborts on out-of-memory,
 * so callers never check for NULL. (Lua rules use their own limited allocator.) */
#ifndef POLICYGEN_XALLOC_H
#define POLICYGEN_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
/* xcalloc for a table read before it is written (hash slots): zeroed by
 * writing, so a fresh page is faulted in once, writable. calloc leaves fresh
 * memory to the kernel's zero page: a probe's read maps it, the first write
 * faults again, copies, and flushes every processor's TLB. */
void *xcalloc_written(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string; the caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* a, b and c as one new string, without printf (for the many hrefs and keys). */
char *xconcat3(const char *a, const char *b, const char *c);

#endif

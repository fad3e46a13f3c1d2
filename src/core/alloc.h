/* The library's allocator: every allocation goes through here so tests can
 * inject failures and users can plug in their own (kfk_set_allocator). */
#ifndef KFK_ALLOC_H
#define KFK_ALLOC_H

#include <stddef.h>

void *kfk_malloc(size_t n);
void *kfk_calloc(size_t count, size_t size);
void *kfk_realloc(void *p, size_t n);
void kfk_free(void *p);
char *kfk_strndup(const char *s, size_t n);

#endif

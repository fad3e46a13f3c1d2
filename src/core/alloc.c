#include "core/alloc.h"

#include <stdlib.h>
#include <string.h>

#include "kfk.h"

static kfk_allocator allocator = {malloc, realloc, free};

void kfk_set_allocator(const kfk_allocator *a) {
    if (a && a->malloc_fn && a->realloc_fn && a->free_fn)
        allocator = *a;
    else
        allocator = (kfk_allocator){malloc, realloc, free};
}

void *kfk_malloc(size_t n) { return allocator.malloc_fn(n ? n : 1); }

void *kfk_calloc(size_t count, size_t size) {
    if (size && count > (size_t)-1 / size) return NULL;
    void *p = kfk_malloc(count * size);
    if (p) memset(p, 0, count * size);
    return p;
}

void *kfk_realloc(void *p, size_t n) { return allocator.realloc_fn(p, n ? n : 1); }

void kfk_free(void *p) {
    if (p) allocator.free_fn(p);
}

char *kfk_strndup(const char *s, size_t n) {
    char *d = kfk_malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

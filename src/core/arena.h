/* A bump allocator for decoded responses: everything one decode allocates
 * (arrays of structs) is freed at once. Blocks grow geometrically. */
#ifndef KFK_ARENA_H
#define KFK_ARENA_H

#include <stddef.h>

#include "core/buf.h"

typedef struct kfk_arena_block kfk_arena_block;

typedef struct kfk_arena {
    kfk_arena_block *head;
    size_t used;      /* bytes used in head */
    size_t next_size; /* size of the next block to allocate */
    kfk_arena_block *lent; /* the caller's memory (kfk_arena_lend), not freed */
} kfk_arena;

/* Zeroed memory aligned for any type, or NULL on failure. */
void *kfk_arena_alloc(kfk_arena *a, size_t n);
/* n elements of size sz, zeroed; NULL when the product overflows. */
void *kfk_arena_array(kfk_arena *a, size_t count, size_t size);
/* A copy of s (NULL taken as "") in the arena; "" when out of memory. */
kfk_str kfk_arena_str(kfk_arena *a, const char *s);
/* Lets an empty arena allocate from mem (size bytes, the caller's) before
 * it mallocs blocks; too small a size is ignored. The caller frees mem
 * after kfk_arena_reset, which forgets it. */
void kfk_arena_lend(kfk_arena *a, void *mem, size_t size);
/* Frees every block; the arena may be reused. */
void kfk_arena_reset(kfk_arena *a);

#endif

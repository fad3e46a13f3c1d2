/* A bump allocator for decoded responses: everything one decode allocates
 * (arrays of structs) is freed at once. Blocks grow geometrically. */
#ifndef KFK_ARENA_H
#define KFK_ARENA_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

typedef struct kfk_arena_block kfk_arena_block;

typedef struct kfk_arena {
    kfk_arena_block *head;
    unsigned char *cur; /* the unused rest of head, `left` bytes */
    size_t left;
    size_t next_size; /* size of the next block to allocate */
    kfk_arena_block *lent; /* the caller's memory (kfk_arena_lend), not freed */
} kfk_arena;

/* What every allocation is aligned to (and its size rounded up to). */
#define KFK_ARENA_ALIGN 16
_Static_assert(KFK_ARENA_ALIGN >= _Alignof(max_align_t), "arena alignment too small");

/* Zeroed memory aligned for any type, or NULL on failure. */
void *kfk_arena_alloc(kfk_arena *a, size_t n);
/* For kfk_arena_alloc_raw: n (rounded) from a new block. */
void *kfk_arena_alloc_new_block(kfk_arena *a, size_t n);
/* As kfk_arena_alloc, but the memory is not zeroed; its common case
 * (room left in the current block) inline, for per-message structs. */
static inline void *kfk_arena_alloc_raw(kfk_arena *a, size_t n) {
    if (n > SIZE_MAX - KFK_ARENA_ALIGN) return NULL;
    n = n ? (n + KFK_ARENA_ALIGN - 1) & ~(size_t)(KFK_ARENA_ALIGN - 1) : KFK_ARENA_ALIGN;
    if (n > a->left) return kfk_arena_alloc_new_block(a, n);
    void *p = a->cur;
    a->cur += n;
    a->left -= n;
    return p;
}
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

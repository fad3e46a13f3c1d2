#include "core/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"

struct kfk_arena_block {
    kfk_arena_block *next;
    size_t size;
    alignas(max_align_t) unsigned char data[];
};

enum { ARENA_MIN_BLOCK = 1024, ARENA_MAX_STEP = 1 << 20 };

/* n: rounded to KFK_ARENA_ALIGN, more than the current block has left. */
void *kfk_arena_alloc_new_block(kfk_arena *a, size_t n) {
    size_t size = a->next_size < ARENA_MIN_BLOCK ? ARENA_MIN_BLOCK : a->next_size;
    if (size < n) size = n;
    if (size > SIZE_MAX - sizeof(kfk_arena_block)) return NULL;
    kfk_arena_block *b = kfk_malloc(sizeof(kfk_arena_block) + size);
    if (!b) return NULL;
    b->next = a->head;
    b->size = size;
    a->head = b;
    a->cur = b->data + n;
    a->left = size - n;
    a->next_size = size < ARENA_MAX_STEP ? size * 2 : size;
    return b->data;
}

void *kfk_arena_alloc(kfk_arena *a, size_t n) {
    void *p = kfk_arena_alloc_raw(a, n);
    if (p) memset(p, 0, n);
    return p;
}

void *kfk_arena_array(kfk_arena *a, size_t count, size_t size) {
    if (size && count > SIZE_MAX / size) return NULL;
    return kfk_arena_alloc(a, count * size);
}

void kfk_arena_lend(kfk_arena *a, void *mem, size_t size) {
    const uintptr_t align = alignof(kfk_arena_block);
    size_t pad = (size_t)((align - (uintptr_t)mem % align) % align);
    if (a->head || size < pad + sizeof(kfk_arena_block) + ARENA_MIN_BLOCK) return;
    kfk_arena_block *b = (kfk_arena_block *)(void *)((unsigned char *)mem + pad);
    b->next = NULL;
    b->size = size - pad - sizeof *b;
    a->head = a->lent = b;
    a->cur = b->data;
    a->left = b->size;
}

void kfk_arena_reset(kfk_arena *a) {
    kfk_arena_block *b = a->head;
    while (b) {
        kfk_arena_block *next = b->next;
        if (b != a->lent) kfk_free(b);
        b = next;
    }
    *a = (kfk_arena){0};
}

kfk_str kfk_arena_str(kfk_arena *a, const char *s) {
    size_t n = s ? strlen(s) : 0;
    char *d = kfk_arena_alloc(a, n + 1);
    if (!d) return (kfk_str){"", 0};
    memcpy(d, s ? s : "", n + 1);
    return (kfk_str){d, (int32_t)n};
}

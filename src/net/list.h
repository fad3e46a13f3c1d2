/* An intrusive doubly linked circular list (the Linux kernel's list_head):
 * nodes live inside the objects they link, so queueing never allocates. */
#ifndef KFK_LIST_H
#define KFK_LIST_H

#include <stddef.h>

typedef struct kfk_list {
    struct kfk_list *prev, *next;
} kfk_list;

#define KFK_CONTAINER_OF(p, type, member) ((type *)(void *)((char *)(p)-offsetof(type, member)))

static inline void kfk_list_init(kfk_list *h) { h->prev = h->next = h; }
static inline int kfk_list_empty(const kfk_list *h) { return h->next == h; }

static inline void kfk_list_insert_tail(kfk_list *h, kfk_list *n) {
    n->prev = h->prev;
    n->next = h;
    h->prev->next = n;
    h->prev = n;
}

static inline void kfk_list_remove(kfk_list *n) {
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->prev = n->next = n;
}

/* Moves every node of `from` to the end of `to`, leaving `from` empty. */
static inline void kfk_list_splice_tail(kfk_list *to, kfk_list *from) {
    if (kfk_list_empty(from)) return;
    from->next->prev = to->prev;
    to->prev->next = from->next;
    from->prev->next = to;
    to->prev = from->prev;
    kfk_list_init(from);
}

#endif

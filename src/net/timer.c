#include "net/timer.h"

#include "core/alloc.h"
#include "kfk.h"

static void place(kfk_timers *h, int32_t i, kfk_timer *t) {
    h->heap[i] = t;
    t->pos = i + 1;
}

static void sift_up(kfk_timers *h, int32_t i) {
    kfk_timer *t = h->heap[i];
    while (i > 0) {
        int32_t parent = (i - 1) / 2;
        if (h->heap[parent]->when <= t->when) break;
        place(h, i, h->heap[parent]);
        i = parent;
    }
    place(h, i, t);
}

static void sift_down(kfk_timers *h, int32_t i) {
    kfk_timer *t = h->heap[i];
    for (;;) {
        int32_t child = 2 * i + 1;
        if (child >= h->n) break;
        if (child + 1 < h->n && h->heap[child + 1]->when < h->heap[child]->when) child++;
        if (h->heap[child]->when >= t->when) break;
        place(h, i, h->heap[child]);
        i = child;
    }
    place(h, i, t);
}

int kfk_timers_add(kfk_timers *h, kfk_timer *t, kfk_timer_fn fn) {
    if (h->reserved == h->cap) {
        int32_t cap = h->cap ? h->cap * 2 : 16;
        kfk_timer **heap = kfk_realloc(h->heap, (size_t)cap * sizeof *heap);
        if (!heap) return KFK_ERR_NOMEM;
        h->heap = heap;
        h->cap = cap;
    }
    h->reserved++;
    t->fn = fn;
    t->pos = 0;
    return 0;
}

void kfk_timers_release(kfk_timers *h, kfk_timer *t) {
    kfk_timers_cancel(h, t);
    h->reserved--;
}

void kfk_timers_set(kfk_timers *h, kfk_timer *t, int64_t when) {
    if (t->pos) {
        int64_t old = t->when;
        t->when = when;
        if (when < old)
            sift_up(h, t->pos - 1);
        else
            sift_down(h, t->pos - 1);
        return;
    }
    t->when = when;
    place(h, h->n++, t);
    sift_up(h, h->n - 1);
}

void kfk_timers_cancel(kfk_timers *h, kfk_timer *t) {
    if (!t->pos) return;
    int32_t i = t->pos - 1;
    t->pos = 0;
    kfk_timer *last = h->heap[--h->n];
    if (i == h->n) return;
    place(h, i, last);
    sift_up(h, i);
    sift_down(h, last->pos - 1);
}

int64_t kfk_timers_next(const kfk_timers *h) { return h->n ? h->heap[0]->when : INT64_MAX; }

kfk_timer *kfk_timers_pop(kfk_timers *h, int64_t now) {
    if (!h->n || h->heap[0]->when > now) return NULL;
    kfk_timer *t = h->heap[0];
    kfk_timers_cancel(h, t);
    return t;
}

void kfk_timers_free(kfk_timers *h) {
    kfk_free(h->heap);
    *h = (kfk_timers){0};
}

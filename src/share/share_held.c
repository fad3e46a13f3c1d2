/* Records handed to the application (share_held.h), sans I/O. */
#include "share/share_held.h"

#include "consumer/chunk.h"
#include "core/alloc.h"

int kfk_share_held_grow(kfk_share_held *h) {
    int cap = h->cap ? h->cap * 2 : 16;
    kfk_sheld *v = kfk_realloc(h->v, (size_t)cap * sizeof *v);
    if (!v) return KFK_ERR_NOMEM;
    h->v = v;
    h->cap = cap;
    return 0;
}

/* Moves e to state st, keeping h's counts. */
static void set_state(kfk_share_held *h, kfk_sheld *e, int st) {
    h->nrenewing += (st == KFK_SHELD_RENEWING) - (e->state == KFK_SHELD_RENEWING);
    h->nrenewed += (st == KFK_SHELD_RENEWED) - (e->state == KFK_SHELD_RENEWED);
    e->state = st;
}

/* Gives our reference on e's message back. */
static void drop(kfk_sheld *e) {
    kfk_consumer_message_release(e->msg);
    e->msg = NULL;
}

int kfk_share_held_ack(kfk_share_held *h, void *part, const kfk_consumer_message *m, int type,
                       int can_renew) {
    for (int i = h->n - 1; i >= 0; i--) {
        kfk_sheld *e = &h->v[i];
        if (e->part != part || e->offset != m->offset) continue;
        if (e->state == KFK_SHELD_DONE) return KFK_ERR_STATE;
        if (type != KFK_ACK_RENEW) {
            set_state(h, e, KFK_SHELD_DONE);
            drop(e);
            return 0;
        }
        if (!can_renew) return KFK_ERR_UNSUPPORTED_VERSION;
        if (!e->msg) { /* kept for the poll that hands it out again */
            kfk_chunk *ch = kfk_cmsg(m)->chunk;
            if (ch) atomic_fetch_add_explicit(&ch->refs, 1, memory_order_relaxed);
            e->msg = (kfk_consumer_message *)m;
        }
        set_state(h, e, KFK_SHELD_RENEWING);
        return 0;
    }
    return KFK_ERR_STATE;
}

void kfk_share_held_renewed(kfk_share_held *h, void *part, int64_t first, int64_t last, int err) {
    for (int i = 0; i < h->n; i++) {
        kfk_sheld *e = &h->v[i];
        if ((part && e->part != part) || e->offset < first || e->offset > last ||
            e->state != KFK_SHELD_RENEWING)
            continue;
        set_state(h, e, err ? KFK_SHELD_DONE : KFK_SHELD_RENEWED);
        if (err) drop(e);
    }
}

kfk_consumer_message *kfk_share_held_next_renewed(kfk_share_held *h) {
    for (int i = 0; h->nrenewed && i < h->n; i++) {
        kfk_sheld *e = &h->v[i];
        if (e->state != KFK_SHELD_RENEWED) continue;
        kfk_consumer_message *m = e->msg;
        e->msg = NULL;
        set_state(h, e, KFK_SHELD_OPEN);
        return m;
    }
    return NULL;
}

int kfk_share_held_check(const kfk_share_held *h) {
    for (int i = 0; i < h->n; i++)
        if (h->v[i].state == KFK_SHELD_OPEN) return KFK_ERR_STATE;
    return 0;
}

int kfk_share_held_settle(kfk_share_held *h, int implicit,
                          int (*fn)(void *opaque, void *part, int64_t offset, int8_t type),
                          void *opaque) {
    int err = 0, k = 0;
    for (int i = 0; i < h->n; i++) {
        kfk_sheld *e = &h->v[i];
        if (e->state == KFK_SHELD_OPEN && implicit) {
            int rc = fn(opaque, e->part, e->offset, KFK_ACK_ACCEPT);
            if (rc && !err) err = rc;
            continue;
        }
        if (e->state == KFK_SHELD_DONE) continue;
        h->v[k++] = *e; /* renewed (or open in explicit mode): still held */
    }
    h->n = k;
    return err;
}

int kfk_share_held_drain(kfk_share_held *h, int8_t type,
                         int (*fn)(void *opaque, void *part, int64_t offset, int8_t type),
                         void *opaque) {
    int err = 0;
    for (int i = 0; i < h->n; i++) {
        kfk_sheld *e = &h->v[i];
        drop(e);
        if (e->state == KFK_SHELD_DONE) continue;
        int rc = fn(opaque, e->part, e->offset, type);
        if (rc && !err) err = rc;
    }
    h->n = h->nrenewing = h->nrenewed = 0;
    return err;
}

void kfk_share_held_free(kfk_share_held *h) {
    for (int i = 0; i < h->n; i++) drop(&h->v[i]);
    kfk_free(h->v);
    *h = (kfk_share_held){0};
}

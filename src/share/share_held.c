/* Records handed to the application (share_held.h), sans I/O. */
#include "share/share_held.h"

#include "core/alloc.h"
#include "kfk.h"

int kfk_share_held_add(kfk_share_held *h, void *part, int64_t offset) {
    if (h->n == h->cap) {
        int cap = h->cap ? h->cap * 2 : 16;
        kfk_sheld *v = kfk_realloc(h->v, (size_t)cap * sizeof *v);
        if (!v) return KFK_ERR_NOMEM;
        h->v = v;
        h->cap = cap;
    }
    h->v[h->n++] = (kfk_sheld){part, offset, KFK_SHELD_OPEN};
    return 0;
}

int kfk_share_held_ack(kfk_share_held *h, void *part, int64_t offset, int type) {
    for (int i = h->n - 1; i >= 0; i--) {
        kfk_sheld *e = &h->v[i];
        if (e->part != part || e->offset != offset) continue;
        if (e->state == KFK_SHELD_DONE) return KFK_ERR_STATE;
        e->state = type == KFK_ACK_RENEW ? KFK_SHELD_RENEWED : KFK_SHELD_DONE;
        return 0;
    }
    return KFK_ERR_STATE;
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
        if (h->v[i].state == KFK_SHELD_DONE) continue;
        int rc = fn(opaque, h->v[i].part, h->v[i].offset, type);
        if (rc && !err) err = rc;
    }
    h->n = 0;
    return err;
}

void kfk_share_held_free(kfk_share_held *h) {
    kfk_free(h->v);
    *h = (kfk_share_held){0};
}

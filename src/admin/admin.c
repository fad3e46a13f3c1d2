/* The admin client's lifecycle and its results' memory. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "admin/admin_int.h"
#include "client/core_conf.h"
#include "core/alloc.h"
#include "core/portable.h"
#include "core/conf.h"

/* An admin client has no figures of its own beyond the core's. */
static void no_figures(void *admin, kfk_stats *s, kfk_arena *a) {
    (void)admin;
    (void)s;
    (void)a;
}

kfk_admin *kfk_admin_new(kfk_conf *conf, char *errstr, size_t errstr_size) {
    if (!conf) {
        snprintf(errstr, errstr_size, "no configuration given");
        return NULL;
    }
    kfk_admin *a = kfk_calloc(1, sizeof *a);
    if (!a) {
        snprintf(errstr, errstr_size, "out of memory creating the admin client");
        return NULL;
    }
    if (kfk_wake_open(&a->evfd) < 0) {
        snprintf(errstr, errstr_size, "no wakeup fd for the admin client: out of file descriptors");
        kfk_free(a);
        return NULL;
    }
    kfk_core_conf cc;
    kfk_core_conf_from(&cc, conf);
    a->core = kfk_core_new(&cc, errstr, errstr_size);
    if (!a->core) {
        kfk_wake_close(&a->evfd);
        kfk_free(a);
        return NULL;
    }
    a->conf = conf;
    a->io = kfk_core_io(a->core);
    a->log = kfk_core_log(a->core);
    /* Java's admin: each request within request.timeout.ms, the whole
     * operation within default.api.timeout.ms unless its options say. */
    a->timeout_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_DEFAULT_API_TIMEOUT_MS);
    a->request_timeout_ms = cc.request_timeout_ms;
    a->backoff_ms = cc.retry_backoff_ms;
    a->backoff_max_ms = cc.retry_backoff_max_ms;
    pthread_mutex_init(&a->lock, NULL);
    kfk_list_init(&a->ops);
    kfk_list_init(&a->coords);
    kfk_list_init(&a->done);
    kfk_cond_init_mono(&a->done_cond);
    if (kfk_statsd_init(&a->statsd, a->core, conf, "admin", no_figures, NULL, a) == 0)
        kfk_statsd_start(&a->statsd);
    return a;
}

int kfk_admin_api_version(kfk_admin *a, int api_key) {
    return kfk_core_api_version(a->core, api_key);
}

void kfk_admin_destroy(kfk_admin *a) {
    if (!a) return;
    kfk_statsd_final(&a->statsd); /* the admin has no close: its last document */
    pthread_mutex_lock(&a->lock);
    a->closing = 1;
    pthread_mutex_unlock(&a->lock);
    /* Requests in flight complete with KFK_ERR_DESTROYED on the I/O thread
     * before it exits; what waits for a backoff or a coordinator is failed
     * here once it is gone. */
    kfk_core_destroy(a->core);
    kfk_statsd_free(&a->statsd);
    a->io_gone = 1;
    kfk_admin_fail_all(a);
    kfk_admin_poll(a, 0); /* results never polled: their callbacks run here */
    kfk_wake_close(&a->evfd);
    pthread_cond_destroy(&a->done_cond);
    pthread_mutex_destroy(&a->lock);
    kfk_conf_destroy(a->conf);
    kfk_free(a);
}

/* ---------------------------------------------------------------- results */

typedef struct kfk_ares {
    kfk_admin_result pub;
    kfk_arena arena;
} kfk_ares;

kfk_admin_result *kfk_ares_new(void) {
    kfk_ares *r = kfk_calloc(1, sizeof *r);
    return r ? &r->pub : NULL;
}

void kfk_admin_result_destroy(kfk_admin_result *r) {
    if (!r) return;
    kfk_ares *ar = KFK_CONTAINER_OF(r, kfk_ares, pub);
    kfk_partition_list_destroy(r->partitions);
    kfk_arena_reset(&ar->arena);
    kfk_free(ar);
}

void *kfk_ares_alloc(kfk_admin_result *r, size_t count, size_t size) {
    return kfk_arena_array(&KFK_CONTAINER_OF(r, kfk_ares, pub)->arena, count ? count : 1, size);
}

const char *kfk_ares_str(kfk_admin_result *r, kfk_str s) {
    if (!s.ptr || s.len < 0) return NULL;
    char *p = kfk_ares_alloc(r, (size_t)s.len + 1, 1);
    if (p) memcpy(p, s.ptr, (size_t)s.len);
    return p;
}

const char *kfk_ares_cstr(kfk_admin_result *r, const char *s) {
    return kfk_ares_str(r, kfk_str_of(s));
}

void kfk_ares_item_err(kfk_admin_result *r, kfk_admin_item *it, int err, kfk_str msg) {
    it->err = err;
    if (!err)
        it->errstr = NULL;
    else if (msg.ptr && msg.len > 0)
        it->errstr = kfk_ares_str(r, msg);
    else
        it->errstr = kfk_err_str(err);
    if (err && !it->errstr) it->errstr = kfk_err_str(err);
}

void kfk_ares_items_done(kfk_admin_result *r, const kfk_admin_item *items, int n) {
    if (r->err) return;
    for (int i = 0; i < n; i++)
        if (items[i].err) {
            r->err = KFK_ERR_PARTIAL;
            r->errstr = "some items failed: see each item's error";
            return;
        }
}

int kfk_ares_copy_list(kfk_admin_result *r, const kfk_partition_list *l) {
    r->partitions = kfk_partition_list_copy(l);
    if (!r->partitions) return KFK_ERR_NOMEM;
    for (int i = 0; i < r->partitions->count; i++) r->partitions->elems[i].err = 0;
    return 0;
}

const char *kfk_aop_strdup(kfk_aop *op, const char *s, int *ok) {
    if (!s) return NULL;
    size_t len = strlen(s);
    char *p = kfk_arena_alloc(&op->arena, len + 1);
    if (!p) {
        *ok = 0;
        return NULL;
    }
    memcpy(p, s, len + 1);
    return p;
}

void kfk_ares_list_done(kfk_admin_result *r) {
    if (r->err || !r->partitions) return;
    for (int i = 0; i < r->partitions->count; i++)
        if (r->partitions->elems[i].err) {
            r->err = KFK_ERR_PARTIAL;
            r->errstr = "some partitions failed: see each partition's error";
            return;
        }
}

kfk_admin_item *kfk_ares_find_item(kfk_admin_result *r, kfk_str name) {
    kfk_admin_item *items = (kfk_admin_item *)r->items;
    for (int i = 0; i < r->nitems; i++)
        if (items[i].name && (int32_t)strlen(items[i].name) == name.len &&
            memcmp(items[i].name, name.ptr, (size_t)name.len) == 0)
            return &items[i];
    return NULL;
}

int kfk_ares_items_new(kfk_admin_result *r, const char *const *names, int n) {
    kfk_admin_item *items = kfk_ares_alloc(r, (size_t)n, sizeof *items);
    if (!items) return KFK_ERR_NOMEM;
    for (int i = 0; i < n; i++) {
        items[i].name = kfk_ares_cstr(r, names[i] ? names[i] : "");
        if (!items[i].name) return KFK_ERR_NOMEM;
    }
    r->items = items;
    r->nitems = n;
    return 0;
}

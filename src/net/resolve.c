#include "net/resolve.h"

#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "kfk.h"
#include "net/io.h"

enum { RESOLVE_WORKERS = 4 };

static int lookup(const char *host, int port, int flags, kfk_addrs *out, char *errstr,
                  size_t errlen) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_protocol = IPPROTO_TCP, .ai_flags = flags};
    struct addrinfo *res = NULL;
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    *out = (kfk_addrs){0};
    int rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0) {
        snprintf(errstr, errlen, "resolve %s: %s", host, gai_strerror(rc));
        return KFK_ERR_RESOLVE;
    }
    int n = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) n++;
    out->v = kfk_calloc((size_t)n, sizeof *out->v);
    if (!out->v) {
        freeaddrinfo(res);
        snprintf(errstr, errlen, "resolve %s: out of memory", host);
        return KFK_ERR_NOMEM;
    }
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        if (ai->ai_addrlen > sizeof out->v[0].sa) continue;
        memcpy(&out->v[out->n].sa, ai->ai_addr, ai->ai_addrlen);
        out->v[out->n++].len = ai->ai_addrlen;
    }
    freeaddrinfo(res);
    return 0;
}

int kfk_resolve(const char *host, int port, kfk_addrs *out, char *errstr, size_t errlen) {
    return lookup(host, port, 0, out, errstr, errlen);
}

int kfk_resolve_numeric(const char *host, int port, kfk_addrs *out, char *errstr, size_t errlen) {
    return lookup(host, port, AI_NUMERICHOST, out, errstr, errlen);
}

void kfk_addrs_free(kfk_addrs *a) {
    kfk_free(a->v);
    *a = (kfk_addrs){0};
}

void kfk_addr_format(const kfk_addr *a, char *buf, size_t len) {
    char host[NI_MAXHOST], port[NI_MAXSERV];
    if (getnameinfo((const struct sockaddr *)&a->sa, a->len, host, sizeof host, port, sizeof port,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(buf, len, "(unknown address)");
        return;
    }
    snprintf(buf, len, a->sa.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, port);
}

/* ---------------------------------------------------- asynchronous lookups */

static atomic_int workers_alive;

int kfk_resolve_workers(void) { return atomic_load(&workers_alive); }

struct kfk_resolver {
    pthread_mutex_t lock;
    kfk_io *io; /* posted to while open */
    kfk_resolve_fn fn;
    kfk_lookup *head, **tail; /* queued, no worker yet */
    int workers;              /* threads alive */
    int closed;
};

/* Two references: the requester's (until its callback ran or it
 * cancelled) and the worker's (until the result was handed over). A call
 * (kfk_resolver_call) runs run(arg) instead of a lookup. */
struct kfk_lookup {
    kfk_task task;
    kfk_lookup *next;
    kfk_resolver *res;
    atomic_int refs;
    kfk_lookup_cb cb;
    void *opaque;
    void (*run)(void *arg);
    void (*drop)(void *arg); /* arg was not handed over */
    kfk_call_cb call_cb;
    void *arg;
    int cancelled, queued; /* under res->lock */
    int err;
    kfk_addrs addrs;
    char errstr[256];
    int port;
    char host[];
};

static void lookup_unref(kfk_lookup *lk) {
    if (atomic_fetch_sub(&lk->refs, 1) != 1) return;
    if (lk->arg) lk->drop(lk->arg);
    kfk_addrs_free(&lk->addrs);
    kfk_free(lk);
}

static void resolver_free(kfk_resolver *r) {
    pthread_mutex_destroy(&r->lock);
    kfk_free(r);
}

/* I/O thread: the result, or KFK_ERR_DESTROYED at shutdown. */
static void lookup_done(kfk_io *io, kfk_task *t, int err) {
    kfk_lookup *lk = KFK_CONTAINER_OF(t, kfk_lookup, task);
    if (!lk->cancelled && lk->run) {
        void *arg = lk->arg;
        lk->arg = NULL;
        lk->call_cb(lk->opaque, err, arg);
        lookup_unref(lk);
    } else if (!lk->cancelled) {
        lk->cb(lk->opaque, err ? err : lk->err, err ? "client is being destroyed" : lk->errstr,
               &lk->addrs);
        lookup_unref(lk); /* the requester's */
    }
    lookup_unref(lk);
}

static void *worker_main(void *arg) {
    kfk_resolver *r = arg;
    pthread_mutex_lock(&r->lock);
    while (!r->closed && r->head) {
        kfk_lookup *lk = r->head;
        r->head = lk->next;
        if (!r->head) r->tail = &r->head;
        lk->queued = 0;
        pthread_mutex_unlock(&r->lock);
        if (lk->run)
            lk->run(lk->arg);
        else
            lk->err = r->fn(lk->host, lk->port, &lk->addrs, lk->errstr, sizeof lk->errstr);
        pthread_mutex_lock(&r->lock);
        /* The I/O layer outlives an open resolver: posting is safe here. */
        if (r->closed || lk->cancelled || kfk_io_post(r->io, &lk->task) != 0) lookup_unref(lk);
    }
    int last = --r->workers == 0 && r->closed;
    pthread_mutex_unlock(&r->lock);
    if (last) resolver_free(r);
    atomic_fetch_sub(&workers_alive, 1);
    return NULL;
}

kfk_resolver *kfk_resolver_new(kfk_io *io, kfk_resolve_fn fn) {
    kfk_resolver *r = kfk_calloc(1, sizeof *r);
    if (!r) return NULL;
    pthread_mutex_init(&r->lock, NULL);
    r->io = io;
    r->fn = fn ? fn : kfk_resolve;
    r->tail = &r->head;
    return r;
}

void kfk_resolver_close(kfk_resolver *r) {
    if (!r) return;
    pthread_mutex_lock(&r->lock);
    r->closed = 1;
    kfk_lookup *q = r->head;
    r->head = NULL;
    r->tail = &r->head;
    int free_now = r->workers == 0;
    pthread_mutex_unlock(&r->lock);
    while (q) {
        kfk_lookup *next = q->next;
        q->queued = 0;
        lookup_unref(q);
        q = next;
    }
    if (free_now) resolver_free(r);
}

/* With r->lock held: one more worker, up to RESOLVE_WORKERS (they leave
 * when the queue is empty, so each queued lookup has one coming). */
static int spawn_worker(kfk_resolver *r) {
    if (r->workers >= RESOLVE_WORKERS) return 0;
    pthread_attr_t attr;
    pthread_t t;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    atomic_fetch_add(&workers_alive, 1);
    int rc = pthread_create(&t, &attr, worker_main, r);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        atomic_fetch_sub(&workers_alive, 1);
        return r->workers > 0 ? 0 : KFK_ERR_NOMEM; /* a live one will get to it */
    }
    r->workers++;
    return 0;
}

/* Queues lk for a worker; frees it and returns NULL when none can start. */
static kfk_lookup *enqueue(kfk_resolver *r, kfk_lookup *lk) {
    lk->res = r;
    lk->task.fn = lookup_done;
    atomic_init(&lk->refs, 2);
    pthread_mutex_lock(&r->lock);
    lk->queued = 1;
    *r->tail = lk;
    r->tail = &lk->next;
    int rc = spawn_worker(r);
    if (rc) {
        r->head = NULL; /* no worker at all, so nothing else is queued */
        r->tail = &r->head;
    }
    pthread_mutex_unlock(&r->lock);
    if (rc) {
        kfk_free(lk);
        return NULL;
    }
    return lk;
}

kfk_lookup *kfk_lookup_start(kfk_resolver *r, const char *host, int port, kfk_lookup_cb cb,
                             void *opaque) {
    size_t len = strlen(host);
    kfk_lookup *lk = kfk_calloc(1, sizeof *lk + len + 1);
    if (!lk) return NULL;
    memcpy(lk->host, host, len + 1);
    lk->port = port;
    lk->cb = cb;
    lk->opaque = opaque;
    return enqueue(r, lk);
}

kfk_lookup *kfk_resolver_call(kfk_resolver *r, void (*run)(void *arg), void (*drop)(void *arg),
                              void *arg, kfk_call_cb cb, void *opaque) {
    kfk_lookup *lk = kfk_calloc(1, sizeof *lk + 1);
    if (!lk) return NULL;
    lk->run = run;
    lk->drop = drop;
    lk->call_cb = cb;
    lk->opaque = opaque;
    lk->arg = arg;
    return enqueue(r, lk); /* NULL: freed without drop, arg stays the caller's */
}

void kfk_lookup_cancel(kfk_lookup *lk) {
    kfk_resolver *r = lk->res;
    pthread_mutex_lock(&r->lock);
    lk->cancelled = 1;
    int dequeued = 0;
    if (lk->queued) {
        for (kfk_lookup **pp = &r->head; *pp; pp = &(*pp)->next) {
            if (*pp != lk) continue;
            *pp = lk->next;
            if (!*pp) r->tail = pp;
            break;
        }
        lk->queued = 0;
        dequeued = 1;
    }
    pthread_mutex_unlock(&r->lock);
    if (dequeued) lookup_unref(lk); /* no worker will see it */
    lookup_unref(lk);
}

/* Host name resolution for broker connections, off the I/O thread.
 *
 * getaddrinfo() blocks (a slow DNS server stalls its caller for seconds),
 * so the I/O thread only starts lookups: a resolver runs them on up to
 * RESOLVE_WORKERS detached threads of its own, started on demand and gone
 * when the queue is empty, and hands each result back as an I/O task.
 * Numeric addresses skip all that (kfk_resolve_numeric).
 *
 * Destroy never waits for a lookup: kfk_resolver_close() returns at once;
 * a worker still inside getaddrinfo frees what it holds, the resolver
 * included if it is the last, when the call returns. */
#ifndef KFK_RESOLVE_H
#define KFK_RESOLVE_H

#include <stddef.h>
#include <sys/socket.h>

typedef struct kfk_addr {
    struct sockaddr_storage sa;
    socklen_t len;
} kfk_addr;

typedef struct kfk_addrs {
    kfk_addr *v;
    int n;
} kfk_addrs;

/* Every IPv4 and IPv6 address of host, in getaddrinfo's order. Returns 0,
 * or KFK_ERR_RESOLVE / KFK_ERR_NOMEM with a message in errstr. Blocks. */
int kfk_resolve(const char *host, int port, kfk_addrs *out, char *errstr, size_t errlen);
/* The same for a numeric address only, without blocking: KFK_ERR_RESOLVE
 * when host is a name. */
int kfk_resolve_numeric(const char *host, int port, kfk_addrs *out, char *errstr, size_t errlen);
void kfk_addrs_free(kfk_addrs *a);

/* "192.0.2.1:9092" or "[2001:db8::1]:9092". */
void kfk_addr_format(const kfk_addr *a, char *buf, size_t len);

/* ---------------------------------------------------- asynchronous lookups */

struct kfk_io;
typedef struct kfk_resolver kfk_resolver;
typedef struct kfk_lookup kfk_lookup;

/* The blocking lookup a resolver runs (kfk_resolve, or a test's). */
typedef int (*kfk_resolve_fn)(const char *host, int port, kfk_addrs *out, char *errstr,
                              size_t errlen);
/* A lookup's result, on the I/O thread: err 0 with the addresses (the
 * callee may take addrs->v, leaving *addrs zeroed), a lookup error with
 * errstr, or KFK_ERR_DESTROYED when the I/O layer shut down first. The
 * lookup is over: do not cancel it afterwards. */
typedef void (*kfk_lookup_cb)(void *opaque, int err, const char *errstr, kfk_addrs *addrs);

/* Any thread, before the I/O thread runs lookups. fn NULL: kfk_resolve.
 * NULL on allocation failure. */
kfk_resolver *kfk_resolver_new(struct kfk_io *io, kfk_resolve_fn fn);
/* After the I/O thread stopped and every lookup was cancelled or done:
 * gives the resolver up without waiting for workers still resolving. */
void kfk_resolver_close(kfk_resolver *r);

/* I/O thread. host is copied. NULL when out of memory or no worker thread
 * could start. */
kfk_lookup *kfk_lookup_start(kfk_resolver *r, const char *host, int port, kfk_lookup_cb cb,
                             void *opaque);
/* I/O thread: cb will not run; the lookup is freed once its worker is done. */
void kfk_lookup_cancel(kfk_lookup *lk);

/* Any other blocking call, queued and run like a lookup (Kerberos' kinit
 * and KDC exchange): run(arg) on a worker thread, then on the I/O thread
 * cb(opaque, 0, arg), or cb(opaque, KFK_ERR_DESTROYED, arg) at shutdown;
 * cb owns arg then. Cancelled with kfk_lookup_cancel: drop(arg) instead,
 * once run returned. I/O thread; NULL (arg still the caller's) when out of
 * memory or threads. */
typedef void (*kfk_call_cb)(void *opaque, int err, void *arg);
kfk_lookup *kfk_resolver_call(kfk_resolver *r, void (*run)(void *arg), void (*drop)(void *arg),
                              void *arg, kfk_call_cb cb, void *opaque);

/* Worker threads alive in the process (tests wait for 0 before exiting). */
int kfk_resolve_workers(void);

#endif

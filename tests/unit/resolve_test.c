/* Name resolution off the I/O thread: links wait in RESOLVING while a
 * resolver thread looks the name up; failures, setup timeouts and destroy
 * during a lookup that does not return. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kfk.h"
#include "net/io.h"
#include "net/resolve.h"
#include "proto/proto.h"
#include "test.h"

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Polls cond for up to 30 s (a loaded machine is slow, never wrong). */
#define WAIT_FOR(cond)                                                          \
    do {                                                                        \
        int64_t until_ = now_ms() + 30000;                                      \
        while (!(cond) && now_ms() < until_) usleep(2000);                      \
    } while (0)

/* A request recording how it completed (on the I/O thread). */
typedef struct req {
    kfk_request r;
    kfk_metadata_request msg;
    atomic_int done;
    int err;
    char errstr[256];
} req;

static int req_cb(void *opaque, kfk_response *resp) {
    req *q = opaque;
    q->err = resp->err;
    snprintf(q->errstr, sizeof q->errstr, "%s", resp->errstr ? resp->errstr : "");
    atomic_store(&q->done, 1);
    return 0;
}

static void req_init(req *q) {
    memset(q, 0, sizeof *q);
    kfk_metadata_request_init(&q->msg);
    q->r = (kfk_request){.api_key = KFK_API_METADATA, .msg = &q->msg, .cb = req_cb, .opaque = q};
}

static kfk_io_conf io_conf(kfk_resolve_fn fn, int32_t setup_ms) {
    return (kfk_io_conf){
        .conn = {.client_id = "t", .request_timeout_ms = 60000, .max_in_flight = 1,
                 .max_response_bytes = 1 << 20},
        .reconnect_backoff_ms = 50, .reconnect_backoff_max_ms = 1000,
        .setup_timeout_ms = setup_ms, .setup_timeout_max_ms = setup_ms, .resolve = fn};
}

/* An I/O handle with one link to host:port and one request on it, queued
 * before the thread starts (the creator may act as the I/O thread then). */
static kfk_io *start(const kfk_io_conf *conf, const char *host, int port, req *q) {
    kfk_io *io = kfk_io_new(conf, NULL, NULL);
    if (!io) return NULL;
    kfk_link *l = kfk_io_link_new(io, -1, host, port);
    if (l) kfk_io_link_submit(l, &q->r);
    if (!l || kfk_io_start(io) != 0) {
        kfk_io_destroy(io);
        return NULL;
    }
    return io;
}

/* ---------------------------------------------------- a resolver to stall */

static pthread_mutex_t slow_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slow_cond = PTHREAD_COND_INITIALIZER;
static int slow_entered, slow_released;

static int slow_resolve(const char *host, int port, kfk_addrs *out, char *errstr, size_t errlen) {
    pthread_mutex_lock(&slow_lock);
    slow_entered++;
    while (!slow_released) pthread_cond_wait(&slow_cond, &slow_lock);
    pthread_mutex_unlock(&slow_lock);
    return kfk_resolve(host, port, out, errstr, errlen);
}

static int slow_entered_count(void) {
    pthread_mutex_lock(&slow_lock);
    int n = slow_entered;
    pthread_mutex_unlock(&slow_lock);
    return n;
}

static void slow_release(void) {
    pthread_mutex_lock(&slow_lock);
    slow_released = 1;
    pthread_cond_broadcast(&slow_cond);
    pthread_mutex_unlock(&slow_lock);
}

static void slow_reset(void) {
    pthread_mutex_lock(&slow_lock);
    slow_entered = slow_released = 0;
    pthread_mutex_unlock(&slow_lock);
}

/* ------------------------------------------------------------------ tests */

TEST(numeric_addresses_resolve_without_a_lookup) {
    kfk_addrs a;
    char err[256];
    REQUIRE_EQ(kfk_resolve_numeric("127.0.0.1", 9092, &a, err, sizeof err), 0);
    REQUIRE_EQ(a.n, 1);
    char name[64];
    kfk_addr_format(&a.v[0], name, sizeof name);
    CHECK_STR(name, "127.0.0.1:9092");
    kfk_addrs_free(&a);
    REQUIRE_EQ(kfk_resolve_numeric("::1", 9093, &a, err, sizeof err), 0);
    kfk_addr_format(&a.v[0], name, sizeof name);
    CHECK_STR(name, "[::1]:9093");
    kfk_addrs_free(&a);
    CHECK_EQ(kfk_resolve_numeric("localhost", 9092, &a, err, sizeof err), KFK_ERR_RESOLVE);
    CHECK_EQ(a.n, 0);
}

/* localhost is looked up on a resolver thread; the link then connects. */
TEST(a_name_resolves_and_connects) {
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    REQUIRE(bind(lfd, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(lfd, 4) == 0);
    REQUIRE(getsockname(lfd, (struct sockaddr *)&sa, &len) == 0);
    kfk_io_conf conf = io_conf(NULL, 30000);
    req q;
    req_init(&q);
    kfk_io *io = start(&conf, "localhost", ntohs(sa.sin_port), &q);
    REQUIRE(io);
    /* localhost may list ::1 first, where nothing listens: the link moves on. */
    struct pollfd p = {.fd = lfd, .events = POLLIN};
    CHECK_EQ(poll(&p, 1, 30000), 1);
    int cfd = accept(lfd, NULL, NULL);
    CHECK(cfd >= 0);
    kfk_io_stats st;
    WAIT_FOR((kfk_io_stats_get(io, &st), st.connections == 1));
    CHECK_EQ(st.connections, 1);
    kfk_io_destroy(io);
    CHECK_EQ(atomic_load(&q.done), 1);
    CHECK_EQ(q.err, KFK_ERR_DESTROYED);
    if (cfd >= 0) close(cfd);
    close(lfd);
    WAIT_FOR(kfk_resolve_workers() == 0);
    CHECK_EQ(kfk_resolve_workers(), 0);
}

TEST(an_unknown_name_fails_with_a_clear_message) {
    kfk_io_conf conf = io_conf(NULL, 30000);
    req q;
    req_init(&q);
    kfk_io *io = start(&conf, "no-such-host.invalid", 9092, &q);
    REQUIRE(io);
    WAIT_FOR(atomic_load(&q.done));
    CHECK_EQ(atomic_load(&q.done), 1);
    CHECK_EQ(q.err, KFK_ERR_RESOLVE);
    CHECK(strstr(q.errstr, "resolve no-such-host.invalid") != NULL);
    printf("  error: %s\n", q.errstr);
    kfk_io_destroy(io);
    WAIT_FOR(kfk_resolve_workers() == 0);
    CHECK_EQ(kfk_resolve_workers(), 0);
}

/* A lookup that does not answer within the setup timeout fails the
 * request; the stalled worker cleans up when it finally returns. */
TEST(a_stalled_lookup_times_out) {
    slow_reset();
    kfk_io_conf conf = io_conf(slow_resolve, 200);
    req q;
    req_init(&q);
    kfk_io *io = start(&conf, "stalled.test", 9092, &q);
    REQUIRE(io);
    WAIT_FOR(atomic_load(&q.done));
    CHECK_EQ(q.err, KFK_ERR_RESOLVE);
    CHECK(strstr(q.errstr, "resolve stalled.test: no answer within") != NULL);
    kfk_io_destroy(io);
    slow_release();
    WAIT_FOR(kfk_resolve_workers() == 0);
    CHECK_EQ(kfk_resolve_workers(), 0);
}

/* Destroy while getaddrinfo is stuck returns at once and leaks nothing
 * (the worker frees the lookup and the resolver when it returns). */
TEST(destroy_during_a_lookup_does_not_wait_for_it) {
    slow_reset();
    kfk_io_conf conf = io_conf(slow_resolve, 60000);
    req q;
    req_init(&q);
    kfk_io *io = start(&conf, "stalled.test", 9092, &q);
    REQUIRE(io);
    WAIT_FOR(slow_entered_count() == 1);
    CHECK_EQ(slow_entered_count(), 1);
    kfk_io_destroy(io); /* would hang here if it waited for the worker */
    CHECK_EQ(atomic_load(&q.done), 1);
    CHECK_EQ(q.err, KFK_ERR_DESTROYED);
    CHECK_EQ(kfk_resolve_workers(), 1);
    slow_release();
    WAIT_FOR(kfk_resolve_workers() == 0);
    CHECK_EQ(kfk_resolve_workers(), 0);
}

/* ------------------------------------------------- other blocking calls */

typedef struct call {
    atomic_int ran, reported, dropped, on_io;
    pthread_t runner;
} call;

static void call_run(void *arg) {
    call *k = arg;
    k->runner = pthread_self();
    pthread_mutex_lock(&slow_lock);
    slow_entered++;
    while (!slow_released) pthread_cond_wait(&slow_cond, &slow_lock);
    pthread_mutex_unlock(&slow_lock);
    atomic_store(&k->ran, 1);
}

static void call_drop(void *arg) {
    call *k = arg;
    atomic_fetch_add(&k->dropped, 1);
}

static kfk_io *call_io;

static void call_done(void *opaque, int err, void *arg) {
    call *k = arg;
    CHECK(opaque == call_io);
    CHECK_EQ(err, 0);
    CHECK(!pthread_equal(k->runner, pthread_self()));
    atomic_store(&k->on_io, kfk_io_on_thread(call_io));
    atomic_fetch_add(&k->reported, 1);
}

/* A call runs on a resolver thread and reports on the I/O thread; a
 * cancelled one gives its argument to drop, never to the callback. */
TEST(blocking_calls_run_off_the_io_thread) {
    slow_reset();
    kfk_io_conf conf = io_conf(NULL, 60000);
    call_io = kfk_io_new(&conf, NULL, NULL);
    REQUIRE(call_io);
    kfk_resolver *r = kfk_resolver_new(call_io, NULL);
    REQUIRE(r);
    static call kept, cancelled;
    /* Before the thread starts the creator may act as the I/O thread. */
    REQUIRE(kfk_resolver_call(r, call_run, call_drop, &kept, call_done, call_io));
    kfk_lookup *lk = kfk_resolver_call(r, call_run, call_drop, &cancelled, call_done, call_io);
    REQUIRE(lk);
    WAIT_FOR(slow_entered_count() == 2);
    kfk_lookup_cancel(lk);
    CHECK_EQ(atomic_load(&cancelled.dropped), 0); /* not while it runs */
    REQUIRE_EQ(kfk_io_start(call_io), 0);
    slow_release();
    WAIT_FOR(atomic_load(&kept.reported) == 1 && atomic_load(&cancelled.dropped) == 1);
    WAIT_FOR(kfk_resolve_workers() == 0);
    CHECK_EQ(atomic_load(&kept.ran), 1);
    CHECK_EQ(atomic_load(&kept.reported), 1);
    CHECK_EQ(atomic_load(&kept.on_io), 1);
    CHECK_EQ(atomic_load(&kept.dropped), 0);
    CHECK_EQ(atomic_load(&cancelled.ran), 1);
    CHECK_EQ(atomic_load(&cancelled.reported), 0);
    CHECK_EQ(atomic_load(&cancelled.dropped), 1);
    kfk_io_destroy(call_io);
    kfk_resolver_close(r);
}

/* Connecting to a real broker: version negotiation, metadata, failures of
 * bad addresses, reconnecting to a broker that comes up late, pipelining,
 * and destroy with requests in flight. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>

#include "client/broker.h"
#include "core/alloc.h"
#include "it.h"
#include "net/resolve.h"

/* ------------------------------------------------------------- helpers */

typedef struct versions {
    int16_t min[KFK_API_KEY_COUNT], max[KFK_API_KEY_COUNT];
    int16_t sent_at;
} versions;

static int decode_versions(void *opaque, kfk_response *resp) {
    versions *v = opaque;
    kfk_arena a = {0};
    kfk_api_versions_response m;
    int rc = kfk_api_versions_response_decode(&resp->body, resp->version, &a, &m);
    v->sent_at = resp->version;
    for (int i = 0; i < KFK_API_KEY_COUNT; i++) v->min[i] = v->max[i] = -1;
    for (int32_t i = 0; !rc && i < m.api_keys.count; i++) {
        int16_t k = m.api_keys.items[i].api_key;
        if (k < 0 || k >= KFK_API_KEY_COUNT) continue;
        v->min[k] = m.api_keys.items[i].min_version;
        v->max[k] = m.api_keys.items[i].max_version;
    }
    if (!rc) rc = m.error_code;
    kfk_arena_reset(&a);
    return rc;
}

static int record_version(void *opaque, kfk_response *resp) {
    *(int16_t *)opaque = resp->version;
    return 0;
}

/* A Metadata request for brokers only (an empty topic list). */
static void brokers_only(kfk_core_req *r, kfk_metadata_request *m, enum kfk_dest dest) {
    kfk_metadata_request_init(m);
    m->topics.count = 0;
    *r = (kfk_core_req){.dest = dest};
    r->req = (kfk_request){.api_key = KFK_API_METADATA, .min_version = 1, .max_version = -1,
                           .msg = m};
}

static int free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        close(fd);
        return -1;
    }
    close(fd);
    return ntohs(sa.sin_port);
}

/* A free port below the ephemeral range: no outgoing connection can take
 * it as its source port while the test needs it. */
static int free_fixed_port(void) {
    int lo = 32768, hi;
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
    if (f) {
        if (fscanf(f, "%d %d", &lo, &hi) != 2) lo = 32768;
        fclose(f);
    }
    unsigned seed = (unsigned)getpid() ^ (unsigned)it_now_ms();
    for (int tries = 0; tries < 100; tries++) {
        int port = 20000 + (int)(rand_r(&seed) % (unsigned)(lo - 20000 > 0 ? lo - 20000 : 1));
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        int ok = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
        close(fd);
        if (ok) return port;
    }
    return -1;
}

static int listen_on(int port, int backlog) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, backlog) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* ------------------------------------------------------------------ tests */

TEST(api_versions_negotiated) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    kfk_core_conf conf;
    it_conf(&conf, boot);
    kfk_core *c = it_core(&conf);
    REQUIRE(c);

    versions v;
    kfk_core_req r = {.dest = KFK_DEST_ANY};
    r.req = (kfk_request){.api_key = KFK_API_API_VERSIONS, .max_version = -1};
    kfk_api_versions_request msg;
    kfk_api_versions_request_init(&msg);
    msg.client_software_name = (kfk_str){"kfk-it", 6}; /* v3+: must be non-empty */
    msg.client_software_version = (kfk_str){"1", 1};
    r.req.msg = &msg;
    char err[256] = "";
    int rc = kfk_core_send_wait(c, &r, decode_versions, &v, err, sizeof err);
    REQUIRE_EQ(rc, 0);
    CHECK(v.sent_at >= 3); /* every supported broker speaks ApiVersions v3 */
    /* Ranges any Kafka 3.x/4.x broker offers. */
    CHECK(v.max[KFK_API_API_VERSIONS] >= 3);
    CHECK(v.max[KFK_API_METADATA] >= 12);
    CHECK(v.max[KFK_API_PRODUCE] >= 9);
    CHECK(v.max[KFK_API_FETCH] >= 12);
    for (int k = 0; k < KFK_API_KEY_COUNT; k++)
        if (v.max[k] >= 0) CHECK(v.min[k] >= 0 && v.min[k] <= v.max[k]);

    /* Requests go out at the highest version both sides support. */
    int16_t expect = kfk_api_info_get(KFK_API_METADATA)->max_version;
    if (v.max[KFK_API_METADATA] < expect) expect = v.max[KFK_API_METADATA];
    int16_t used = -1;
    kfk_metadata_request m;
    brokers_only(&r, &m, KFK_DEST_ANY);
    REQUIRE_EQ(kfk_core_send_wait(c, &r, record_version, &used, err, sizeof err), 0);
    CHECK_EQ(used, expect);
    /* A caller's cap is honoured. */
    brokers_only(&r, &m, KFK_DEST_ANY);
    r.req.max_version = 4;
    REQUIRE_EQ(kfk_core_send_wait(c, &r, record_version, &used, err, sizeof err), 0);
    CHECK_EQ(used, 4);
    kfk_core_destroy(c);
}

TEST(metadata_brokers_and_auto_created_topic) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    kfk_core_conf conf;
    it_conf(&conf, boot);
    kfk_core *c = it_core(&conf);
    REQUIRE(c);
    char topic[128], err[256] = "";
    it_topic(topic, sizeof topic, "auto");
    const char *topics[1] = {topic};
    kfk_metadata *md = NULL;
    /* Allowed auto-creation: the first answers say LEADER_NOT_AVAILABLE or
     * UNKNOWN_TOPIC_OR_PARTITION; the core retries until leaders exist. */
    int rc = kfk_core_metadata_wait(c, topics, 1, 20000, &md, err, sizeof err);
    if (rc) fprintf(stderr, "  metadata_wait: %s\n", err);
    REQUIRE_EQ(rc, 0);
    CHECK(md->nbrokers >= 1);
    CHECK(md->controller_id >= 0);
    CHECK(md->cluster_id != NULL && strlen(md->cluster_id) >= 16);
    for (int i = 0; i < md->nbrokers; i++) {
        CHECK(md->brokers[i].node_id >= 0);
        CHECK(md->brokers[i].port > 0);
        CHECK(strlen(md->brokers[i].host) > 0);
    }
    const kfk_md_topic *t = kfk_metadata_topic(md, topic);
    REQUIRE(t != NULL);
    CHECK_EQ(t->err, 0);
    CHECK(!t->internal);
    static const kfk_uuid zero;
    CHECK(memcmp(&t->id, &zero, sizeof zero) != 0); /* Metadata v10+ */
    REQUIRE(t->npartitions >= 1);
    for (int32_t p = 0; p < t->npartitions; p++) {
        const kfk_md_partition *q = &t->partitions[p];
        CHECK_EQ(q->id, p);
        CHECK(kfk_metadata_broker(md, q->leader) != NULL);
        CHECK(q->leader_epoch >= 0);
        CHECK(q->nreplicas >= 1);
        CHECK(q->nisr >= 1);
    }
    kfk_metadata_unref(md);

    /* The snapshot is also there for any thread to read. */
    md = kfk_core_metadata(c);
    REQUIRE(md != NULL);
    CHECK(kfk_metadata_topic(md, topic) != NULL);
    kfk_metadata_unref(md);
    kfk_core_destroy(c);
}

TEST(refused_address_fails_with_transport_error) {
    REQUIRE(it_bootstrap());
    int port = free_port();
    REQUIRE(port > 0);
    char boot[64], err[256] = "";
    snprintf(boot, sizeof boot, "127.0.0.1:%d", port);
    kfk_core_conf conf;
    it_conf(&conf, boot);
    kfk_core *c = it_core(&conf);
    REQUIRE(c);
    kfk_core_req r;
    kfk_metadata_request m;
    brokers_only(&r, &m, KFK_DEST_ANY);
    int64_t t0 = it_now_ms();
    int rc = kfk_core_send_wait(c, &r, NULL, NULL, err, sizeof err);
    CHECK_EQ(rc, KFK_ERR_TRANSPORT);
    CHECK(strstr(err, boot) != NULL);
    CHECK(strstr(err, "refused") != NULL);
    CHECK(it_now_ms() - t0 < 2000);
    printf("  error: %s\n", err);
    kfk_core_destroy(c);
}

TEST(unresolvable_host_fails_with_resolve_error) {
    REQUIRE(it_bootstrap());
    kfk_core_conf conf;
    it_conf(&conf, "no-such-host.invalid:9092");
    kfk_core *c = it_core(&conf);
    REQUIRE(c);
    kfk_core_req r;
    kfk_metadata_request m;
    brokers_only(&r, &m, KFK_DEST_ANY);
    char err[256] = "";
    CHECK_EQ(kfk_core_send_wait(c, &r, NULL, NULL, err, sizeof err), KFK_ERR_RESOLVE);
    CHECK(strstr(err, "no-such-host.invalid") != NULL);
    printf("  error: %s\n", err);
    kfk_core_destroy(c);
}

TEST(silent_address_fails_after_setup_timeout) {
    REQUIRE(it_bootstrap());
    /* A listener whose accept queue is full drops SYNs: connect() hangs
     * as it would towards a host that is down. */
    int port = free_port();
    int lfd = listen_on(port, 0);
    REQUIRE(lfd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fill[4];
    for (int i = 0; i < 4; i++) {
        fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        connect(fill[i], (struct sockaddr *)&sa, sizeof sa);
    }
    usleep(100 * 1000);

    char boot[64], err[256] = "";
    snprintf(boot, sizeof boot, "127.0.0.1:%d", port);
    kfk_core_conf conf;
    it_conf(&conf, boot);
    conf.socket_connection_setup_timeout_ms = 500;
    kfk_core *c = it_core(&conf);
    REQUIRE(c);
    kfk_core_req r;
    kfk_metadata_request m;
    brokers_only(&r, &m, KFK_DEST_ANY);
    int64_t t0 = it_now_ms();
    int rc = kfk_core_send_wait(c, &r, NULL, NULL, err, sizeof err);
    int64_t took = it_now_ms() - t0;
    CHECK_EQ(rc, KFK_ERR_TIMED_OUT);
    CHECK(strstr(err, "timed out") != NULL);
    CHECK(strstr(err, boot) != NULL);
    CHECK(took >= 350 && took < 3000); /* 500 ms +-20% jitter */
    printf("  error after %lld ms: %s\n", (long long)took, err);
    kfk_core_destroy(c);
    for (int i = 0; i < 4; i++) close(fill[i]);
    close(lfd);
}

/* A TCP proxy that refuses connections (no listener) for `delay_ms`, then
 * forwards every connection to the real broker. */
typedef struct proxy {
    int port, delay_ms;
    struct sockaddr_storage target;
    socklen_t target_len;
    atomic_int stop;
    int accepted;
    pthread_t thread;
} proxy;

static int pump(int from, int to) {
    char buf[65536];
    ssize_t n = read(from, buf, sizeof buf);
    if (n <= 0) return -1;
    for (ssize_t off = 0; off < n;) {
        ssize_t w = write(to, buf + off, (size_t)(n - off));
        if (w <= 0) return -1;
        off += w;
    }
    return 0;
}

static void *proxy_main(void *arg) {
    proxy *p = arg;
    int64_t start = it_now_ms();
    while (!atomic_load(&p->stop) && it_now_ms() - start < p->delay_ms) usleep(10 * 1000);
    int lfd = listen_on(p->port, 16);
    if (lfd < 0) return NULL;
    enum { MAXC = 8 };
    int a[MAXC], b[MAXC], n = 0;
    while (!atomic_load(&p->stop)) {
        struct pollfd pfd[1 + 2 * MAXC];
        pfd[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
        for (int i = 0; i < n; i++) {
            pfd[1 + 2 * i] = (struct pollfd){.fd = a[i], .events = POLLIN};
            pfd[2 + 2 * i] = (struct pollfd){.fd = b[i], .events = POLLIN};
        }
        if (poll(pfd, (nfds_t)(1 + 2 * n), 50) <= 0) continue;
        for (int i = n - 1; i >= 0; i--) {
            int bad = ((pfd[1 + 2 * i].revents & (POLLIN | POLLHUP)) && pump(a[i], b[i]) != 0) ||
                      ((pfd[2 + 2 * i].revents & (POLLIN | POLLHUP)) && pump(b[i], a[i]) != 0);
            if (!bad) continue;
            close(a[i]);
            close(b[i]);
            a[i] = a[--n];
            b[i] = b[n];
        }
        if ((pfd[0].revents & POLLIN) && n < MAXC) {
            int cfd = accept(lfd, NULL, NULL);
            int sfd = socket(p->target.ss_family, SOCK_STREAM, 0);
            if (cfd >= 0 && connect(sfd, (struct sockaddr *)&p->target, p->target_len) == 0) {
                a[n] = cfd;
                b[n++] = sfd;
                p->accepted++;
            } else {
                if (cfd >= 0) close(cfd);
                close(sfd);
            }
        }
    }
    for (int i = 0; i < n; i++) {
        close(a[i]);
        close(b[i]);
    }
    close(lfd);
    return NULL;
}

TEST(broker_down_at_first_is_reached_when_up) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    /* The proxy forwards to the first bootstrap server. */
    kfk_hostport *hp = NULL;
    char err[256] = "";
    REQUIRE(kfk_bootstrap_parse(boot, &hp, err, sizeof err) >= 1);
    kfk_addrs addrs;
    int rc = kfk_resolve(hp[0].host, hp[0].port, &addrs, err, sizeof err);
    kfk_free(hp);
    REQUIRE_EQ(rc, 0);
    proxy p = {.port = free_fixed_port(), .delay_ms = 2000};
    memcpy(&p.target, &addrs.v[0].sa, addrs.v[0].len);
    p.target_len = addrs.v[0].len;
    kfk_addrs_free(&addrs);
    REQUIRE(p.port > 0);
    REQUIRE_EQ(pthread_create(&p.thread, NULL, proxy_main, &p), 0);

    char proxied[64];
    snprintf(proxied, sizeof proxied, "127.0.0.1:%d", p.port);
    kfk_core_conf conf;
    it_conf(&conf, proxied);
    kfk_core *c = it_core(&conf);
    if (c) {
        int64_t t0 = it_now_ms();
        kfk_metadata *md = NULL;
        rc = kfk_core_metadata_wait(c, NULL, 0, 15000, &md, err, sizeof err);
        int64_t took = it_now_ms() - t0;
        if (rc) fprintf(stderr, "  metadata_wait: %s\n", err);
        CHECK_EQ(rc, 0);
        CHECK(took >= 1900); /* not before the proxy listened */
        CHECK(took < 2000 + 2 * 1200); /* at most ~a max backoff after it did */
        CHECK(p.accepted >= 1);
        kfk_core_stats st;
        kfk_core_stats_get(c, &st);
        CHECK(st.metadata_requests >= 2); /* it kept retrying */
        printf("  reached after %lld ms, %lld Metadata attempts\n", (long long)took,
               (long long)st.metadata_requests);
        if (md) CHECK(md->nbrokers >= 1);
        kfk_metadata_unref(md);
        kfk_core_destroy(c);
    }
    atomic_store(&p.stop, 1);
    pthread_join(p.thread, NULL);
}

typedef struct counter {
    atomic_int ok, failed, destroyed, calls;
} counter;

static int count_cb(void *opaque, kfk_response *resp) {
    counter *n = opaque;
    atomic_fetch_add(&n->calls, 1);
    if (!resp->err)
        atomic_fetch_add(&n->ok, 1);
    else if (resp->err == KFK_ERR_DESTROYED)
        atomic_fetch_add(&n->destroyed, 1);
    else
        atomic_fetch_add(&n->failed, 1);
    return 0;
}

TEST(many_requests_pipelined) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    kfk_core_conf conf;
    it_conf(&conf, boot);
    kfk_core *c = it_core(&conf);
    REQUIRE(c);
    char err[256];
    REQUIRE_EQ(kfk_core_metadata_wait(c, NULL, 0, 10000, NULL, err, sizeof err), 0);
    enum { N = 2000 };
    kfk_core_req *reqs = calloc(N, sizeof *reqs);
    kfk_metadata_request m;
    kfk_metadata_request_init(&m);
    m.topics.count = 0;
    counter n = {0};
    int64_t t0 = it_now_ms();
    for (int i = 0; i < N; i++) {
        reqs[i].dest = KFK_DEST_ANY;
        reqs[i].req = (kfk_request){.api_key = KFK_API_METADATA, .min_version = 1,
                                    .max_version = -1, .msg = &m, .cb = count_cb, .opaque = &n};
        REQUIRE_EQ(kfk_core_send(c, &reqs[i]), 0);
    }
    while (atomic_load(&n.calls) < N && it_now_ms() - t0 < 30000) usleep(1000);
    int64_t took = it_now_ms() - t0;
    CHECK_EQ(atomic_load(&n.ok), N);
    printf("  %d Metadata round trips, %d in flight: %lld ms (%.0f/s)\n", N, conf.max_in_flight,
           (long long)took, took ? N * 1000.0 / (double)took : 0.0);
    kfk_core_destroy(c);
    free(reqs);
}

TEST(destroy_fails_requests_in_flight) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    kfk_core_conf conf;
    it_conf(&conf, boot);
    conf.allow_auto_create_topics = 0;
    kfk_core *c = it_core(&conf);
    REQUIRE(c);
    char topic[128];
    it_topic(topic, sizeof topic, "absent"); /* leader requests stay parked */
    enum { N = 300 };
    kfk_core_req *reqs = calloc(N, sizeof *reqs);
    kfk_metadata_request m;
    kfk_metadata_request_init(&m);
    m.topics.count = 0;
    counter n = {0};
    for (int i = 0; i < N; i++) {
        reqs[i].dest = i % 3 == 2 ? KFK_DEST_LEADER : KFK_DEST_ANY;
        reqs[i].topic = topic;
        reqs[i].req = (kfk_request){.api_key = KFK_API_METADATA, .min_version = 1,
                                    .max_version = -1, .msg = &m, .cb = count_cb, .opaque = &n};
        REQUIRE_EQ(kfk_core_send(c, &reqs[i]), 0);
    }
    usleep(5 * 1000); /* some are on the wire, some queued, some parked */
    int64_t t0 = it_now_ms();
    kfk_core_destroy(c);
    printf("  destroy took %lld ms; %d answered, %d destroyed, %d failed\n",
           (long long)(it_now_ms() - t0), atomic_load(&n.ok), atomic_load(&n.destroyed),
           atomic_load(&n.failed));
    CHECK_EQ(atomic_load(&n.calls), N); /* every callback ran, once */
    CHECK_EQ(atomic_load(&n.failed), 0);
    CHECK(atomic_load(&n.destroyed) > 0);
    free(reqs);
}

TEST(connect_latency) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    enum { RUNS = 15 };
    int64_t us[RUNS];
    for (int i = 0; i < RUNS; i++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        kfk_core_conf conf;
        it_conf(&conf, boot);
        kfk_core *c = it_core(&conf);
        REQUIRE(c);
        char err[256];
        REQUIRE_EQ(kfk_core_metadata_wait(c, NULL, 0, 10000, NULL, err, sizeof err), 0);
        clock_gettime(CLOCK_MONOTONIC, &b);
        us[i] = (b.tv_sec - a.tv_sec) * 1000000 + (b.tv_nsec - a.tv_nsec) / 1000;
        kfk_core_destroy(c);
    }
    for (int i = 1; i < RUNS; i++)
        for (int j = i; j > 0 && us[j] < us[j - 1]; j--) {
            int64_t t = us[j];
            us[j] = us[j - 1];
            us[j - 1] = t;
        }
    printf("  new + connect + ApiVersions + Metadata: min %lld us, median %lld us, max %lld us\n",
           (long long)us[0], (long long)us[RUNS / 2], (long long)us[RUNS - 1]);
    CHECK(us[RUNS / 2] < 1000000);
}

/* connections.max.idle.ms: an idle connection is closed quietly, and the
 * next request opens a new one. */
TEST(idle_connection_closes_and_reopens) {
    const char *boot = it_bootstrap();
    REQUIRE(boot);
    kfk_core_conf conf;
    it_conf(&conf, boot);
    conf.connections_max_idle_ms = 1000;
    conf.metadata_max_age_ms = 600000; /* no refresh to keep it busy */
    kfk_core *c = it_core(&conf);
    REQUIRE(c);
    char err[256] = "";
    REQUIRE_EQ(kfk_core_metadata_wait(c, NULL, 0, 30000, NULL, err, sizeof err), 0);
    kfk_core_stats st;
    int64_t until = it_now_ms() + 30000;
    do {
        usleep(10000);
        kfk_core_stats_get(c, &st);
    } while ((st.idle_closes == 0 || st.connections != 0) && it_now_ms() < until);
    CHECK(st.idle_closes >= 1);
    CHECK_EQ(st.connections, 0);
    int64_t downs = st.links_down;
    kfk_core_req r;
    kfk_metadata_request m;
    brokers_only(&r, &m, KFK_DEST_ANY);
    int64_t closes = st.idle_closes;
    CHECK_EQ(kfk_core_send_wait(c, &r, NULL, NULL, err, sizeof err), 0);
    /* The new connection goes idle in turn. */
    until = it_now_ms() + 30000;
    do {
        usleep(10000);
        kfk_core_stats_get(c, &st);
    } while (st.idle_closes == closes && it_now_ms() < until);
    CHECK_EQ(st.idle_closes, closes + 1);
    CHECK_EQ(st.links_down, downs); /* closing for idleness is no failure */
    printf("  %lld idle closes\n", (long long)st.idle_closes);
    kfk_core_destroy(c);
}

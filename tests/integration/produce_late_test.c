/* The producer started while its bootstrap broker is down: a TCP proxy
 * refuses connections for the first 2.5 s, then forwards to KFK_BOOTSTRAP.
 * Messages sent meanwhile wait and are delivered once the broker answers,
 * within delivery.timeout.ms, in order. (Metadata then names the real
 * broker, so only the first connections go through the proxy.) */
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include "produce_it.h"

typedef struct proxy {
    int lfd_port, delay_ms;
    struct sockaddr_storage target;
    socklen_t target_len;
    atomic_int stop, accepted;
    pthread_t thread;
} proxy;

static int pump(int from, int to) {
    char buf[65536];
    ssize_t n = read(from, buf, sizeof buf);
    for (ssize_t off = 0; n > 0 && off < n;) {
        ssize_t w = write(to, buf + off, (size_t)(n - off));
        if (w <= 0) return -1;
        off += w;
    }
    return n > 0 ? 0 : -1;
}

static int listen_on(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(fd, 16) == 0) return fd;
    close(fd);
    return -1;
}

/* A loopback port free now (bound, then released for the proxy to take). */
static int free_port(void) {
    int fd = listen_on(0);
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    int port = fd >= 0 && getsockname(fd, (struct sockaddr *)&sa, &len) == 0 ? ntohs(sa.sin_port)
                                                                              : -1;
    if (fd >= 0) close(fd);
    return port;
}

static void *proxy_main(void *arg) {
    proxy *p = arg;
    int64_t start = it_now_ms();
    while (!atomic_load(&p->stop) && it_now_ms() - start < p->delay_ms) usleep(10 * 1000);
    int lfd = listen_on(p->lfd_port);
    if (lfd < 0) return NULL;
    enum { MAXC = 8 };
    int a[MAXC], b[MAXC], n = 0;
    while (!atomic_load(&p->stop)) {
        struct pollfd pfd[1 + 2 * MAXC] = {{.fd = lfd, .events = POLLIN}};
        for (int i = 0; i < n; i++) {
            pfd[1 + 2 * i] = (struct pollfd){.fd = a[i], .events = POLLIN};
            pfd[2 + 2 * i] = (struct pollfd){.fd = b[i], .events = POLLIN};
        }
        if (poll(pfd, (nfds_t)(1 + 2 * n), 50) <= 0) continue;
        for (int i = n - 1; i >= 0; i--) {
            if (((pfd[1 + 2 * i].revents & (POLLIN | POLLHUP)) && pump(a[i], b[i])) ||
                ((pfd[2 + 2 * i].revents & (POLLIN | POLLHUP)) && pump(b[i], a[i]))) {
                close(a[i]);
                close(b[i]);
                a[i] = a[--n];
                b[i] = b[n];
            }
        }
        if ((pfd[0].revents & POLLIN) && n < MAXC) {
            int cfd = accept(lfd, NULL, NULL);
            int sfd = socket(p->target.ss_family, SOCK_STREAM, 0);
            if (cfd >= 0 && connect(sfd, (struct sockaddr *)&p->target, p->target_len) == 0) {
                a[n] = cfd;
                b[n++] = sfd;
                atomic_fetch_add(&p->accepted, 1);
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

/* The first host:port of a bootstrap list, resolved. */
static int resolve_first(const char *bootstrap, proxy *p) {
    char host[256];
    snprintf(host, sizeof host, "%s", bootstrap);
    char *comma = strchr(host, ',');
    if (comma) *comma = '\0';
    char *colon = strrchr(host, ':');
    if (!colon) return -1;
    *colon = '\0';
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    if (getaddrinfo(host, colon + 1, &hints, &res) != 0 || !res) return -1;
    memcpy(&p->target, res->ai_addr, res->ai_addrlen);
    p->target_len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

typedef struct tally {
    atomic_int ok, failed;
    int64_t last_offset;
    int disorder;
} tally;

static void on_report(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    (void)p;
    tally *t = opaque;
    if (d->err) {
        atomic_fetch_add(&t->failed, 1);
        return;
    }
    atomic_fetch_add(&t->ok, 1);
    if (d->offset <= t->last_offset) t->disorder++;
    t->last_offset = d->offset;
}

TEST(broker_down_at_start_messages_wait_and_are_delivered) {
    const char *b = it_bootstrap();
    REQUIRE(b);
    char topic[128];
    it_topic(topic, sizeof topic, "late");
    REQUIRE(pit_create_topic(b, topic, 1, -1, NULL) == 0);
    proxy px = {.lfd_port = free_port(), .delay_ms = 2500};
    REQUIRE(px.lfd_port > 0);
    REQUIRE(resolve_first(b, &px) == 0);
    REQUIRE(pthread_create(&px.thread, NULL, proxy_main, &px) == 0);
    char via[64];
    snprintf(via, sizeof via, "127.0.0.1:%d", px.lfd_port);
    tally t = {.last_offset = -1};
    kfk_producer_callbacks cbs = {.delivery = on_report, .opaque = &t};
    kfk_producer *p = pit_producer(via, &cbs,
                                   (const char *[]){"delivery.timeout.ms", "15000",
                                                    "request.timeout.ms", "5000", NULL});
    int64_t t0 = it_now_ms();
    for (int i = 0; p && i < 200; i++) {
        char v[32];
        int n = snprintf(v, sizeof v, "late-%03d", i);
        kfk_message m = {.topic = topic, .partition = 0, .value = v, .value_len = (size_t)n};
        CHECK_EQ(kfk_producer_send(p, &m, 0), 0);
    }
    /* Without metadata a keyless send to any partition blocks; NONBLOCK
     * says at once that the partition count is not known yet. */
    kfk_message any = {.topic = topic, .partition = KFK_PARTITION_ANY, .value = "x",
                       .value_len = 1};
    if (p) CHECK_EQ(kfk_producer_send(p, &any, KFK_SEND_NONBLOCK), KFK_ERR_NOENT);
    int rc = p ? kfk_producer_flush(p, 20000) : -1;
    int64_t took = it_now_ms() - t0;
    CHECK_EQ(rc, 0);
    CHECK_EQ(atomic_load(&t.ok), 200);
    CHECK_EQ(atomic_load(&t.failed), 0);
    CHECK_EQ(t.disorder, 0);
    CHECK(took >= 2400);      /* nothing got through before the proxy listened */
    CHECK(took < 2500 + 5000); /* and they went soon after */
    CHECK(atomic_load(&px.accepted) >= 1);
    printf("  200 messages delivered %lld ms after the first send\n", (long long)took);
    kfk_producer_destroy(p);
    atomic_store(&px.stop, 1);
    pthread_join(px.thread, NULL);
    size_t len = 0;
    char *out = pit_kcat(b, topic, "%s\\n", &len);
    REQUIRE(out);
    int i = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"), i++) {
        char v[32];
        snprintf(v, sizeof v, "late-%03d", i);
        CHECK_STR(line, v);
    }
    CHECK_EQ(i, 200);
    free(out);
}

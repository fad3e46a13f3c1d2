/* The I/O backend compiled in (epoll, or poll with -DKFK_IO=poll): the same
 * cases run on both builds. Level-triggered readiness, interest changes,
 * removal from the middle, more ready descriptors than one wait returns,
 * hang-ups and timeouts. */
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/poller.h"
#include "test.h"

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static kfk_pollreg reg_of(int fd, void *ptr) {
    return (kfk_pollreg){.fd = fd, .slot = -1, .ptr = ptr};
}

static void put(int fd) {
    char c = 'x';
    CHECK_EQ(write(fd, &c, 1), 1);
}

TEST(the_backend_is_the_one_the_build_chose) {
#ifdef KFK_IO_POLL
    CHECK_STR(kfk_poller_name(), "poll");
#else
    CHECK_STR(kfk_poller_name(), "epoll");
#endif
}

TEST(readiness_is_level_triggered_until_handled) {
    kfk_poller *p = kfk_poller_new();
    REQUIRE(p != NULL);
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    int tag;
    kfk_pollreg r = reg_of(fds[0], &tag);
    REQUIRE_EQ(kfk_poller_set(p, &r, KFK_POLL_IN), 0);
    CHECK_EQ(r.events, KFK_POLL_IN);
    kfk_pollev ev[4];
    CHECK_EQ(kfk_poller_wait(p, ev, 4, 0), 0);
    put(fds[1]);
    for (int round = 0; round < 2; round++) { /* not consumed: reported again */
        REQUIRE_EQ(kfk_poller_wait(p, ev, 4, 1000), 1);
        CHECK(ev[0].ptr == &tag);
        CHECK(ev[0].events & KFK_POLL_IN);
    }
    char c;
    CHECK_EQ(read(fds[0], &c, 1), 1);
    CHECK_EQ(kfk_poller_wait(p, ev, 4, 0), 0);
    CHECK_EQ(kfk_poller_set(p, &r, 0), 0);
    CHECK_EQ(r.events, 0);
    close(fds[0]);
    close(fds[1]);
    kfk_poller_free(p);
}

TEST(interest_changes_and_removal_take_effect) {
    kfk_poller *p = kfk_poller_new();
    REQUIRE(p != NULL);
    int sv[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    int tag;
    kfk_pollreg r = reg_of(sv[0], &tag);
    kfk_pollev ev[4];
    REQUIRE_EQ(kfk_poller_set(p, &r, KFK_POLL_IN | KFK_POLL_OUT), 0);
    REQUIRE_EQ(kfk_poller_wait(p, ev, 4, 1000), 1);
    CHECK_EQ(ev[0].events, KFK_POLL_OUT); /* writable, nothing to read */
    REQUIRE_EQ(kfk_poller_set(p, &r, KFK_POLL_IN), 0);
    CHECK_EQ(kfk_poller_wait(p, ev, 4, 0), 0);
    put(sv[1]);
    REQUIRE_EQ(kfk_poller_wait(p, ev, 4, 1000), 1);
    CHECK_EQ(ev[0].events, KFK_POLL_IN);
    REQUIRE_EQ(kfk_poller_set(p, &r, 0), 0);
    CHECK_EQ(kfk_poller_wait(p, ev, 4, 0), 0); /* still readable, not watched */
    REQUIRE_EQ(kfk_poller_set(p, &r, KFK_POLL_IN), 0); /* and back */
    CHECK_EQ(kfk_poller_wait(p, ev, 4, 1000), 1);
    kfk_poller_set(p, &r, 0);
    close(sv[0]);
    close(sv[1]);
    kfk_poller_free(p);
}

TEST(removing_one_in_the_middle_keeps_the_others) {
    kfk_poller *p = kfk_poller_new();
    REQUIRE(p != NULL);
    enum { N = 5 };
    int fds[N][2];
    kfk_pollreg r[N];
    for (int i = 0; i < N; i++) {
        REQUIRE(pipe(fds[i]) == 0);
        r[i] = reg_of(fds[i][0], &r[i]);
        REQUIRE_EQ(kfk_poller_set(p, &r[i], KFK_POLL_IN), 0);
    }
    REQUIRE_EQ(kfk_poller_set(p, &r[1], 0), 0);
    REQUIRE_EQ(kfk_poller_set(p, &r[3], 0), 0);
    for (int i = 0; i < N; i++) put(fds[i][1]);
    kfk_pollev ev[8];
    int n = kfk_poller_wait(p, ev, 8, 1000);
    REQUIRE_EQ(n, 3);
    int seen = 0;
    for (int k = 0; k < n; k++) seen |= 1 << (int)((kfk_pollreg *)ev[k].ptr - r);
    CHECK_EQ(seen, (1 << 0) | (1 << 2) | (1 << 4));
    for (int i = 0; i < N; i++) {
        kfk_poller_set(p, &r[i], 0);
        close(fds[i][0]);
        close(fds[i][1]);
    }
    kfk_poller_free(p);
}

TEST(more_ready_than_one_wait_returns_all_get_their_turn) {
    kfk_poller *p = kfk_poller_new();
    REQUIRE(p != NULL);
    enum { N = 100, MAX = 64 };
    int fds[N][2];
    kfk_pollreg r[N];
    for (int i = 0; i < N; i++) {
        REQUIRE(pipe(fds[i]) == 0);
        r[i] = reg_of(fds[i][0], &r[i]);
        REQUIRE_EQ(kfk_poller_set(p, &r[i], KFK_POLL_IN), 0);
        put(fds[i][1]);
    }
    char seen[N] = {0};
    kfk_pollev ev[MAX];
    for (int round = 0; round < 2; round++) {
        int n = kfk_poller_wait(p, ev, MAX, 1000);
        CHECK_EQ(n, MAX);
        for (int k = 0; k < n; k++) seen[(kfk_pollreg *)ev[k].ptr - r] = 1;
    }
    int all = 0;
    for (int i = 0; i < N; i++) all += seen[i];
    CHECK_EQ(all, N);
    for (int i = 0; i < N; i++) {
        kfk_poller_set(p, &r[i], 0);
        close(fds[i][0]);
        close(fds[i][1]);
    }
    kfk_poller_free(p);
}

TEST(a_closed_peer_is_reported_without_asking) {
    kfk_poller *p = kfk_poller_new();
    REQUIRE(p != NULL);
    int sv[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    int tag;
    kfk_pollreg r = reg_of(sv[0], &tag);
    REQUIRE_EQ(kfk_poller_set(p, &r, KFK_POLL_IN), 0);
    close(sv[1]);
    kfk_pollev ev[4];
    REQUIRE_EQ(kfk_poller_wait(p, ev, 4, 1000), 1);
    CHECK(ev[0].ptr == &tag);
    CHECK(ev[0].events & KFK_POLL_HUP);
    kfk_poller_set(p, &r, 0);
    close(sv[0]);
    kfk_poller_free(p);
}

TEST(an_idle_wait_times_out) {
    kfk_poller *p = kfk_poller_new();
    REQUIRE(p != NULL);
    kfk_pollev ev[4];
    int64_t t0 = now_ms();
    CHECK_EQ(kfk_poller_wait(p, ev, 4, 50), 0);
    CHECK(now_ms() - t0 >= 45);
    kfk_poller_free(p);
}

/* Wakeup fds (an eventfd, or a pipe in the poll build) and the portable
 * socket calls: readable exactly while signalled, non-blocking and
 * close-on-exec descriptors. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/sock.h"
#include "net/wake.h"
#include "test.h"

static int readable(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static int nonblocking_cloexec(int fd) {
    return (fcntl(fd, F_GETFL) & O_NONBLOCK) && (fcntl(fd, F_GETFD) & FD_CLOEXEC);
}

TEST(a_wake_fd_is_readable_exactly_while_signalled) {
    kfk_wake w;
    REQUIRE_EQ(kfk_wake_open(&w), 0);
    int fd = kfk_wake_fd(&w);
    REQUIRE(fd >= 0);
    CHECK(nonblocking_cloexec(fd));
    CHECK(!readable(fd));
    kfk_wake_signal(&w);
    kfk_wake_signal(&w);
    kfk_wake_signal(&w);
    CHECK(readable(fd));
    kfk_wake_clear(&w); /* one clear undoes any number of signals */
    CHECK(!readable(fd));
    kfk_wake_clear(&w); /* clearing a clear fd does not block */
    CHECK(!readable(fd));
    kfk_wake_signal(&w);
    CHECK(readable(fd));
    kfk_wake_close(&w);
    CHECK_EQ(kfk_wake_fd(&w), -1);
    kfk_wake_close(&w); /* idempotent */
}

TEST(many_signals_never_block_the_signaller) {
    kfk_wake w;
    REQUIRE_EQ(kfk_wake_open(&w), 0);
    for (int i = 0; i < 200000; i++) kfk_wake_signal(&w); /* more than a pipe holds */
    CHECK(readable(kfk_wake_fd(&w)));
    kfk_wake_clear(&w);
    CHECK(!readable(kfk_wake_fd(&w)));
    kfk_wake_close(&w);
}

TEST(sockets_are_non_blocking_and_close_on_exec) {
    int l = kfk_sock_open(AF_INET, 0);
    REQUIRE(l >= 0);
    CHECK(nonblocking_cloexec(l));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    REQUIRE(bind(l, (struct sockaddr *)&a, sizeof a) == 0);
    REQUIRE(listen(l, 4) == 0);
    REQUIRE(getsockname(l, (struct sockaddr *)&a, &len) == 0);
    CHECK_EQ(kfk_sock_accept(l), -1); /* nobody is connecting: EAGAIN, not a hang */
    int c = kfk_sock_open(AF_INET, IPPROTO_TCP);
    REQUIRE(c >= 0);
    int rc = connect(c, (struct sockaddr *)&a, sizeof a);
    CHECK(rc == 0 || errno == EINPROGRESS);
    struct pollfd p = {.fd = l, .events = POLLIN};
    REQUIRE_EQ(poll(&p, 1, 5000), 1);
    int s = kfk_sock_accept(l);
    REQUIRE(s >= 0);
    CHECK(nonblocking_cloexec(s));
    char buf[4];
    CHECK_EQ(recv(s, buf, sizeof buf, 0), -1); /* nothing sent yet: would block */
    close(s);
    close(c);
    close(l);
}

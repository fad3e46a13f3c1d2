#include "net/wake.h"

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#if defined(__linux__) && !defined(KFK_IO_POLL)
#include <sys/eventfd.h>
#define KFK_WAKE_EVENTFD 1
#else
#include "net/sock.h"
#endif

int kfk_wake_open(kfk_wake *w) {
#ifdef KFK_WAKE_EVENTFD
    w->rfd = w->wfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    return w->rfd < 0 ? -1 : 0;
#else
    int fds[2];
    w->rfd = w->wfd = -1;
    if (pipe(fds) < 0) return -1;
    if (kfk_fd_nonblock_cloexec(fds[0]) < 0 || kfk_fd_nonblock_cloexec(fds[1]) < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        errno = e;
        return -1;
    }
    w->rfd = fds[0];
    w->wfd = fds[1];
    return 0;
#endif
}

void kfk_wake_close(kfk_wake *w) {
    if (w->wfd >= 0 && w->wfd != w->rfd) close(w->wfd);
    if (w->rfd >= 0) close(w->rfd);
    w->rfd = w->wfd = -1;
}

void kfk_wake_signal(kfk_wake *w) {
    /* Fails only when the counter or the pipe is full: readable then. */
#ifdef KFK_WAKE_EVENTFD
    uint64_t one = 1;
    while (write(w->wfd, &one, sizeof one) < 0 && errno == EINTR) {
    }
#else
    char one = 1;
    while (write(w->wfd, &one, 1) < 0 && errno == EINTR) {
    }
#endif
}

void kfk_wake_clear(kfk_wake *w) {
#ifdef KFK_WAKE_EVENTFD
    uint64_t v;
    while (read(w->rfd, &v, sizeof v) < 0 && errno == EINTR) {
    }
#else
    char buf[64];
    ssize_t n;
    while ((n = read(w->rfd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
    }
#endif
}

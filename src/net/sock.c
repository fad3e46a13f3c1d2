#include "net/sock.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#if defined(__linux__) && !defined(KFK_IO_POLL)
#define KFK_SOCK_FLAGS 1 /* SOCK_NONBLOCK, SOCK_CLOEXEC and accept4 */
#endif

int kfk_fd_nonblock_cloexec(int fd) {
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

#ifndef KFK_SOCK_FLAGS
/* The fallback's set-up of a new socket; closes it on failure. */
static int set_up(int fd) {
    if (fd < 0) return -1;
#ifdef SO_NOSIGPIPE
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one) < 0) goto fail;
#endif
    if (kfk_fd_nonblock_cloexec(fd) < 0) goto fail;
    return fd;
fail:;
    int e = errno;
    close(fd);
    errno = e;
    return -1;
}
#endif

int kfk_sock_open(int family, int protocol) {
#ifdef KFK_SOCK_FLAGS
    return socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
#else
    return set_up(socket(family, SOCK_STREAM, protocol));
#endif
}

int kfk_sock_accept(int lfd) {
#ifdef KFK_SOCK_FLAGS
    return accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
#else
    return set_up(accept(lfd, NULL, NULL));
#endif
}

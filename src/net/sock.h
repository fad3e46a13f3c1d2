/* Socket calls spelled differently across systems. Linux creates and
 * accepts non-blocking, close-on-exec sockets in one call; elsewhere, and in
 * the poll(2) build (KFK_IO_POLL, which tests this fallback), fcntl does it.
 * Sends must never raise SIGPIPE in the host: MSG_NOSIGNAL where it exists
 * (Linux, the BSDs), SO_NOSIGPIPE on the socket where not (macOS). */
#ifndef KFK_SOCK_H
#define KFK_SOCK_H

#include <sys/socket.h>

#ifdef MSG_NOSIGNAL
#define KFK_MSG_NOSIGNAL MSG_NOSIGNAL
#else
#define KFK_MSG_NOSIGNAL 0
#endif

/* A non-blocking, close-on-exec stream socket; -1 with errno. */
int kfk_sock_open(int family, int protocol);
/* accept(2) on listener lfd, the new socket set up as kfk_sock_open's. */
int kfk_sock_accept(int lfd);
/* O_NONBLOCK and FD_CLOEXEC on fd. 0, or -1 with errno. */
int kfk_fd_nonblock_cloexec(int fd);

#endif

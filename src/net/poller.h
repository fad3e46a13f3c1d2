/* The I/O backend: readiness of the I/O thread's descriptors (the broker
 * sockets and the wakeup fd), chosen at build time (-DKFK_IO=epoll|poll):
 * poller_epoll.c (Linux) or poller_poll.c (POSIX poll(2), level-triggered).
 * Both report level-triggered readiness. One thread only: the I/O thread
 * (or its creator before it starts). */
#ifndef KFK_POLLER_H
#define KFK_POLLER_H

#include <stdint.h>

/* Interest and readiness bits (the values of EPOLLIN etc.). */
#define KFK_POLL_IN 0x001u
#define KFK_POLL_OUT 0x004u
#define KFK_POLL_ERR 0x008u /* reported whether asked for or not */
#define KFK_POLL_HUP 0x010u /* reported whether asked for or not */

typedef struct kfk_poller kfk_poller;

/* One registered descriptor, embedded in its owner (a link). */
typedef struct kfk_pollreg {
    int fd;
    uint32_t events; /* registered interest; 0: not registered */
    int slot;        /* the poll backend's index; unused by epoll */
    void *ptr;       /* reported with its events */
} kfk_pollreg;

typedef struct kfk_pollev {
    void *ptr;
    uint32_t events;
} kfk_pollev;

/* NULL when out of memory or descriptors. */
kfk_poller *kfk_poller_new(void);
void kfk_poller_free(kfk_poller *p);
/* The backend's name ("epoll" or "poll"), for logs and tests. */
const char *kfk_poller_name(void);

/* Registers r (r->fd, r->ptr set; r->events 0), changes its interest, or
 * with events 0 unregisters it (before its fd is closed). 0, or -1 with
 * errno (then r is unchanged). */
int kfk_poller_set(kfk_poller *p, kfk_pollreg *r, uint32_t events);
/* Waits up to timeout_ms (-1: no limit) and fills at most max events.
 * Returns how many (0 on timeout or EINTR). A descriptor stays ready until
 * its cause is handled; one left out by max is reported next time. */
int kfk_poller_wait(kfk_poller *p, kfk_pollev *evs, int max, int timeout_ms);

#endif

/* The epoll(7) backend (Linux, the default there). */
#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "core/alloc.h"
#include "net/poller.h"

_Static_assert(KFK_POLL_IN == EPOLLIN && KFK_POLL_OUT == EPOLLOUT && KFK_POLL_ERR == EPOLLERR &&
                   KFK_POLL_HUP == EPOLLHUP,
               "kfk's readiness bits are epoll's: nothing to translate");

struct kfk_poller {
    int epfd;
    struct epoll_event evs[64];
};

kfk_poller *kfk_poller_new(void) {
    kfk_poller *p = kfk_calloc(1, sizeof *p);
    if (!p) return NULL;
    p->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (p->epfd < 0) {
        kfk_free(p);
        return NULL;
    }
    return p;
}

void kfk_poller_free(kfk_poller *p) {
    if (!p) return;
    close(p->epfd);
    kfk_free(p);
}

const char *kfk_poller_name(void) { return "epoll"; }

int kfk_poller_set(kfk_poller *p, kfk_pollreg *r, uint32_t events) {
    if (r->events == events) return 0;
    int rc;
    if (!events) {
        rc = epoll_ctl(p->epfd, EPOLL_CTL_DEL, r->fd, NULL);
    } else {
        struct epoll_event ev = {.events = events, .data.ptr = r->ptr};
        rc = epoll_ctl(p->epfd, r->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, r->fd, &ev);
    }
    /* A failed removal leaves nothing behind either: closing the fd does it. */
    if (rc == 0 || !events) r->events = events;
    return rc;
}

int kfk_poller_wait(kfk_poller *p, kfk_pollev *evs, int max, int timeout_ms) {
    int cap = (int)(sizeof p->evs / sizeof p->evs[0]);
    int n = epoll_wait(p->epfd, p->evs, max < cap ? max : cap, timeout_ms);
    for (int i = 0; i < n; i++) evs[i] = (kfk_pollev){p->evs[i].data.ptr, p->evs[i].events};
    return n < 0 ? 0 : n;
}

/* The poll(2) backend (-DKFK_IO=poll; the default where epoll is missing):
 * one pollfd per registered descriptor, in an array patched in place. Each
 * registration knows its slot, so set is O(1); removal moves the last entry
 * into the hole. Ready entries are scanned from a rotating
 * start so that more than max ready descriptors all get their turn. */
#include <errno.h>
#include <poll.h>

#include "core/alloc.h"
#include "net/poller.h"

struct kfk_poller {
    struct pollfd *fds;
    kfk_pollreg **regs; /* regs[i] owns fds[i] */
    int n, cap;
    int start; /* where the next scan begins */
};

kfk_poller *kfk_poller_new(void) { return kfk_calloc(1, sizeof(kfk_poller)); }

void kfk_poller_free(kfk_poller *p) {
    if (!p) return;
    kfk_free(p->fds);
    kfk_free(p->regs);
    kfk_free(p);
}

const char *kfk_poller_name(void) { return "poll"; }

static short to_poll(uint32_t events) {
    return (short)(((events & KFK_POLL_IN) ? POLLIN : 0) | ((events & KFK_POLL_OUT) ? POLLOUT : 0));
}

static uint32_t from_poll(short revents) {
    return ((revents & POLLIN) ? KFK_POLL_IN : 0) | ((revents & POLLOUT) ? KFK_POLL_OUT : 0) |
           ((revents & (POLLERR | POLLNVAL)) ? KFK_POLL_ERR : 0) |
           ((revents & POLLHUP) ? KFK_POLL_HUP : 0);
}

static int grow(kfk_poller *p) {
    int cap = p->cap ? p->cap * 2 : 16;
    struct pollfd *fds = kfk_realloc(p->fds, (size_t)cap * sizeof *fds);
    if (!fds) return -1;
    p->fds = fds;
    kfk_pollreg **regs = kfk_realloc(p->regs, (size_t)cap * sizeof *regs);
    if (!regs) return -1;
    p->regs = regs;
    p->cap = cap;
    return 0;
}

int kfk_poller_set(kfk_poller *p, kfk_pollreg *r, uint32_t events) {
    if (r->events == events) return 0;
    if (!r->events) {
        if (p->n == p->cap && grow(p) < 0) {
            errno = ENOMEM;
            return -1;
        }
        r->slot = p->n++;
        p->regs[r->slot] = r;
        p->fds[r->slot] = (struct pollfd){.fd = r->fd};
    } else if (!events) {
        int last = --p->n;
        if (r->slot != last) {
            p->fds[r->slot] = p->fds[last];
            p->regs[r->slot] = p->regs[last];
            p->regs[r->slot]->slot = r->slot;
        }
        r->slot = -1;
        r->events = 0;
        return 0;
    }
    p->fds[r->slot].events = to_poll(events);
    r->events = events;
    return 0;
}

int kfk_poller_wait(kfk_poller *p, kfk_pollev *evs, int max, int timeout_ms) {
    int ready = poll(p->fds, (nfds_t)p->n, timeout_ms);
    if (ready <= 0) return 0;
    int got = 0;
    int start = p->start < p->n ? p->start : 0;
    for (int k = 0; k < p->n && got < max && got < ready; k++) {
        int i = (start + k) % p->n;
        if (!p->fds[i].revents) continue;
        evs[got++] = (kfk_pollev){p->regs[i]->ptr, from_poll(p->fds[i].revents)};
        p->start = i + 1;
    }
    return got;
}

/* kfk_consumer_fd: an eventfd that is readable while messages, events or
 * a statistics report wait for kfk_consumer_poll, so an event loop can
 * watch the consumer beside its own sockets. Written once when the queue
 * goes from empty to not (not per message), read when a poll empties it. */
#include <stdint.h>
#include <unistd.h>

#include "consumer/consumer_int.h"

void kfk_evfd_signal(kfk_consumer *c) {
    if (c->evfd_set || c->evfd < 0) return;
    uint64_t one = 1;
    /* Fails only when the counter would overflow: readable then anyway. */
    ssize_t n = write(c->evfd, &one, sizeof one);
    (void)n;
    c->evfd_set = 1;
}

void kfk_evfd_clear(kfk_consumer *c) {
    if (!c->evfd_set) return;
    uint64_t v;
    ssize_t n = read(c->evfd, &v, sizeof v);
    (void)n;
    c->evfd_set = 0;
}

int kfk_consumer_fd(kfk_consumer *c) { return c->evfd; }

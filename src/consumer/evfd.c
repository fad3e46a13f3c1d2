/* kfk_consumer_fd: a wakeup fd (net/wake.h) that is readable while
 * messages, events or a statistics report wait for kfk_consumer_poll, so an
 * event loop can watch the consumer beside its own sockets. Signalled once
 * when the queue goes from empty to not (not per message), cleared when a
 * poll empties it. */
#include "consumer/consumer_int.h"

void kfk_evfd_signal(kfk_consumer *c) {
    if (c->evfd_set || c->evfd.rfd < 0) return;
    kfk_wake_signal(&c->evfd);
    c->evfd_set = 1;
}

void kfk_evfd_clear(kfk_consumer *c) {
    if (!c->evfd_set) return;
    kfk_wake_clear(&c->evfd);
    c->evfd_set = 0;
}

int kfk_consumer_fd(kfk_consumer *c) { return kfk_wake_fd(&c->evfd); }

/* The libevent adapter (include/kfk/adapters/libevent.h): admin, producer
 * and group consumer on one event_base move 100,000 messages
 * (evloop_it.h). */
#include "evloop_it.h"
#include "kfk/adapters/libevent.h"

typedef struct run {
    evl e;
    struct event_base *base;
} run;

static void on_pump(evutil_socket_t fd, short what, void *arg) {
    run *r = arg;
    if (evl_step(&r->e)) event_base_loopbreak(r->base);
}

TEST(libevent_loop_moves_every_message_once) {
    static run r;
    REQUIRE(evl_init(&r.e, "evloop-libevent") == 0);
    r.base = event_base_new();
    REQUIRE(r.base);
    kfk_event_source *sa = kfk_event_attach(r.base, KFK_SOURCE_ADMIN, r.e.admin, NULL, NULL);
    kfk_event_source *sp = kfk_event_attach(r.base, KFK_SOURCE_PRODUCER, r.e.producer, NULL, NULL);
    kfk_event_source *sc =
        kfk_event_attach(r.base, KFK_SOURCE_CONSUMER, r.e.consumer, evl_on_message, &r.e);
    REQUIRE(sa && sp && sc);
    struct event *pump = event_new(r.base, -1, EV_PERSIST, on_pump, &r);
    struct timeval ten = {0, 10000};
    REQUIRE(pump && event_add(pump, &ten) == 0);
    evl_start(&r.e);
    CHECK_EQ(event_base_dispatch(r.base), 0);
    event_free(pump);
    kfk_event_detach(sa);
    kfk_event_detach(sp);
    kfk_event_detach(sc);
    event_base_free(r.base);
    evl_finish(&r.e);
}

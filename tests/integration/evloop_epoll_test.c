/* The epoll adapter (include/kfk/adapters/epoll.h): admin, producer and
 * group consumer on one epoll loop move 100,000 messages (evloop_it.h). */
#include "evloop_it.h"
#include "kfk/adapters/epoll.h"

#include <unistd.h>

TEST(epoll_loop_moves_every_message_once) {
    evl e;
    REQUIRE(evl_init(&e, "evloop-epoll") == 0);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    REQUIRE(ep >= 0);
    kfk_epoll_source sa, sp, sc;
    REQUIRE(kfk_epoll_add(ep, &sa, KFK_SOURCE_ADMIN, e.admin, NULL, NULL) == 0);
    REQUIRE(kfk_epoll_add(ep, &sp, KFK_SOURCE_PRODUCER, e.producer, NULL, NULL) == 0);
    REQUIRE(kfk_epoll_add(ep, &sc, KFK_SOURCE_CONSUMER, e.consumer, evl_on_message, &e) == 0);
    evl_start(&e);
    while (!evl_step(&e)) {
        struct epoll_event evs[8];
        int timeout = kfk_epoll_timeout(&sc);
        int n = epoll_wait(ep, evs, 8, timeout < 10 ? timeout : 10); /* 10: the pump */
        for (int i = 0; i < n; i++) ((kfk_epoll_handler *)evs[i].data.ptr)->fn(evs[i].data.ptr);
        kfk_epoll_tick(&sc);
    }
    CHECK_EQ(kfk_epoll_del(&sa), 0);
    CHECK_EQ(kfk_epoll_del(&sp), 0);
    CHECK_EQ(kfk_epoll_del(&sc), 0);
    close(ep);
    evl_finish(&e);
}

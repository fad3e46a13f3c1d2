/* The libuv adapter (include/kfk/adapters/libuv.h): admin, producer and
 * group consumer on one uv loop move 100,000 messages (evloop_it.h). */
#include "evloop_it.h"
#include "kfk/adapters/libuv.h"

typedef struct run {
    evl e;
    kfk_uv_source *sources[3];
    uv_timer_t pump;
} run;

static void on_pump(uv_timer_t *t) {
    run *r = t->data;
    if (!evl_step(&r->e)) return;
    for (int i = 0; i < 3; i++) kfk_uv_detach(r->sources[i]);
    uv_close((uv_handle_t *)&r->pump, NULL); /* nothing left: uv_run returns */
}

TEST(libuv_loop_moves_every_message_once) {
    static run r;
    REQUIRE(evl_init(&r.e, "evloop-libuv") == 0);
    uv_loop_t loop;
    REQUIRE(uv_loop_init(&loop) == 0);
    r.sources[0] = kfk_uv_attach(&loop, KFK_SOURCE_ADMIN, r.e.admin, NULL, NULL);
    r.sources[1] = kfk_uv_attach(&loop, KFK_SOURCE_PRODUCER, r.e.producer, NULL, NULL);
    r.sources[2] = kfk_uv_attach(&loop, KFK_SOURCE_CONSUMER, r.e.consumer, evl_on_message, &r.e);
    REQUIRE(r.sources[0] && r.sources[1] && r.sources[2]);
    uv_timer_init(&loop, &r.pump);
    r.pump.data = &r;
    uv_timer_start(&r.pump, on_pump, 10, 10);
    evl_start(&r.e);
    CHECK_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
    CHECK_EQ(uv_loop_close(&loop), 0);
    evl_finish(&r.e);
}

/* The I/O loop's timers: a callback that re-arms its timer at a time
 * already past must not keep the loop from its other work. A transaction
 * step once did (a stale retry time), and the EndTxn it had just queued
 * was never written: the abort timed out. */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "net/io.h"
#include "test.h"

static atomic_int fired, stop, task_ran;
static kfk_io *loop;

static void rearm_in_past(kfk_timer *t, int64_t now) {
    fired++;
    if (!atomic_load(&stop)) kfk_io_timer_set(loop, t, now - 1);
}

static void on_task(kfk_io *io, kfk_task *t, int err) {
    (void)io;
    (void)t;
    if (!err) atomic_store(&task_ran, 1);
}

TEST(timer_rearmed_in_the_past_lets_tasks_run) {
    kfk_io_conf conf = {.conn = {.client_id = "t", .request_timeout_ms = 1000, .max_in_flight = 1,
                                 .max_response_bytes = 1 << 20}};
    kfk_io *io = loop = kfk_io_new(&conf, NULL, NULL);
    REQUIRE(io);
    kfk_timer timer = {0};
    REQUIRE_EQ(kfk_io_timer_add(io, &timer, rearm_in_past), 0);
    kfk_io_timer_set(io, &timer, 0);
    REQUIRE_EQ(kfk_io_start(io), 0);
    while (atomic_load(&fired) < 3) usleep(1000);
    kfk_task task = {.fn = on_task};
    REQUIRE_EQ(kfk_io_post(io, &task), 0);
    for (int i = 0; i < 2000 && !atomic_load(&task_ran); i++) usleep(1000);
    CHECK(atomic_load(&task_ran));
    atomic_store(&stop, 1);
    kfk_io_destroy(io);
}

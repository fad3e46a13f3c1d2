/* core/portable.c: timed waits on monotonic deadlines, with
 * pthread_condattr_setclock in the default build, with the wall-clock
 * conversion in the poll build. A wait lasts until its deadline, not
 * less; a past deadline returns at once; a signal ends it early. And
 * kfk_wipe zeroes what it is given. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "core/deadline.h"
#include "core/portable.h"
#include "test.h"

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct waiter {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done;
} waiter;

static void waiter_init(waiter *w) {
    pthread_mutex_init(&w->lock, NULL);
    CHECK_EQ(kfk_cond_init_mono(&w->cond), 0);
    w->done = 0;
}

static void waiter_free(waiter *w) {
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->lock);
}

TEST(a_wait_lasts_until_its_deadline) {
    waiter w;
    waiter_init(&w);
    int64_t start = mono_ms();
    struct timespec until = kfk_deadline_ts(120);
    pthread_mutex_lock(&w.lock);
    int rc = 0;
    while (rc != ETIMEDOUT) rc = kfk_cond_wait_until(&w.cond, &w.lock, &until);
    pthread_mutex_unlock(&w.lock);
    int64_t took = mono_ms() - start;
    CHECK(took >= 119);
    CHECK(took < 5000);
    waiter_free(&w);
}

TEST(a_past_deadline_returns_at_once) {
    waiter w;
    waiter_init(&w);
    struct timespec past = kfk_deadline_ts(0);
    past.tv_sec -= 10;
    int64_t start = mono_ms();
    pthread_mutex_lock(&w.lock);
    CHECK_EQ(kfk_cond_wait_until(&w.cond, &w.lock, &past), ETIMEDOUT);
    pthread_mutex_unlock(&w.lock);
    CHECK(mono_ms() - start < 1000);
    waiter_free(&w);
}

static void *signaller(void *arg) {
    waiter *w = arg;
    struct timespec nap = {0, 20 * 1000000L};
    nanosleep(&nap, NULL);
    pthread_mutex_lock(&w->lock);
    w->done = 1;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

TEST(a_signal_ends_the_wait_before_the_deadline) {
    waiter w;
    waiter_init(&w);
    pthread_t t;
    int64_t start = mono_ms();
    struct timespec until = kfk_deadline_ts(30000);
    pthread_mutex_lock(&w.lock);
    REQUIRE_EQ(pthread_create(&t, NULL, signaller, &w), 0);
    int rc = 0;
    while (!w.done && rc != ETIMEDOUT) rc = kfk_cond_wait_until(&w.cond, &w.lock, &until);
    pthread_mutex_unlock(&w.lock);
    pthread_join(t, NULL);
    CHECK_EQ(w.done, 1);
    CHECK(mono_ms() - start < 10000);
    waiter_free(&w);
}

TEST(wipe_zeroes_every_byte) {
    char secret[33] = "hunter2-hunter2-hunter2-hunter2!";
    kfk_wipe(secret, sizeof secret);
    for (size_t i = 0; i < sizeof secret; i++) CHECK_EQ(secret[i], 0);
}

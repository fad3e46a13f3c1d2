/* kfk_admin_fd and kfk_admin_poll: results queued for the application's
 * thread instead of handed to callbacks on the I/O thread, so an event
 * loop runs admin callbacks beside everything else it does. Switched on
 * by the first kfk_admin_fd call; a wakeup fd is readable while any wait. */
#include <time.h>

#include "admin/admin_int.h"
#include "core/portable.h"
#include "core/deadline.h"

int kfk_admin_fd(kfk_admin *a) {
    atomic_store(&a->queued, 1);
    return kfk_wake_fd(&a->evfd);
}

int kfk_aresq_push(kfk_admin *a, kfk_aop *op) {
    if (!atomic_load(&a->queued)) return 0;
    pthread_mutex_lock(&a->lock);
    if (kfk_list_empty(&a->done)) kfk_wake_signal(&a->evfd);
    kfk_list_insert_tail(&a->done, &op->link);
    pthread_cond_broadcast(&a->done_cond);
    pthread_mutex_unlock(&a->lock);
    return 1;
}

/* Takes every queued operation into out, waiting up to timeout_ms. */
static void take(kfk_admin *a, kfk_list *out, int timeout_ms) {
    pthread_mutex_lock(&a->lock);
    if (kfk_list_empty(&a->done) && timeout_ms != 0) {
        struct timespec ts = kfk_deadline_ts(timeout_ms);
        if (timeout_ms < 0)
            pthread_cond_wait(&a->done_cond, &a->lock);
        else
            kfk_cond_wait_until(&a->done_cond, &a->lock, &ts);
    }
    if (!kfk_list_empty(&a->done)) {
        kfk_list_splice_tail(out, &a->done);
        kfk_wake_clear(&a->evfd); /* empty now: not readable */
    }
    pthread_mutex_unlock(&a->lock);
}

int kfk_admin_poll(kfk_admin *a, int timeout_ms) {
    kfk_list got;
    kfk_list_init(&got);
    take(a, &got, timeout_ms);
    int n = 0;
    while (!kfk_list_empty(&got)) {
        kfk_aop *op = KFK_CONTAINER_OF(got.next, kfk_aop, link);
        kfk_list_remove(&op->link);
        kfk_aop_hand_over(op);
        n++;
    }
    return n;
}

/* A wakeup descriptor: readable while signalled, until cleared. An eventfd
 * on Linux (one fd, one syscall each way); a non-blocking pipe elsewhere and
 * in the poll(2) build (KFK_IO_POLL), so that build tests the fallback. The
 * caller signals only on an empty-to-not transition, so the pipe never
 * holds more than a few bytes. */
#ifndef KFK_WAKE_H
#define KFK_WAKE_H

typedef struct kfk_wake {
    int rfd, wfd; /* the same fd for an eventfd; -1 when closed */
} kfk_wake;

/* 0, or -1 with errno (out of file descriptors). */
int kfk_wake_open(kfk_wake *w);
/* Idempotent; w is closed afterwards. */
void kfk_wake_close(kfk_wake *w);
/* Any thread. Makes the fd readable. */
void kfk_wake_signal(kfk_wake *w);
/* Any thread. Not readable afterwards (unless signalled again). */
void kfk_wake_clear(kfk_wake *w);
/* The fd to watch for readability. */
static inline int kfk_wake_fd(const kfk_wake *w) { return w->rfd; }

#endif

/* A client's logger: the level, the debug contexts on, and where lines go
 * (the callback set with kfk_conf_set_log_cb, the consumer's older
 * kfk_consumer_set_log_cb, or stderr). Every layer reaches it through the
 * object it already has (core, io, conn conf), so no layer owns a sink. */
#ifndef KFK_LOG_H
#define KFK_LOG_H

#include <stdint.h>

#include "kfk.h"

/* Debug context bits: bit i is the debug key's i-th allowed value
 * (conf_keys.h), as the configuration parses it.
 * "consumer" is librdkafka's alias of "cgrp": either bit turns both on. */
enum {
    KFK_DBG_GENERIC = 1u << 0,
    KFK_DBG_BROKER = 1u << 1,
    KFK_DBG_TOPIC = 1u << 2,
    KFK_DBG_METADATA = 1u << 3,
    KFK_DBG_PROTOCOL = 1u << 4,
    KFK_DBG_MSG = 1u << 5,
    KFK_DBG_FETCH = 1u << 6,
    KFK_DBG_CGRP = (1u << 7) | (1u << 8),
    KFK_DBG_SECURITY = 1u << 9,
    KFK_DBG_EOS = 1u << 10,
    KFK_DBG_ADMIN = 1u << 11,
};

typedef struct kfk_log {
    uint32_t debug; /* KFK_DBG_* bits on */
    int level;      /* log_level: lines above it (debug lines aside) are dropped */
    kfk_log_line_cb cb;
    void *opaque;
    kfk_log_cb simple; /* kfk_consumer_set_log_cb's: gets the text only */
    void *simple_opaque;
    const char *name; /* client.id, shown on stderr lines */
} kfk_log;

/* The logger a configuration describes; name points into conf. */
void kfk_log_from_conf(kfk_log *log, const kfk_conf *conf);

/* The name of a context bit set (its first name). */
const char *kfk_log_context_name(uint32_t ctx);

/* One line at level from context ctx (0: none; a KFK_DBG_* otherwise);
 * broker is "host:port/id" or NULL. Callers of debug lines test
 * kfk_log_on first (KFK_DBG does), so that nothing is formatted when the
 * context is off. */
void kfk_log_emit(const kfk_log *log, int level, uint32_t ctx, const char *broker,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static inline int kfk_log_on(const kfk_log *log, uint32_t ctx) {
    return log && (log->debug & ctx);
}

/* A debug line: one flag test when its context is off. */
#define KFK_DBG(log, ctx, broker, ...)                                              \
    do {                                                                            \
        if (kfk_log_on((log), (ctx)))                                               \
            kfk_log_emit((log), KFK_LOG_DEBUG, (ctx), (broker), __VA_ARGS__);       \
    } while (0)

/* A warning or error: tested against log_level. */
#define KFK_LOG(log, level, ctx, broker, ...) \
    kfk_log_emit((log), (level), (ctx), (broker), __VA_ARGS__)

#endif

#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/conf.h"

void kfk_log_from_conf(kfk_log *log, const kfk_conf *conf) {
    *log = (kfk_log){
        .debug = (uint32_t)kfk_conf_int(conf, KFK_CONF_DEBUG),
        .level = (int)kfk_conf_int(conf, KFK_CONF_LOG_LEVEL),
        .name = kfk_conf_str(conf, KFK_CONF_CLIENT_ID),
    };
    log->cb = kfk_conf_log_cb(conf, &log->opaque);
}

const char *kfk_log_context_name(uint32_t ctx) {
    static const char *const names[] = {"generic",  "broker", "topic",    "metadata",
                                        "protocol", "msg",    "fetch",    "cgrp",
                                        "cgrp",     "security", "eos",    "admin"};
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (ctx & (1u << i)) return names[i];
    return "generic";
}

void kfk_log_emit(const kfk_log *log, int level, uint32_t ctx, const char *broker,
                  const char *fmt, ...) {
    if (!log) return;
    if (ctx && level == KFK_LOG_DEBUG ? !(log->debug & ctx) : level > log->level) return;
    /* Without a callback, stderr gets warnings and errors (and debug lines
     * turned on), as librdkafka's default does. */
    if (!log->cb && !log->simple && level > KFK_LOG_WARNING && level != KFK_LOG_DEBUG) return;
    char msg[1024];
    int n = 0;
    if (broker) n = snprintf(msg, sizeof msg, "%s: ", broker);
    if (n < 0 || (size_t)n >= sizeof msg) n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    va_end(ap);
    const char *context = kfk_log_context_name(ctx);
    if (log->simple) {
        log->simple(log->simple_opaque, msg);
    } else if (log->cb) {
        log->cb(log->opaque, level, context, msg);
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        fprintf(stderr, "%%%d|%lld.%03ld|%s|%s| %s\n", level, (long long)ts.tv_sec,
                ts.tv_nsec / 1000000, context, log->name ? log->name : "kfk", msg);
    }
}

/* Helpers of the SASL integration tests that start clients from
 * key/value settings (oidc_test.c): the settings, a core, a producer
 * counting its deliveries. SASL_IT_ENV names the `kafka-local env` option
 * a missing variable asks for. */
#ifndef KFK_SASL_IT_H
#define KFK_SASL_IT_H

#include <stdlib.h>

#include "client/core_conf.h"
#include "it.h"

static inline const char *need(const char *name) {
    const char *v = getenv(name);
    if (!v || !*v)
        kfk_test_fail(__FILE__, __LINE__,
                      "%s is not set (eval \"$(scripts/kafka-local env " SASL_IT_ENV ")\")", name);
    return v && *v ? v : NULL;
}

/* bootstrap plus settings (key, value pairs ending with NULL). */
static inline kfk_conf *sasl_it_conf(const char *bootstrap, const char *const *kv) {
    char err[256];
    kfk_conf *conf = kfk_conf_new();
    int bad = !bootstrap || kfk_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err);
    for (int i = 0; !bad && kv[i]; i += 2) {
        bad = !kv[i + 1] || kfk_conf_set(conf, kv[i], kv[i + 1], err, sizeof err);
        if (bad) kfk_test_fail(__FILE__, __LINE__, "%s: %s", kv[i], kv[i + 1] ? err : "unset");
    }
    if (bad) {
        kfk_conf_destroy(conf);
        return NULL;
    }
    return conf;
}

static inline kfk_core *sasl_it_core(const char *bootstrap, const char *const *kv, char *err,
                                     size_t len) {
    kfk_conf *conf = sasl_it_conf(bootstrap, kv);
    if (!conf) return NULL;
    kfk_core_conf cc;
    kfk_core_conf_from(&cc, conf);
    kfk_core *c = kfk_core_new(&cc, err, len);
    kfk_conf_destroy(conf);
    return c;
}

typedef struct tally {
    int ok, failed, last_err;
} tally;

static inline void delivered(kfk_producer *p, const kfk_delivery *d, void *opaque) {
    tally *t = opaque;
    if (d->err) t->failed++, t->last_err = d->err;
    else t->ok++;
}

static inline kfk_producer *producer(const char *bootstrap, const char *const *kv, tally *t) {
    char err[320] = "";
    kfk_conf *conf = sasl_it_conf(bootstrap, kv);
    if (!conf) return NULL;
    kfk_producer_callbacks cbs = {.delivery = delivered, .opaque = t};
    kfk_producer *p = kfk_producer_new(conf, &cbs, err, sizeof err);
    if (!p) {
        kfk_conf_destroy(conf);
        kfk_test_fail(__FILE__, __LINE__, "producer: %s", err);
    }
    return p;
}

#endif

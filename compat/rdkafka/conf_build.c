/* What the layer reads of a configuration: rdk_conf_str, and the kfk_conf
 * rdk_conf_build makes for a client from librdkafka's properties (names
 * and values translated as conf_props.c says, librdkafka's defaults
 * included), after librdkafka's own checks of the whole configuration. */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_props.h"
#include "rdk_int.h"

/* ------------------------------------------------ the layer's view */

static const char *str_of(int scope, const rdk_props *props, const char *name, int *found) {
    int i = rdk_prop_find(scope, name);
    *found = i >= 0;
    if (i < 0) return NULL;
    const char *v = rdk_prop_value(props, i);
    return v ? v : "";
}

const char *rdk_topic_conf_str(const rd_kafka_topic_conf_t *conf, const char *name) {
    int found;
    if (!strncmp(name, "topic.", 6)) name += 6;
    return str_of(RDK_F_TOPIC, conf ? conf->props : NULL, name, &found);
}

const char *rdk_conf_str(const rd_kafka_conf_t *conf, const char *name) {
    int found;
    const char *v = str_of(RDK_F_GLOBAL, conf ? conf->props : NULL, name, &found);
    if (found) return v;
    return rdk_topic_conf_str(conf ? conf->topic_conf : NULL, name);
}

/* ------------------------------------------------ building a kfk_conf */

static int applies(const rdk_prop *p, rd_kafka_type_t type) {
    int prod = !!(p->flags & RDK_F_PRODUCER), cons = !!(p->flags & RDK_F_CONSUMER);
    if (prod == cons) return 1;
    return prod ? type == RD_KAFKA_PRODUCER : type == RD_KAFKA_CONSUMER;
}

/* Sets key to value on k; on failure errstr names the librdkafka property. */
static int kset(kfk_conf *k, const char *prop, const char *key, const char *value, char *errstr,
                size_t size) {
    char why[256];
    if (kfk_conf_set(k, key, value, why, sizeof why) == 0) return 0;
    rdk_seterr(errstr, size, "Invalid value \"%s\" for configuration property \"%s\": %s", value, prop,
           why);
    return -1;
}

/* The value kfk takes for property p's value v, into buf; NULL: leave kfk's. */
static const char *xlat(const rdk_prop *p, const char *v, const char *codec, char *buf,
                        size_t size) {
    long long n;
    switch ((enum rdk_xlat)p->xlat) {
    case RDK_X_SAME:
        return v;
    case RDK_X_MIN1024:
    case RDK_X_MIN1: {
        long long least = p->xlat == RDK_X_MIN1 ? 1 : 1024;
        n = atoll(v);
        snprintf(buf, size, "%lld", n < least ? least : n);
        return buf;
    }
    case RDK_X_MAX1000:
        n = atoll(v);
        snprintf(buf, size, "%lld", n > 1000 ? 1000 : n);
        return buf;
    case RDK_X_POS:
        return atoll(v) < 0 ? NULL : v;
    case RDK_X_UPPER:
        snprintf(buf, size, "%s", v);
        for (char *c = buf; *c; c++) *c = (char)toupper((unsigned char)*c);
        return buf;
    case RDK_X_PROBE:
        return strcmp(v, "probe") ? v : "";
    case RDK_X_NONE:
        return strcmp(v, "none") ? v : "";
    case RDK_X_KIB:
    case RDK_X_KIB40: {
        long long max = p->xlat == RDK_X_KIB ? INT32_MAX : (1LL << 40);
        n = atoll(v) * 1024;
        snprintf(buf, size, "%lld", n > max ? max : n);
        return buf;
    }
    case RDK_X_ZEROINF:
        return atoll(v) == 0 ? "2147483647" : v;
    case RDK_X_DBL:
        snprintf(buf, size, "%lld", (long long)strtod(v, NULL));
        return buf;
    case RDK_X_CODEC:
        return strcmp(v, "inherit") ? v : codec;
    case RDK_X_ACKS:
        return v;
    case RDK_X_RESET:
        if (!strcmp(v, "smallest")) return "earliest";
        if (!strcmp(v, "largest")) return "latest";
        return "none";
    }
    return v;
}

/* Translates scope's properties of props (NULL: all defaults) onto k. */
static int build_scope(kfk_conf *k, int scope, const rdk_props *props, rd_kafka_type_t type,
                       const char *codec, char *errstr, size_t size) {
    char buf[64];
    for (int i = 0; i < rdk_props_cnt; i++) {
        const rdk_prop *p = &rdk_props_table[i];
        if (!(p->flags & scope) || p->type == RDK_ALIAS || !applies(p, type)) continue;
        int set = props && props->e[i].set;
        const char *v = rdk_prop_value(props, i);
        if (p->use == RDK_USE_REFUSE) {
            if (set && v && (!p->def || strcmp(v, p->def))) {
                rdk_seterr(errstr, size,
                       "Configuration property \"%s\" not supported in this build: "
                       "kfk cannot honour \"%s\"",
                       p->name, v);
                return -1;
            }
            continue;
        }
        if (!p->kfk || !v) continue;
        int always = p->use == RDK_USE_KFK ||
                     (type == RD_KAFKA_CONSUMER && !strcmp(p->name, "allow.auto.create.topics"));
        if (!always && !(p->use == RDK_USE_KFK_SET && set)) continue;
        if (p->xlat == RDK_X_ACKS && strcmp(v, "-1") && strcmp(v, "0") && strcmp(v, "1")) {
            rdk_seterr(errstr, size,
                   "Configuration property \"%s\" not supported in this build: "
                   "kfk cannot honour \"%s\" (brokers take -1, 0 or 1)",
                   p->name, v);
            return -1;
        }
        const char *kv = xlat(p, v, codec, buf, sizeof buf);
        if (kv && kset(k, p->name, p->kfk, kv, errstr, size)) return -1;
    }
    return 0;
}

/* compression.level: kfk keeps a level per codec, in its own ranges. */
static int build_level(kfk_conf *k, const char *codec, const char *level, char *errstr,
                       size_t size) {
    int lv = atoi(level);
    if (lv == -1) return 0;
    static const struct {
        const char *codec, *key;
        int min, max;
    } levels[] = {{"gzip", "compression.gzip.level", 0, 9},
                  {"lz4", "compression.lz4.level", 1, 17},
                  {"zstd", "compression.zstd.level", 1, 22}};
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        if (strcmp(codec, levels[i].codec)) continue;
        char buf[16];
        snprintf(buf, sizeof buf, "%d",
                 lv < levels[i].min ? levels[i].min : lv > levels[i].max ? levels[i].max : lv);
        return kset(k, "compression.level", levels[i].key, buf, errstr, size);
    }
    return 0;
}

static int is_set(const rdk_props *props, int scope, const char *name) {
    int i = rdk_prop_find(scope, name);
    return props && i >= 0 && props->e[i].set;
}

int rdk_conf_is_set(const rd_kafka_conf_t *conf, const char *name) {
    return is_set(conf->props, RDK_F_GLOBAL, name);
}

static double num(const rdk_props *props, int scope, const char *name) {
    const char *v = rdk_prop_value(props, rdk_prop_find(scope, name));
    return v ? strtod(v, NULL) : 0;
}

/* librdkafka's checks of a whole configuration at rd_kafka_new (its texts),
 * and the values it adjusts, set on k over the translated ones. */
static const char *finalize(const rd_kafka_conf_t *conf, rd_kafka_type_t type, kfk_conf *k) {
    const rdk_props *g = conf->props;
    const rdk_props *t = conf->topic_conf ? conf->topic_conf->props : NULL;
    char buf[32];
#define G(n) num(g, RDK_F_GLOBAL, n)
#define T(n) num(t, RDK_F_TOPIC, n)
#define SETG(n) is_set(g, RDK_F_GLOBAL, n)
#define SETT(n) is_set(t, RDK_F_TOPIC, n)
    if (SETG("ssl.keystore.location") && !SETG("ssl.keystore.password"))
        return "`ssl.keystore.password` is mandatory when `ssl.keystore.location` is set";
    if (type == RD_KAFKA_CONSUMER) {
        double fetch_max = G("fetch.max.bytes");
        if (SETG("fetch.max.bytes")) {
            if (fetch_max < G("message.max.bytes"))
                return "`fetch.max.bytes` must be >= `message.max.bytes`";
        } else {
            double q = G("queued.max.messages.kbytes") * 1024;
            fetch_max = fetch_max < q ? fetch_max : q;
            if (fetch_max < G("message.max.bytes")) fetch_max = G("message.max.bytes");
            snprintf(buf, sizeof buf, "%.0f", fetch_max);
            kfk_conf_set(k, "fetch.max.bytes", buf, NULL, 0);
        }
        if (SETG("receive.message.max.bytes") && fetch_max + 512 > G("receive.message.max.bytes"))
            return "`receive.message.max.bytes` must be >= `fetch.max.bytes` + 512";
        if (G("max.poll.interval.ms") < G("session.timeout.ms"))
            return "`max.poll.interval.ms`must be >= `session.timeout.ms`";
        /* librdkafka gives a fetch fetch.wait.max.ms plus socket.timeout.ms;
         * kfk wants its request timeout above the wait */
        double wait = G("fetch.wait.max.ms");
        if (wait >= atof(kfk_conf_get(k, "request.timeout.ms"))) {
            double req = wait + G("socket.timeout.ms");
            snprintf(buf, sizeof buf, "%.0f", req > INT32_MAX ? (double)INT32_MAX : req);
            kfk_conf_set(k, "request.timeout.ms", buf, NULL, 0);
        }
    } else if (type == RD_KAFKA_PRODUCER) {
        int idemp = strcmp(rdk_conf_str(conf, "enable.idempotence"), "true") == 0;
        int txn = *rdk_conf_str(conf, "transactional.id") != '\0';
        double mt = T("message.timeout.ms"), linger = G("queue.buffering.max.ms");
        if (txn) {
            if (!idemp) {
                if (SETG("enable.idempotence"))
                    return "`transactional.id` requires `enable.idempotence=true`";
                idemp = 1;
                kfk_conf_set(k, "enable.idempotence", "true", NULL, 0);
            }
            if (SETG("socket.timeout.ms") &&
                G("transaction.timeout.ms") + 100 < G("socket.timeout.ms"))
                return "`socket.timeout.ms` must be set <= `transaction.timeout.ms` + 100";
        }
        if (idemp) {
            if (SETG("max.in.flight") && G("max.in.flight") > 5)
                return "`max.in.flight` must be set <= 5 when `enable.idempotence` is true";
            if (SETG("retries") && G("retries") < 1)
                return "`retries` must be set >= 1 when `enable.idempotence` is true";
            if (SETG("queue.buffering.backpressure.threshold") &&
                G("queue.buffering.backpressure.threshold") > 1)
                return "`queue.buffering.backpressure.threshold` must be set to 1 when "
                       "`enable.idempotence` is true";
            if (SETT("acks") && T("acks") != -1)
                return "`acks` must be set to `all` when `enable.idempotence` is true";
            if (SETT("queuing.strategy") &&
                strcmp(rdk_topic_conf_str(conf->topic_conf, "queuing.strategy"), "fifo"))
                return "`queuing.strategy` must be set to `fifo` when `enable.idempotence` is "
                       "true";
            if (txn) {
                if (!SETT("message.timeout.ms")) {
                    mt = G("transaction.timeout.ms");
                    snprintf(buf, sizeof buf, "%.0f", mt);
                    kfk_conf_set(k, "delivery.timeout.ms", buf, NULL, 0);
                } else if (mt > G("transaction.timeout.ms")) {
                    return "`message.timeout.ms` must be set <= `transaction.timeout.ms`";
                }
            }
        } else if (SETG("enable.gapless.guarantee") &&
                   !strcmp(rdk_conf_str(conf, "enable.gapless.guarantee"), "true")) {
            return "`enable.gapless.guarantee` requires `enable.idempotence` to be enabled";
        }
        if (mt != 0 && mt <= linger) {
            if (SETG("queue.buffering.max.ms"))
                return "`message.timeout.ms` must be greater than `linger.ms`";
            linger = (double)(long long)(mt - 0.1);
            snprintf(buf, sizeof buf, "%.0f", linger);
            kfk_conf_set(k, "linger.ms", buf, NULL, 0);
        }
        /* librdkafka bounds a produce request by the message's remaining
         * time; kfk wants delivery.timeout.ms >= linger.ms + request.timeout.ms */
        double left = (mt == 0 ? (double)INT32_MAX : mt) - (double)(long long)linger;
        if (left < atof(kfk_conf_get(k, "request.timeout.ms"))) {
            snprintf(buf, sizeof buf, "%.0f", left < 1 ? 1.0 : left);
            kfk_conf_set(k, "request.timeout.ms", buf, NULL, 0);
        }
    }
    if (G("reconnect.backoff.max.ms") < G("reconnect.backoff.ms"))
        return "`reconnect.backoff.max.ms` must be >= `reconnect.max.ms`";
    /* librdkafka 2.0 waits retry.backoff.ms between retries, not growing */
    if (SETG("retry.backoff.ms")) {
        snprintf(buf, sizeof buf, "%.0f", G("retry.backoff.ms"));
        kfk_conf_set(k, "retry.backoff.max.ms", buf, NULL, 0);
    }
#undef G
#undef T
#undef SETG
#undef SETT
    return NULL;
}

kfk_conf *rdk_conf_build(const rd_kafka_conf_t *conf, rd_kafka_type_t type, char *errstr,
                         size_t errstr_size) {
    kfk_conf *k = kfk_conf_new();
    if (!k) {
        rdk_seterr(errstr, errstr_size, "Out of memory");
        return NULL;
    }
    const rdk_props *tprops = conf->topic_conf ? conf->topic_conf->props : NULL;
    const char *codec = rdk_conf_str(conf, "compression.codec");
    const char *tcodec = rdk_topic_conf_str(conf->topic_conf, "compression.codec");
    if (strcmp(tcodec, "inherit")) codec = tcodec;
    const char *why = NULL;
    if (build_scope(k, RDK_F_GLOBAL, conf->props, type, codec, errstr, errstr_size) ||
        build_scope(k, RDK_F_TOPIC, tprops, type, codec, errstr, errstr_size) ||
        (type == RD_KAFKA_PRODUCER &&
         build_level(k, codec, rdk_topic_conf_str(conf->topic_conf, "compression.level"), errstr,
                     errstr_size)) ||
        (why = finalize(conf, type, k))) {
        if (why) rdk_seterr(errstr, errstr_size, "%s", why);
        kfk_conf_destroy(k);
        return NULL;
    }
    return k;
}

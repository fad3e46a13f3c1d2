/* Logging: the lines of every kfk client of a handle reach the application
 * as librdkafka's (log_cb, the log queue's LOG events, else stderr; fac is
 * the context upper-cased), filtered by the handle's log_level and debug
 * contexts; and the broker failures kfk reports on its broker context
 * become librdkafka's errors (error_cb, ERROR events): each failure of a
 * broker, identical ones suppressed for 30 s, and all brokers down. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "rdk_int.h"

/* librdkafka's debug contexts, bit i being RD_KAFKA_DBG's 1 << i. */
static const char *const ctx_names[] = {
    "generic", "broker", "topic",    "metadata",    "feature", "queue",    "msg",
    "protocol", "cgrp",  "security", "fetch",       "interceptor", "plugin", "consumer",
    "admin",   "eos",    "mock",     "assignor",    "conf"};
#define NCTX (int)(sizeof ctx_names / sizeof ctx_names[0])
#define CTX_BROKER (1u << 1)
#define CTX_CGRP (1u << 8)
#define CTX_SECURITY (1u << 9)
#define CTX_CONSUMER (1u << 13)
/* The contexts kfk's "debug" key knows (the others are librdkafka's alone). */
static const char *const kfk_ctx[] = {"generic", "broker", "topic",    "metadata", "protocol", "msg",
                                      "fetch",   "cgrp",   "consumer", "security", "eos", "admin"};

#define NBROKERS 64
#define SUPPRESS_MS 30000

/* What the handle's main client said last about each broker (host:port). */
struct rdk_brokers {
    pthread_mutex_t lock;
    int n, down_reported;
    int sasl; /* SASL connections are up once authenticated */
    struct {
        char addr[128];
        int down;
        int err;
        char errstr[256];
        int64_t at_ms;
    } b[NBROKERS];
};

static int ctx_bit(const char *name) {
    for (int i = 0; i < NCTX; i++)
        if (!strcmp(ctx_names[i], name)) return i;
    return -1;
}

/* The librdkafka contexts of the "debug" value (comma separated, "all"). */
static uint32_t debug_mask(const char *v) {
    uint32_t m = 0;
    while (v && *v) {
        size_t len = strcspn(v, ", ");
        char name[32];
        if (len && len < sizeof name) {
            memcpy(name, v, len);
            name[len] = '\0';
            int b = ctx_bit(name);
            if (!strcmp(name, "all")) m = ~0u;
            else if (b >= 0) m |= 1u << b;
        }
        v += len;
        v += strspn(v, ", ");
    }
    return m;
}

const char *rdk_log_ctx_name(int bit) { return bit >= 0 && bit < NCTX ? ctx_names[bit] : NULL; }

int rdk_log_setup(rd_kafka_t *rk) {
    rk->debug = debug_mask(rdk_conf_str(rk->conf, "debug"));
    const char *level = rdk_conf_str(rk->conf, "log_level");
    int lv = level ? atoi(level) : 6;
    if (rk->debug) lv = 7; /* as librdkafka: debug contexts log at 7 */
    __atomic_store_n(&rk->log_level, lv, __ATOMIC_RELAXED);
    rk->brokers = calloc(1, sizeof *rk->brokers);
    if (!rk->brokers) return -1;
    pthread_mutex_init(&rk->brokers->lock, NULL);
    rk->brokers->sasl = !strncasecmp(rdk_conf_str(rk->conf, "security.protocol"), "sasl", 4);
    const char *q = rdk_conf_str(rk->conf, "log.queue");
    if (q && !strcmp(q, "true") && !(rk->log_q = rdk_queue_new(rk, RDK_Q_CUSTOM))) return -1;
    return 0;
}

void rdk_log_free(rd_kafka_t *rk) {
    if (!rk->brokers) return;
    pthread_mutex_destroy(&rk->brokers->lock);
    free(rk->brokers);
    rk->brokers = NULL;
}

/* Hands a line to the application: the log queue, log_cb or stderr. */
static void deliver(rd_kafka_t *rk, int level, const char *ctx, const char *fac, const char *buf) {
    if (rk->log_q) {
        struct rd_kafka_op_s *op = rdk_op_new(rk, RD_KAFKA_EVENT_LOG);
        if (!op) return;
        op->level = level;
        op->ctx = ctx;
        op->fac = strdup(fac);
        op->str = strdup(buf);
        if (!op->fac || !op->str) {
            rdk_op_destroy(op);
            return;
        }
        rdk_queue_push(rk->log_q, op);
    } else if (rk->conf && rk->conf->log_cb) {
        rk->conf->log_cb(rk, level, fac, buf);
    } else {
        rd_kafka_log_print(rk, level, fac, buf);
    }
}

void rdk_log(rd_kafka_t *rk, int level, const char *fac, const char *fmt, ...) {
    if (level > __atomic_load_n(&rk->log_level, __ATOMIC_RELAXED)) return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    deliver(rk, level, NULL, fac, buf);
}

void rd_kafka_set_log_level(rd_kafka_t *rk, int level) {
    __atomic_store_n(&rk->log_level, level, __ATOMIC_RELAXED);
}

void rd_kafka_log_print(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    fprintf(stderr, "%%%i|%u.%03u|%s|%s| %s\n", level, (unsigned)tv.tv_sec,
            (unsigned)(tv.tv_usec / 1000), fac, rk ? rk->name : "", buf);
}

rd_kafka_resp_err_t rd_kafka_set_log_queue(rd_kafka_t *rk, rd_kafka_queue_t *rkqu) {
    if (!rk->log_q) return RD_KAFKA_RESP_ERR__NOT_CONFIGURED;
    rd_kafka_queue_forward(rk->log_q, rkqu ? rkqu : rk->main_q);
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

void rdk_push_error(rd_kafka_t *rk, rd_kafka_resp_err_t err, const char *errstr) {
    if (__atomic_load_n(&rk->destroying, __ATOMIC_ACQUIRE) || !rk->main_q) return;
    struct rd_kafka_op_s *op = rdk_op_new(rk, RD_KAFKA_EVENT_ERROR);
    if (!op) return;
    op->err = err;
    op->client_err = 1;
    op->errstr = strdup(errstr);
    rdk_queue_push(rk->main_q, op);
}

/* kfk's error name (kfk_err_name) of a broker failure as librdkafka's
 * code for it: its broker failures are all _TRANSPORT but for name
 * resolution, TLS and authentication. */
static rd_kafka_resp_err_t broker_err(const char *name) {
    static const struct {
        int kfk;
        rd_kafka_resp_err_t rdk;
    } m[] = {{KFK_ERR_RESOLVE, RD_KAFKA_RESP_ERR__RESOLVE},
             {KFK_ERR_SSL, RD_KAFKA_RESP_ERR__SSL},
             {KFK_ERR_AUTHENTICATION, RD_KAFKA_RESP_ERR__AUTHENTICATION},
             {KFK_ERR_SASL_AUTHENTICATION_FAILED, RD_KAFKA_RESP_ERR__AUTHENTICATION},
             {KFK_ERR_UNSUPPORTED_SASL_MECHANISM, RD_KAFKA_RESP_ERR__AUTHENTICATION},
             {KFK_ERR_ILLEGAL_SASL_STATE, RD_KAFKA_RESP_ERR__AUTHENTICATION}};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (!strcmp(kfk_err_name(m[i].kfk), name)) return m[i].rdk;
    return RD_KAFKA_RESP_ERR__TRANSPORT;
}

/* kfk logs a refused certificate or password itself, at error level. */
static int hard_error(rd_kafka_resp_err_t err) {
    return err == RD_KAFKA_RESP_ERR__AUTHENTICATION || err == RD_KAFKA_RESP_ERR__SSL;
}

/* The broker's entry (host:port of label "host:port/id"), added when new;
 * -1 when the table is full. Under the lock. */
static int broker_slot(struct rdk_brokers *t, const char *label, size_t len) {
    size_t alen = len;
    const char *slash = memchr(label, '/', len);
    if (slash) alen = (size_t)(slash - label);
    if (alen >= sizeof t->b[0].addr) alen = sizeof t->b[0].addr - 1;
    for (int i = 0; i < t->n; i++)
        if (strlen(t->b[i].addr) == alen && !memcmp(t->b[i].addr, label, alen)) return i;
    if (t->n == NBROKERS) return -1;
    memcpy(t->b[t->n].addr, label, alen);
    t->b[t->n].addr[alen] = '\0';
    return t->n++;
}

/* kfk's broker lines track each broker's state: "LABEL: disconnected: WHY
 * (ERRNAME); reconnect backoff ..." is a failure; the broker is up (as
 * librdkafka's UP state) once its connection is ready: "LABEL: ApiVersions
 * vN: N APIs ..." without SASL, "LABEL: SASL MECH: authenticated ..." with. */
static void broker_line(rd_kafka_t *rk, const char *msg) {
    struct rdk_brokers *t = rk->brokers;
    const char *p;
    int up;
    if (__atomic_load_n(&rk->destroying, __ATOMIC_ACQUIRE)) return; /* closing its links */
    if ((p = strstr(msg, ": disconnected: "))) {
        up = 0;
    } else if ((p = strstr(msg, t->sasl ? ": SASL " : ": ApiVersions v")) &&
               strstr(p, t->sasl ? ": authenticated" : " APIs (")) {
        up = 1;
    } else {
        return;
    }
    char errstr[400] = "", why[256] = "", name[64] = "";
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__TRANSPORT;
    if (!up) {
        const char *w = p + strlen(": disconnected: ");
        const char *end = strstr(w, "); reconnect backoff");
        if (!end) end = w + strlen(w);
        const char *open = end;
        while (open > w && !(open[0] == ' ' && open[1] == '(')) open--;
        if (open == w) open = end;
        int wl = (int)(open - w);
        snprintf(why, sizeof why, "%.*s", wl, w);
        if (open < end) snprintf(name, sizeof name, "%.*s", (int)(end - open - 2), open + 2);
        if (*name) err = broker_err(name);
        /* kfk closes a connection whose request outlived its deadline, which
         * is often the caller's own timeout (rd_kafka_committed(.., 1)):
         * librdkafka's call timeouts close nothing, so no broker failure */
        if (strstr(why, "a request timed out")) return;
        int label_len = p - msg > 128 ? 128 : (int)(p - msg); /* host:port/id */
        snprintf(errstr, sizeof errstr, "%.*s: %s", label_len, msg, why);
    }
    int64_t now = rdk_now_ms();
    int report = 0, all_down = 0, total = 0;
    pthread_mutex_lock(&t->lock);
    int i = broker_slot(t, msg, (size_t)(p - msg));
    if (i >= 0) {
        if (up) {
            t->b[i].down = 0;
            t->down_reported = 0;
        } else {
            int identical = t->b[i].err == (int)err && !strcmp(t->b[i].errstr, why);
            report = !identical || now - t->b[i].at_ms >= SUPPRESS_MS;
            if (report) t->b[i].at_ms = now;
            t->b[i].err = (int)err;
            snprintf(t->b[i].errstr, sizeof t->b[i].errstr, "%s", why);
            t->b[i].down = 1;
            int down = 0;
            for (int j = 0; j < t->n; j++) down += t->b[j].down;
            total = t->n;
            if (down == total && !t->down_reported) all_down = t->down_reported = 1;
        }
    }
    pthread_mutex_unlock(&t->lock);
    if (report) {
        if (!hard_error(err)) rdk_log(rk, 3, "FAIL", "%s", errstr);
        rdk_push_error(rk, err, errstr);
    }
    if (all_down) {
        char buf[64];
        snprintf(buf, sizeof buf, "%d/%d brokers are down", total, total);
        rdk_push_error(rk, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, buf);
    }
}

/* kfk's line to the application, if its level and context are wanted. */
static void line(rd_kafka_t *rk, int level, const char *context, const char *msg) {
    if (!rk->conf) return; /* a failed rd_kafka_new's clients closing */
    /* kfk's consumer notices (fetch versions, rejoins, offset resets...)
     * are what librdkafka logs at debug level */
    if (level == KFK_LOG_NOTICE && !strcmp(context, "generic")) {
        level = KFK_LOG_DEBUG;
        context = "consumer";
    }
    int bit = ctx_bit(context);
    if (level == KFK_LOG_DEBUG) {
        uint32_t want = bit >= 0 ? 1u << bit : 0;
        if (want == CTX_CGRP) want |= CTX_CONSUMER; /* kfk's consumer lines are cgrp's */
        if (!(rk->debug & want)) return;
    }
    if (level > __atomic_load_n(&rk->log_level, __ATOMIC_RELAXED)) return;
    char fac[32];
    size_t n = 0;
    for (; context[n] && n < sizeof fac - 1; n++)
        fac[n] = (char)(context[n] >= 'a' && context[n] <= 'z' ? context[n] - 32 : context[n]);
    fac[n] = '\0';
    deliver(rk, level, level == KFK_LOG_DEBUG ? rdk_log_ctx_name(bit) : NULL, fac, msg);
}

static void main_client_line(void *opaque, int level, const char *context, const char *msg) {
    rd_kafka_t *rk = opaque;
    if (level == KFK_LOG_DEBUG && rk->brokers &&
        (!strcmp(context, "broker") || !strcmp(context, "security")))
        broker_line(rk, msg);
    line(rk, level, context, msg);
}

static void other_client_line(void *opaque, int level, const char *context, const char *msg) {
    line(opaque, level, context, msg);
}

int rdk_log_conf(rd_kafka_t *rk, kfk_conf *kc, int main_client, char *errstr, size_t errstr_size) {
    /* kfk sends every line; the layer filters (rd_kafka_set_log_level can
     * raise the level later). The main client's broker lines are always
     * on, and its security lines: they are where connection failures and
     * readiness are seen. */
    char debug[256] = "";
    size_t len = 0;
    uint32_t m = rk->debug | (main_client ? CTX_BROKER | CTX_SECURITY : 0);
    for (size_t i = 0; i < sizeof kfk_ctx / sizeof kfk_ctx[0]; i++) {
        int b = ctx_bit(kfk_ctx[i]);
        if (!(m & (1u << b))) continue;
        len += (size_t)snprintf(debug + len, sizeof debug - len, "%s%s", len ? "," : "", kfk_ctx[i]);
    }
    if (kfk_conf_set(kc, "log_level", "7", errstr, errstr_size) ||
        kfk_conf_set(kc, "debug", debug, errstr, errstr_size))
        return -1;
    kfk_conf_set_log_cb(kc, main_client ? main_client_line : other_client_line, rk);
    return 0;
}

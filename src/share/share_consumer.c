/* The public share consumer (kfk.h's SHARE CONSUMER section): lifecycle,
 * poll, acknowledgements and commits, on the application's thread. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "client/core_conf.h"
#include "consumer/chunk.h"
#include "consumer/group.h"
#include "core/alloc.h"
#include "core/conf.h"
#include "net/backoff.h"
#include "net/io.h"
#include "share/share_int.h"

/* Java's group.share.heartbeat.interval.ms default, until the first answer
 * says otherwise. */
#define HB_INTERVAL_MS 5000

kfk_share_consumer *kfk_share_consumer_new(kfk_conf *conf, char *errstr, size_t errstr_size) {
    if (!conf) {
        snprintf(errstr, errstr_size, "no configuration given");
        return NULL;
    }
    const char *group = kfk_conf_str(conf, KFK_CONF_GROUP_ID);
    if (!group || !*group) {
        snprintf(errstr, errstr_size, "group.id: a share consumer needs the share group's id");
        return NULL;
    }
    kfk_share_consumer *c = kfk_calloc(1, sizeof *c);
    char *g = kfk_strndup(group, strlen(group));
    if (!c || !g) {
        kfk_free(c);
        kfk_free(g);
        snprintf(errstr, errstr_size, "out of memory creating the share consumer");
        return NULL;
    }
    kfk_core_conf core_conf;
    kfk_core_conf_from(&core_conf, conf);
    c->core = kfk_core_new(&core_conf, errstr, errstr_size);
    if (!c->core) {
        kfk_free(g);
        kfk_free(c);
        return NULL;
    }
    c->conf = conf;
    c->group = g;
    c->log = kfk_core_log(c->core);
    c->explicit_acks = kfk_conf_enum(conf, KFK_CONF_SHARE_ACKNOWLEDGEMENT_MODE) == 1;
    c->max_wait_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_FETCH_MAX_WAIT_MS);
    c->min_bytes = (int32_t)kfk_conf_int(conf, KFK_CONF_FETCH_MIN_BYTES);
    c->max_bytes = (int32_t)kfk_conf_int(conf, KFK_CONF_FETCH_MAX_BYTES);
    c->part_max_bytes = (int32_t)kfk_conf_int(conf, KFK_CONF_MAX_PARTITION_FETCH_BYTES);
    c->max_records = (int32_t)kfk_conf_int(conf, KFK_CONF_MAX_POLL_RECORDS);
    c->request_timeout_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_REQUEST_TIMEOUT_MS);
    c->api_timeout_ms = (int32_t)kfk_conf_int(conf, KFK_CONF_DEFAULT_API_TIMEOUT_MS);
    c->check_crcs = kfk_conf_bool(conf, KFK_CONF_CHECK_CRCS);
    c->rng = kfk_rand_seed(c);
    kfk_member_id_random(&c->rng, c->member_id);
    c->coord = -1;
    c->hb_interval_ms = HB_INTERVAL_MS;
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->cond, NULL);
    return c;
}

static void free_topics(kfk_share_consumer *c) {
    for (int i = 0; i < c->ntopics; i++) kfk_free(c->topics[i]);
    kfk_free(c->topics);
    c->topics = NULL;
    c->ntopics = 0;
}

void kfk_share_consumer_destroy(kfk_share_consumer *c) {
    if (!c) return;
    kfk_core_destroy(c->core); /* every request has completed by now */
    for (kfk_consumer_message *m = c->qh, *n; m; m = n) {
        n = kfk_cmsg(m)->next;
        kfk_consumer_message_release(m);
    }
    for (int i = 0; i < c->nparts; i++) {
        kfk_free(c->parts[i].topic);
        kfk_share_acks_free(&c->parts[i].acks);
    }
    kfk_free(c->parts);
    for (int i = 0; i < c->nsess; i++) kfk_share_session_free(&c->sess[i]);
    kfk_free(c->sess);
    kfk_free(c->dlv);
    free_topics(c);
    kfk_wbuf_free(&c->zbuf);
    kfk_free(c->group);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->cond);
    kfk_conf_destroy(c->conf);
    kfk_free(c);
}

int kfk_share_consumer_subscribe(kfk_share_consumer *c, const char *const *topics, int n) {
    if (!c || !topics || n <= 0) return KFK_ERR_INVALID_ARG;
    char **v = kfk_calloc((size_t)n, sizeof *v);
    if (!v) return KFK_ERR_NOMEM;
    for (int i = 0; i < n; i++) {
        if (!topics[i] || !*topics[i] || topics[i][0] == '^') {
            for (int k = 0; k < i; k++) kfk_free(v[k]);
            kfk_free(v);
            return KFK_ERR_INVALID_ARG;
        }
        v[i] = kfk_strndup(topics[i], strlen(topics[i]));
        if (!v[i]) {
            for (int k = 0; k < i; k++) kfk_free(v[k]);
            kfk_free(v);
            return KFK_ERR_NOMEM;
        }
    }
    free_topics(c);
    c->topics = v;
    c->ntopics = n;
    kfk_core_metadata_refresh(c->core, (const char *const *)v, n);
    c->hb_due = 0; /* the next poll tells the coordinator */
    return 0;
}

void kfk_share_consumer_set_ack_cb(kfk_share_consumer *c, kfk_share_ack_cb cb, void *opaque) {
    c->ack_cb = cb;
    c->ack_opaque = opaque;
}

/* ------------------------------------------------------ acknowledgements */

static int part_index(kfk_share_consumer *c, const char *topic, int32_t partition) {
    for (int i = 0; i < c->nparts; i++)
        if (c->parts[i].tp.partition == partition && c->parts[i].topic &&
            !strcmp(c->parts[i].topic, topic))
            return i;
    return -1;
}

/* The messages the last poll returned get their implied acknowledgement:
 * accept (implicit mode), or release when the application left one
 * unacknowledged (explicit mode). */
static int settle(kfk_share_consumer *c) {
    int err = 0;
    for (int i = 0; i < c->ndlv; i++) {
        kfk_sdelivered *d = &c->dlv[i];
        if (d->acked || d->part < 0) continue;
        int8_t t = c->explicit_acks ? KFK_ACK_RELEASE : KFK_ACK_ACCEPT;
        if (kfk_share_acks_add(&c->parts[d->part].acks, d->offset, t)) err = KFK_ERR_NOMEM;
    }
    c->ndlv = 0;
    return err;
}

int kfk_share_consumer_acknowledge(kfk_share_consumer *c, const kfk_consumer_message *m,
                                   int type) {
    if (!c || !m || m->err || kfk_cmsg(m)->kind != KFK_KIND_RECORD ||
        (type != KFK_ACK_ACCEPT && type != KFK_ACK_RELEASE && type != KFK_ACK_REJECT))
        return KFK_ERR_INVALID_ARG;
    for (int i = 0; i < c->ndlv; i++) {
        kfk_sdelivered *d = &c->dlv[i];
        if (d->offset != m->offset || d->part < 0 ||
            c->parts[d->part].tp.partition != m->partition ||
            strcmp(c->parts[d->part].topic, m->topic))
            continue;
        if (d->acked) return KFK_ERR_STATE;
        int err = kfk_share_acks_add(&c->parts[d->part].acks, m->offset, (int8_t)type);
        if (!err) d->acked = 1;
        return err;
    }
    return KFK_ERR_STATE;
}

/* ------------------------------------------------------------------ poll */

static kfk_consumer_message *hand_out(kfk_share_consumer *c) {
    kfk_consumer_message *m = c->qh;
    c->qh = kfk_cmsg(m)->next;
    if (!c->qh) c->qt = NULL;
    kfk_cmsg(m)->next = NULL;
    if (c->ndlv == c->capdlv) {
        int cap = c->capdlv ? c->capdlv * 2 : 8;
        kfk_sdelivered *v = kfk_realloc(c->dlv, (size_t)cap * sizeof *v);
        if (!v) {
            /* Without room to remember it the broker gets it back. */
            int p = part_index(c, m->topic, m->partition);
            if (p >= 0) kfk_share_acks_add(&c->parts[p].acks, m->offset, KFK_ACK_RELEASE);
            kfk_consumer_message_release(m);
            return NULL;
        }
        c->dlv = v;
        c->capdlv = cap;
    }
    c->dlv[c->ndlv++] = (kfk_sdelivered){part_index(c, m->topic, m->partition), m->offset, 0};
    return m;
}

static void nap(int64_t ms) {
    if (ms <= 0) return;
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) && errno == EINTR) {
    }
}

static int unassigned_acks(const kfk_share_consumer *c) {
    for (int i = 0; i < c->nparts; i++)
        if (!c->parts[i].assigned && c->parts[i].acks.n) return 1;
    return 0;
}

static int assigned(const kfk_share_consumer *c) {
    for (int i = 0; i < c->nparts; i++)
        if (c->parts[i].assigned && c->parts[i].leader >= 0) return 1;
    return 0;
}

static void ack_now(kfk_share_consumer *c, int64_t deadline, int closing) {
    kfk_partition_list *res = kfk_partition_list_new(4);
    kfk_share_ack_round(c, res, deadline, closing);
    if (res && res->count && c->ack_cb) c->ack_cb(c, res, c->ack_opaque);
    kfk_partition_list_destroy(res);
}

kfk_consumer_message *kfk_share_consumer_poll(kfk_share_consumer *c, int timeout_ms) {
    if (!c) return NULL;
    int err = settle(c);
    int64_t now = kfk_io_clock();
    int64_t deadline = timeout_ms < 0 ? INT64_MAX : now + timeout_ms;
    for (;;) {
        if (c->qh) {
            kfk_consumer_message *m = hand_out(c);
            if (m) return m;
            continue;
        }
        if (!err) err = c->fatal;
        if (err) return kfk_event_new("", -1, KFK_OFFSET_INVALID, err);
        now = kfk_io_clock();
        if (c->ntopics && now >= c->hb_due) {
            c->fatal = kfk_share_heartbeat(c, 0);
            if (c->fatal) continue;
        }
        if (c->ack_pending || unassigned_acks(c)) {
            c->ack_pending = 0;
            ack_now(c, now + c->request_timeout_ms, 0);
        }
        now = kfk_io_clock();
        int64_t left = deadline - now, hb = c->hb_due - now;
        if (!assigned(c)) {
            if (left <= 0) return NULL;
            nap(left < 100 ? left : hb < 100 ? (hb > 0 ? hb : 1) : 100);
            continue;
        }
        int64_t wait = c->max_wait_ms;
        if (wait > left) wait = left > 0 ? left : 0;
        if (wait > hb) wait = hb > 0 ? hb : 0;
        err = kfk_share_fetch_round(c, (int32_t)wait);
        if (!err && !c->qh && kfk_io_clock() >= deadline) return NULL;
    }
}

/* --------------------------------------------------------------- commits */

int kfk_share_consumer_commit_sync(kfk_share_consumer *c, kfk_partition_list **results,
                                   int timeout_ms) {
    if (results) *results = NULL;
    if (!c) return KFK_ERR_INVALID_ARG;
    int err = c->explicit_acks ? 0 : settle(c);
    kfk_partition_list *res = kfk_partition_list_new(4);
    if (!res) return KFK_ERR_NOMEM;
    int64_t t = timeout_ms > 0 ? timeout_ms : c->api_timeout_ms;
    int rc = kfk_share_ack_round(c, res, kfk_io_clock() + t, 0);
    if (!err) err = rc;
    if (results) *results = res;
    else kfk_partition_list_destroy(res);
    return err;
}

int kfk_share_consumer_commit_async(kfk_share_consumer *c) {
    if (!c) return KFK_ERR_INVALID_ARG;
    int err = c->explicit_acks ? 0 : settle(c);
    c->ack_pending = 1;
    return err;
}

int kfk_share_consumer_close(kfk_share_consumer *c) {
    if (!c) return 0;
    int err = settle(c);
    /* Fetched but never handed out: back to the group at once. */
    for (kfk_consumer_message *m = c->qh, *n; m; m = n) {
        n = kfk_cmsg(m)->next;
        int p = part_index(c, m->topic, m->partition);
        if (p >= 0 && kfk_share_acks_add(&c->parts[p].acks, m->offset, KFK_ACK_RELEASE) && !err)
            err = KFK_ERR_NOMEM;
        kfk_consumer_message_release(m);
    }
    c->qh = c->qt = NULL;
    if (c->member_epoch > 0) {
        kfk_partition_list *res = kfk_partition_list_new(4);
        int rc = kfk_share_ack_round(c, res, kfk_io_clock() + c->api_timeout_ms, 1);
        if (res && res->count && c->ack_cb) c->ack_cb(c, res, c->ack_opaque);
        kfk_partition_list_destroy(res);
        if (!err) err = rc;
        kfk_share_heartbeat(c, 1);
    }
    kfk_share_consumer_destroy(c);
    return err;
}

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/alloc.h"
#include "core/arena.h"
#include "kfk.h"
#include "net/conn_int.h"
#include "proto/proto.h"

/* Reads smaller than this waste syscalls; frames larger get a buffer of
 * their own size (net/rxbuf.h), so a big Fetch response is read in place,
 * never copied. */
enum { RX_MIN = 64 * 1024 };

/* ------------------------------------------------------ receive buffers */

static uint32_t be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Moves the unparsed bytes to the start of a buffer of at least `need`
 * bytes: in place when no callback holds the buffer and it is big enough,
 * else into another from the pool (holders keep the old one alive). */
static int rx_relocate(kfk_conn *c, size_t need) {
    size_t have = c->rx_len - c->rx_off;
    kfk_rxbuf *b = c->rx;
    if (need < RX_MIN) need = RX_MIN;
    if (b && !kfk_rxbuf_shared(b) && b->cap >= need) {
        memmove(b->data, b->data + c->rx_off, have);
    } else {
        kfk_rxbuf *nb = kfk_rxbuf_get(c->conf->rx_pool, need);
        if (!nb) return KFK_ERR_NOMEM;
        if (b) memcpy(nb->data, b->data + c->rx_off, have);
        kfk_rxbuf_unref(b);
        c->rx = nb;
    }
    c->rx_off = 0;
    c->rx_len = have;
    return 0;
}

int kfk_conn_recv_space(kfk_conn *c, uint8_t **p, size_t *n) {
    if (c->state == KFK_CONN_DOWN) return KFK_ERR_STATE;
    size_t have = c->rx_len - c->rx_off;
    size_t need = 0; /* the whole frame, once its size is known */
    if (c->rx && have >= 4) {
        uint32_t size = be32(c->rx->data + c->rx_off);
        if (size <= (uint32_t)c->conf->max_response_bytes) need = 4 + (size_t)size;
    }
    kfk_rxbuf *b = c->rx;
    int fits = b && (need ? c->rx_off + need <= b->cap : b->cap - c->rx_len >= RX_MIN / 4);
    if (!fits) {
        int rc = rx_relocate(c, need);
        if (rc) return rc;
    }
    *p = c->rx->data + c->rx_len;
    *n = c->rx->cap - c->rx_len;
    return 0;
}

/* Once every byte is parsed, a big buffer goes back to the pool, so an
 * idle connection holds little memory. */
static void rx_trim(kfk_conn *c) {
    if (!c->rx || c->rx_off != c->rx_len) return;
    if (kfk_rxbuf_shared(c->rx) || c->rx->cap > RX_MIN) {
        kfk_rxbuf_unref(c->rx);
        c->rx = NULL;
    }
    c->rx_off = c->rx_len = 0;
}

/* ------------------------------------------------------------- failures */

static int complete(kfk_conn *c, kfk_request *r, kfk_response *resp) {
    kfk_free(r->frame);
    r->frame = NULL;
    c->pending--;
    resp->node_id = c->node_id;
    resp->api_key = r->api_key;
    resp->version = r->version;
    return r->cb(r->opaque, resp);
}

static void fail(kfk_conn *c, kfk_request *r, int err, const char *errstr) {
    kfk_response resp = {.err = err, .errstr = errstr};
    complete(c, r, &resp);
}

static void fail_list(kfk_conn *c, kfk_list *l, int err, const char *errstr) {
    while (!kfk_list_empty(l)) {
        kfk_request *r = KFK_CONTAINER_OF(l->next, kfk_request, link);
        kfk_list_remove(&r->link);
        fail(c, r, err, errstr);
    }
}

void kfk_conn_close(kfk_conn *c, int err, const char *errstr) {
    c->state = KFK_CONN_DOWN;
    kfk_conn_auth_reset(c);
    c->last_err = err;
    snprintf(c->errstr, sizeof c->errstr, "%s", errstr ? errstr : kfk_err_str(err));
    kfk_rxbuf_unref(c->rx);
    c->rx = NULL;
    c->rx_off = c->rx_len = 0;
    /* Detach first: callbacks may submit again (those wait for start()). */
    kfk_list doomed;
    kfk_list_init(&doomed);
    kfk_list_splice_tail(&doomed, &c->awaiting);
    kfk_list_splice_tail(&doomed, &c->sending);
    kfk_list_splice_tail(&doomed, &c->waiting);
    if (err != KFK_ERR_DESTROYED) c->st.txerrs += c->on_wire; /* lost on the wire */
    c->on_wire = 0;
    fail_list(c, &doomed, err, c->errstr);
}

/* A bad stream or a broker error during setup: the connection's error is
 * `err`, the requests fail with the retriable KFK_ERR_TRANSPORT. */
static int close_bad(kfk_conn *c, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int close_bad(kfk_conn *c, int err, const char *fmt, ...) {
    char msg[sizeof c->errstr];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    kfk_conn_close(c, KFK_ERR_TRANSPORT, msg);
    c->last_err = err;
    return err;
}

/* -------------------------------------------------------------- sending */

int16_t kfk_conn_pick_version(const kfk_conn *c, const kfk_request *r) {
    const kfk_api_info *info = kfk_api_info_get(r->api_key);
    if (!info || r->api_key < 0 || r->api_key >= API_KEYS || c->vmax[r->api_key] < 0) return -1;
    int16_t lo = info->min_version, hi = info->max_version;
    if (r->min_version > lo) lo = r->min_version;
    if (r->max_version >= 0 && r->max_version < hi) hi = r->max_version;
    if (c->vmin[r->api_key] > lo) lo = c->vmin[r->api_key];
    if (c->vmax[r->api_key] < hi) hi = c->vmax[r->api_key];
    return lo <= hi ? hi : -1;
}

static const char *api_name(int16_t key) {
    const kfk_api_info *info = kfk_api_info_get(key);
    return info ? info->name : "unknown";
}

int kfk_conn_encode(kfk_conn *c, kfk_request *r, int16_t version) {
    kfk_wbuf w = {0};
    kfk_wr_i32(&w, 0);
    r->version = version;
    r->corr_id = c->next_corr;
    c->next_corr = c->next_corr == INT32_MAX ? 0 : c->next_corr + 1;
    int rc = kfk_request_header_write(&w, r->api_key, version, r->corr_id, c->conf->client_id);
    if (r->refs) r->refs->count = 0;
    if (!rc && r->encode_refs)
        rc = r->encode_refs(&w, version, r->msg, r->refs);
    else if (!rc)
        rc = r->encode ? r->encode(&w, version, r->msg)
                       : kfk_msg_encode(&w, kfk_request_desc(r->api_key), version, r->msg);
    if (!rc) rc = w.err;
    size_t total = w.len;
    for (int i = 0; !rc && r->refs && i < r->refs->count; i++) total += r->refs->items[i].len;
    if (!rc && total - 4 > INT32_MAX) rc = KFK_ERR_MSG_TOO_LARGE;
    if (rc) {
        kfk_wbuf_free(&w);
        return rc;
    }
    kfk_put_u32(w.data, (uint32_t)(total - 4));
    if (c->conf->versions_sent && r->api_key >= 0 && r->api_key < API_KEYS)
        atomic_store_explicit(&c->conf->versions_sent[r->api_key], version,
                              memory_order_relaxed);
    r->frame = kfk_wbuf_detach(&w, &r->frame_len);
    r->total_len = total;
    r->sent = 0;
    KFK_CONN_DBG(c, KFK_DBG_PROTOCOL, "sent %s v%d (correlation id %d, %zu bytes)",
                 api_name(r->api_key), (int)version, (int)r->corr_id, total);
    return 0;
}

/* Encodes waiting requests while the connection is ready and has room. */
void kfk_conn_fill(kfk_conn *c) {
    while (c->state == KFK_CONN_READY && c->on_wire < c->conf->max_in_flight &&
           !kfk_list_empty(&c->waiting) && !kfk_conn_throttle_hold(c)) {
        kfk_request *r = KFK_CONTAINER_OF(c->waiting.next, kfk_request, link);
        kfk_list_remove(&r->link);
        int16_t v = kfk_conn_pick_version(c, r);
        int rc = v < 0 ? KFK_ERR_UNSUPPORTED_VERSION : kfk_conn_encode(c, r, v);
        if (rc) {
            char msg[120];
            const kfk_api_info *info = kfk_api_info_get(r->api_key);
            snprintf(msg, sizeof msg, "%s: %s", info ? info->name : "unknown API",
                     v < 0 ? "no version both the broker and the request accept"
                           : "request could not be encoded");
            fail(c, r, rc, msg);
            continue;
        }
        kfk_list_insert_tail(&c->sending, &r->link);
        c->on_wire++;
    }
}

void kfk_conn_submit(kfk_conn *c, kfk_request *r, int64_t now) {
    int32_t t = r->timeout_ms > 0 ? r->timeout_ms : c->conf->request_timeout_ms;
    r->deadline = now + t;
    c->now = now;
    r->frame = NULL;
    r->version = -1;
    /* A request struct may be submitted again after it failed: what its
     * last attempt wrote must not make it look on the wire while it waits
     * (its timeout would never fire, and its timer would spin). */
    r->sent = 0;
    r->total_len = 0;
    r->stamp_us = kfk_clock_us();
    c->pending++;
    if (c->freeing) {
        fail(c, r, KFK_ERR_DESTROYED, "connection is being destroyed");
        return;
    }
    kfk_list_insert_tail(&c->waiting, &r->link);
    kfk_conn_fill(c);
}

/* Adds the part of piece [p, p + len), at frame offset *pos, not sent yet. */
static void add_piece(const uint8_t *p, size_t len, size_t sent, size_t *pos, struct iovec *iov,
                      int *n) {
    size_t end = *pos + len;
    if (end > sent && len > 0) {
        size_t skip = sent > *pos ? sent - *pos : 0;
        iov[*n] = (struct iovec){(void *)(p + skip), len - skip};
        (*n)++;
    }
    *pos = end;
}

/* r's unsent pieces, up to max: own bytes, each reference after its
 * offset, then the rest of the own bytes. */
static int request_iov(const kfk_request *r, struct iovec *iov, int max) {
    int n = 0, nrefs = r->refs ? r->refs->count : 0;
    size_t pos = 0, own = 0;
    for (int i = 0; i < nrefs && n < max; i++) {
        const kfk_frame_ref *f = &r->refs->items[i];
        add_piece(r->frame + own, f->at - own, r->sent, &pos, iov, &n);
        own = f->at;
        if (n < max) add_piece(f->ptr, f->len, r->sent, &pos, iov, &n);
    }
    if (n < max) add_piece(r->frame + own, r->frame_len - own, r->sent, &pos, iov, &n);
    return n;
}

int kfk_conn_send_iov(kfk_conn *c, struct iovec *iov, int max) {
    int n = 0;
    for (kfk_list *e = c->sending.next; e != &c->sending && n < max; e = e->next)
        n += request_iov(KFK_CONTAINER_OF(e, kfk_request, link), iov + n, max - n);
    return n;
}

void kfk_conn_sent(kfk_conn *c, size_t n) {
    int64_t us = n > 0 ? kfk_clock_us() : 0;
    if (n > 0) c->st.last_tx_us = us;
    while (n > 0 && !kfk_list_empty(&c->sending)) {
        kfk_request *r = KFK_CONTAINER_OF(c->sending.next, kfk_request, link);
        size_t left = r->total_len - r->sent;
        size_t take = n < left ? n : left;
        r->sent += take;
        n -= take;
        if (r->sent < r->total_len) break;
        kfk_free(r->frame);
        r->frame = NULL;
        kfk_list_remove(&r->link);
        c->st.tx++;
        c->st.txbytes += (int64_t)r->total_len;
        if (r->api_key >= 0 && r->api_key < 100) c->st.req[r->api_key]++;
        kfk_win_add(&c->st.outbuf_latency, us - r->stamp_us);
        r->stamp_us = us;
        if (r->no_response) {
            c->on_wire--;
            kfk_response resp = {0};
            complete(c, r, &resp);
        } else {
            kfk_list_insert_tail(&c->awaiting, &r->link);
        }
    }
    kfk_conn_fill(c);
}

/* ----------------------------------------------------------- ApiVersions */

/* Failures of the internal request are the connection's own: nothing to do. */
static int apiv_failed(void *opaque, kfk_response *resp) { return 0; }

int kfk_conn_push(kfk_conn *c, kfk_request *r, int16_t version, int64_t now) {
    r->deadline = now + c->conf->request_timeout_ms;
    int rc = kfk_conn_encode(c, r, version);
    if (rc) return rc;
    r->stamp_us = kfk_clock_us();
    c->pending++;
    kfk_list_insert_tail(&c->sending, &r->link);
    c->on_wire++;
    return 0;
}

static void apiv_send(kfk_conn *c, int64_t now) {
    kfk_request *r = &c->apiv_req;
    *r = (kfk_request){.api_key = KFK_API_API_VERSIONS, .msg = &c->apiv_msg, .cb = apiv_failed};
    /* KIP-1242 (v5): name the broker we mean, so that an address now held by
     * another node or cluster answers REBOOTSTRAP_REQUIRED instead of
     * serving requests meant for someone else. Bootstrap links know
     * neither. */
    int known = c->node_id >= 0 && c->cluster_id;
    c->apiv_msg.cluster_id = kfk_str_of(known ? c->cluster_id : NULL);
    c->apiv_msg.node_id = known ? c->node_id : -1;
    /* Only allocation can fail here. */
    if (kfk_conn_push(c, r, c->apiv_version, now) != 0)
        close_bad(c, KFK_ERR_NOMEM, "out of memory encoding ApiVersions");
}

/* A broker that does not know our ApiVersions version answers
 * UNSUPPORTED_VERSION with a v0 body listing what it supports (KIP-511):
 * retry at the highest version both support, else at v0. */
static int apiv_done(kfk_conn *c, const kfk_rbuf *body, int64_t now) {
    kfk_arena a = {0};
    kfk_api_versions_response m;
    kfk_rbuf r = *body;
    int rc = kfk_api_versions_response_decode(&r, c->apiv_version, &a, &m);
    if (rc || m.error_code == KFK_ERR_UNSUPPORTED_VERSION) {
        kfk_arena_reset(&a);
        r = *body;
        rc = kfk_api_versions_response_decode(&r, 0, &a, &m);
    }
    if (rc) {
        kfk_arena_reset(&a);
        return close_bad(c, KFK_ERR_MALFORMED, "malformed ApiVersions v%d response",
                         c->apiv_version);
    }
    int err = m.error_code;
    if (err == KFK_ERR_UNSUPPORTED_VERSION) {
        int16_t theirs = -1;
        for (int32_t i = 0; i < m.api_keys.count; i++)
            if (m.api_keys.items[i].api_key == KFK_API_API_VERSIONS)
                theirs = m.api_keys.items[i].max_version;
        kfk_arena_reset(&a);
        int16_t prev = c->apiv_version;
        if (theirs >= 0 && theirs < prev)
            c->apiv_version = theirs;
        else if (prev > 0)
            c->apiv_version = 0;
        else
            return close_bad(c, err, "broker rejected ApiVersions v0");
        KFK_CONN_DBG(c, KFK_DBG_BROKER, "ApiVersions v%d unsupported: retrying with v%d",
                     (int)prev, (int)c->apiv_version);
        apiv_send(c, now);
        return 0;
    }
    if (err == KFK_ERR_REBOOTSTRAP_REQUIRED) {
        kfk_arena_reset(&a);
        return close_bad(c, err, "the broker at this address is not node %d of cluster %s",
                         (int)c->node_id, c->cluster_id ? c->cluster_id : "(unknown)");
    }
    if (err) {
        kfk_arena_reset(&a);
        return close_bad(c, err, "ApiVersions failed: %s", kfk_err_name(err));
    }
    for (int32_t i = 0; i < m.api_keys.count; i++) {
        int16_t k = m.api_keys.items[i].api_key;
        if (k < 0 || k >= API_KEYS) continue;
        c->vmin[k] = m.api_keys.items[i].min_version;
        c->vmax[k] = m.api_keys.items[i].max_version;
    }
    if (c->conf->transaction_version && c->apiv_version >= 3) {
        int16_t level = 0;
        for (int32_t i = 0; i < m.finalized_features.count; i++)
            if (kfk_str_eq(m.finalized_features.items[i].name, "transaction.version"))
                level = m.finalized_features.items[i].max_version_level;
        atomic_store(c->conf->transaction_version, level);
    }
    kfk_arena_reset(&a);
    KFK_CONN_DBG(c, KFK_DBG_BROKER,
                 "ApiVersions v%d: %d APIs (Produce v%d-%d, Fetch v%d-%d, Metadata v%d-%d)",
                 (int)c->apiv_version, (int)m.api_keys.count, c->vmin[KFK_API_PRODUCE],
                 c->vmax[KFK_API_PRODUCE], c->vmin[KFK_API_FETCH], c->vmax[KFK_API_FETCH],
                 c->vmin[KFK_API_METADATA], c->vmax[KFK_API_METADATA]);
    if (c->conf->sasl) {
        kfk_conn_auth_start(c, now);
        return c->state == KFK_CONN_DOWN ? c->last_err : 0;
    }
    c->state = KFK_CONN_READY;
    kfk_conn_fill(c);
    return 0;
}

void kfk_conn_start(kfk_conn *c, int64_t now) {
    for (int i = 0; i < API_KEYS; i++) c->vmin[i] = c->vmax[i] = -1;
    c->state = KFK_CONN_APIVERSIONS;
    c->st.last_tx_us = c->st.last_rx_us = 0; /* txidle/rxidle are per connection */
    c->last_err = 0;
    c->errstr[0] = '\0';
    c->apiv_version = kfk_api_info_get(KFK_API_API_VERSIONS)->max_version;
    apiv_send(c, now);
}

int16_t kfk_conn_api_version(const kfk_conn *c, int16_t api_key, int16_t min, int16_t max) {
    kfk_request r = {.api_key = api_key, .min_version = min, .max_version = max};
    return c->state == KFK_CONN_READY ? kfk_conn_pick_version(c, &r) : -1;
}

/* ------------------------------------------------------------ receiving */

static int on_frame(kfk_conn *c, kfk_rbuf *body, int64_t now) {
    if (kfk_list_empty(&c->awaiting)) {
        c->st.rxcorriderrs++;
        return close_bad(c, KFK_ERR_MALFORMED, "response received with no request awaiting one");
    }
    kfk_request *r = KFK_CONTAINER_OF(c->awaiting.next, kfk_request, link);
    int32_t corr = -1;
    int rc = kfk_response_header_read(body, r->api_key, r->version, &corr);
    if (rc || body->err)
        c->st.rxerrs++;
    else if (corr != r->corr_id)
        c->st.rxcorriderrs++;
    if (rc || body->err || corr != r->corr_id)
        return close_bad(c, KFK_ERR_MALFORMED, "response correlation id %d, expected %d",
                         (int)corr, (int)r->corr_id);
    kfk_list_remove(&r->link);
    c->on_wire--;
    kfk_win_add(&c->st.rtt, kfk_clock_us() - r->stamp_us);
    KFK_CONN_DBG(c, KFK_DBG_PROTOCOL, "received %s v%d (correlation id %d, %zu bytes)",
                 api_name(r->api_key), (int)r->version, (int)corr, kfk_rbuf_left(body));
    kfk_conn_throttle_note(c, r->api_key, r->version, body, now);
    if (r == &c->apiv_req || r == &c->auth_req) {
        c->pending--;
        return r == &c->apiv_req ? apiv_done(c, body, now) : kfk_conn_auth_done(c, body, now);
    }
    /* The callback may free r: keep what the error message needs. */
    int16_t key = r->api_key, version = r->version;
    kfk_response resp = {.body = *body, .buf = c->rx};
    if (complete(c, r, &resp) != 0) {
        c->st.rxerrs++;
        return close_bad(c, KFK_ERR_MALFORMED, "malformed %s v%d response", api_name(key),
                         version);
    }
    kfk_conn_fill(c);
    kfk_conn_auth_poll(c, now);
    return c->state == KFK_CONN_DOWN ? c->last_err : 0; /* the token failed */
}

int kfk_conn_recv_done(kfk_conn *c, size_t n, int64_t now) {
    if (c->state == KFK_CONN_DOWN) return KFK_ERR_STATE;
    c->now = now;
    c->rx_len += n;
    if (n > 0) c->st.last_rx_us = kfk_clock_us();
    while (c->state != KFK_CONN_DOWN && c->rx_len - c->rx_off >= 4) {
        const uint8_t *p = c->rx->data + c->rx_off;
        int32_t size = (int32_t)be32(p);
        if (c->state == KFK_CONN_APIVERSIONS && (p[0] == 0x15 || p[0] == 0x16) && p[1] == 3) {
            kfk_conn_close(c, KFK_ERR_SSL,
                           "the broker answered with TLS: this listener wants "
                           "security.protocol SSL or SASL_SSL");
            return KFK_ERR_SSL;
        }
        if (size < 4 || size > c->conf->max_response_bytes)
            return close_bad(c, KFK_ERR_MALFORMED, "invalid response size %d (maximum %d)",
                             (int)size, (int)c->conf->max_response_bytes);
        if (c->rx_len - c->rx_off < 4 + (size_t)size) break;
        kfk_rbuf body = kfk_rbuf_make(p + 4, (size_t)size);
        c->rx_off += 4 + (size_t)size;
        c->st.rx++;
        c->st.rxbytes += 4 + (int64_t)size;
        int rc = on_frame(c, &body, now);
        if (rc) return rc;
    }
    rx_trim(c);
    return 0;
}

int kfk_conn_feed(kfk_conn *c, const void *data, size_t len, int64_t now) {
    const uint8_t *src = data;
    if (c->state == KFK_CONN_DOWN) return KFK_ERR_STATE;
    while (len > 0) {
        uint8_t *p;
        size_t room;
        int rc = kfk_conn_recv_space(c, &p, &room);
        if (rc) return close_bad(c, rc, "out of memory for a response");
        size_t n = len < room ? len : room;
        memcpy(p, src, n);
        src += n;
        len -= n;
        rc = kfk_conn_recv_done(c, n, now);
        if (rc) return rc;
    }
    return 0;
}

/* ---------------------------------------------------------------- time */

static int64_t list_min_deadline(const kfk_list *l, int64_t min) {
    for (const kfk_list *e = l->next; e != l; e = e->next) {
        const kfk_request *r = KFK_CONTAINER_OF(e, const kfk_request, link);
        if (r->deadline < min) min = r->deadline;
    }
    return min;
}

int64_t kfk_conn_next_deadline(const kfk_conn *c) {
    int64_t t = kfk_conn_auth_deadline(c, INT64_MAX);
    t = kfk_conn_throttle_deadline(c, list_min_deadline(&c->waiting, t));
    t = list_min_deadline(&c->sending, t);
    return list_min_deadline(&c->awaiting, t);
}

static int any_expired(const kfk_list *l, int64_t now) {
    return list_min_deadline(l, INT64_MAX) <= now;
}

/* Moves l's expired requests to out: all of them, or only those with no
 * byte written yet (`unsent_only`; never the connection's own ApiVersions
 * or SASL requests). */
static int take_expired(kfk_conn *c, kfk_list *l, kfk_list *out, int64_t now, int unsent_only) {
    int n = 0;
    for (kfk_list *e = l->next, *next; e != l; e = next) {
        next = e->next;
        kfk_request *r = KFK_CONTAINER_OF(e, kfk_request, link);
        int internal = r == &c->apiv_req || r == &c->auth_req;
        if (r->deadline > now || (unsent_only && (r->sent > 0 || internal))) continue;
        kfk_list_remove(e);
        kfk_list_insert_tail(out, e);
        n++;
    }
    return n;
}

int kfk_conn_tick(kfk_conn *c, int64_t now) {
    c->now = now;
    int was_down = c->state == KFK_CONN_DOWN;
    kfk_conn_auth_poll(c, now);
    if (!was_down && c->state == KFK_CONN_DOWN) return c->last_err; /* the token failed */
    kfk_list expired;
    kfk_list_init(&expired);
    /* Not on the wire yet: these fail alone, the connection stays. */
    c->st.req_timeouts += take_expired(c, &c->waiting, &expired, now, 1);
    int unsent = take_expired(c, &c->sending, &expired, now, 1);
    c->on_wire -= unsent;
    c->st.req_timeouts += unsent;
    fail_list(c, &expired, KFK_ERR_TIMED_OUT, "request timed out before it was sent");
    if (!any_expired(&c->sending, now) && !any_expired(&c->awaiting, now)) {
        kfk_conn_fill(c);
        return 0;
    }
    /* On the wire: its response may still come and would be taken for the
     * next one's, so the connection goes (as the Java client does). */
    c->st.req_timeouts += take_expired(c, &c->sending, &expired, now, 0);
    c->st.req_timeouts += take_expired(c, &c->awaiting, &expired, now, 0);
    kfk_conn_close(c, KFK_ERR_TRANSPORT, "connection closed: a request timed out");
    c->last_err = KFK_ERR_TIMED_OUT;
    fail_list(c, &expired, KFK_ERR_TIMED_OUT, "request timed out");
    return KFK_ERR_TIMED_OUT;
}

/* ------------------------------------------------------------ lifecycle */

kfk_conn *kfk_conn_new(const kfk_conn_conf *conf, int32_t node_id) {
    kfk_conn *c = kfk_calloc(1, sizeof *c);
    if (!c) return NULL;
    c->conf = conf;
    c->node_id = node_id;
    kfk_list_init(&c->waiting);
    kfk_list_init(&c->sending);
    kfk_list_init(&c->awaiting);
    kfk_api_versions_request_init(&c->apiv_msg);
    if (conf->software_name) {
        c->apiv_msg.client_software_name =
            (kfk_str){conf->software_name, (int32_t)strlen(conf->software_name)};
        c->apiv_msg.client_software_version =
            (kfk_str){conf->software_version, (int32_t)strlen(conf->software_version)};
    }
    return c;
}

void kfk_conn_free(kfk_conn *c) {
    if (!c) return;
    c->freeing = 1;
    kfk_conn_close(c, KFK_ERR_DESTROYED, "connection is being destroyed");
    kfk_free(c->cluster_id);
    kfk_free(c);
}

int kfk_conn_set_node(kfk_conn *c, int32_t node_id, const char *cluster_id) {
    c->node_id = node_id;
    if (cluster_id && c->cluster_id && strcmp(cluster_id, c->cluster_id) == 0) return 0;
    char *copy = cluster_id ? kfk_strndup(cluster_id, strlen(cluster_id)) : NULL;
    kfk_free(c->cluster_id);
    c->cluster_id = copy;
    return cluster_id && !copy ? KFK_ERR_NOMEM : 0;
}

void kfk_conn_set_peer(kfk_conn *c, const char *peer) { c->peer = peer; }
void kfk_conn_set_host(kfk_conn *c, const char *host) { c->host = host; }

enum kfk_conn_state kfk_conn_state(const kfk_conn *c) { return c->state; }

int kfk_conn_last_error(const kfk_conn *c, const char **errstr) {
    if (errstr) *errstr = c->errstr;
    return c->last_err;
}

int kfk_conn_pending(const kfk_conn *c) { return c->pending; }
int kfk_conn_in_flight(const kfk_conn *c) { return c->on_wire; }

/* ----------------------------------------------------------- statistics */

kfk_conn_stats *kfk_conn_stats_of(kfk_conn *c) { return &c->st; }

static int64_t list_msgs(const kfk_list *l, int64_t *msgs) {
    int64_t n = 0;
    for (const kfk_list *e = l->next; e != l; e = e->next, n++)
        *msgs += KFK_CONTAINER_OF(e, kfk_request, link)->msgs;
    return n;
}

void kfk_conn_queue_counts(const kfk_conn *c, kfk_stats_broker *b) {
    b->waitresp_msg_cnt = b->outbuf_msg_cnt = 0;
    b->waitresp_cnt = list_msgs(&c->awaiting, &b->waitresp_msg_cnt);
    b->outbuf_cnt = c->pending - b->waitresp_cnt;
    list_msgs(&c->waiting, &b->outbuf_msg_cnt);
    list_msgs(&c->sending, &b->outbuf_msg_cnt);
}

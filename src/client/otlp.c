/* The OTLP metrics writer: see otlp.h. Nested messages are written in
 * place and their length inserted in front once known. */
#include "client/otlp.h"

#include <string.h>

static void pb_varint(kfk_wbuf *w, uint64_t v) {
    uint8_t tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    kfk_wr_raw(w, tmp, n);
}

static void pb_tag(kfk_wbuf *w, int field, int type) {
    pb_varint(w, ((uint64_t)field << 3) | (uint64_t)type);
}

static void pb_fixed64(kfk_wbuf *w, int field, uint64_t v) {
    pb_tag(w, field, KFK_PB_I64);
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i)); /* little-endian */
    kfk_wr_raw(w, b, 8);
}

static void pb_double(kfk_wbuf *w, int field, double d) {
    uint64_t v;
    memcpy(&v, &d, 8);
    pb_fixed64(w, field, v);
}

static void pb_string(kfk_wbuf *w, int field, const char *s) {
    size_t n = strlen(s);
    pb_tag(w, field, KFK_PB_LEN);
    pb_varint(w, n);
    kfk_wr_raw(w, s, n);
}

static void pb_uint(kfk_wbuf *w, int field, uint64_t v) {
    pb_tag(w, field, KFK_PB_VARINT);
    pb_varint(w, v);
}

/* A nested message: begin notes where its body starts, end inserts its
 * tag and length before it. */
static size_t pb_begin(kfk_wbuf *w) {
    return w->len;
}

static void pb_end(kfk_wbuf *w, int field, size_t start) {
    if (w->err)
        return;
    size_t body = w->len - start;
    kfk_wbuf head = {0};
    pb_tag(&head, field, KFK_PB_LEN);
    pb_varint(&head, body);
    if (head.err || !kfk_wbuf_put(w, head.len)) {
        if (!w->err)
            w->err = head.err;
        kfk_wbuf_free(&head);
        return;
    }
    memmove(w->data + start + head.len, w->data + start, body);
    memcpy(w->data + start, head.data, head.len);
    kfk_wbuf_free(&head);
}

/* KeyValue{key=1, value=AnyValue{string_value=1}} as field `field`. */
static void kv(kfk_wbuf *w, int field, const char *key, const char *value) {
    size_t s = pb_begin(w);
    pb_string(w, 1, key);
    size_t v = pb_begin(w);
    pb_string(w, 1, value);
    pb_end(w, 2, v);
    pb_end(w, field, s);
}

static void metric(kfk_wbuf *w, const kfk_otlp_metric *m, int delta, uint64_t now_ns) {
    size_t ms = pb_begin(w);
    pb_string(w, 1, m->name); /* Metric.name */
    size_t data = pb_begin(w);
    size_t dp = pb_begin(w); /* NumberDataPoint */
    if (m->sum)
        pb_fixed64(w, 2, m->start_ns); /* start_time_unix_nano */
    pb_fixed64(w, 3, now_ns);          /* time_unix_nano */
    if (m->sum)
        pb_fixed64(w, 6, (uint64_t)m->ivalue); /* as_int (sfixed64) */
    else
        pb_double(w, 4, m->dvalue); /* as_double */
    for (int i = 0; i < m->nattrs && i < KFK_OTLP_ATTRS; i++)
        kv(w, 7, m->attrs[i].key, m->attrs[i].value); /* attributes */
    pb_end(w, 1, dp);                         /* data_points */
    if (m->sum) {
        pb_uint(w, 2, delta ? KFK_OTLP_DELTA : KFK_OTLP_CUMULATIVE);
        pb_uint(w, 3, 1); /* is_monotonic */
        pb_end(w, 7, data); /* Metric.sum */
    } else {
        pb_end(w, 5, data); /* Metric.gauge */
    }
    pb_end(w, 2, ms); /* ScopeMetrics.metrics */
}

int kfk_otlp_encode(kfk_wbuf *w, const kfk_otlp_kv *resource, int nresource, const char *scope,
                    const kfk_otlp_metric *m, int n, int delta, uint64_t now_ns) {
    size_t rm = pb_begin(w); /* MetricsData.resource_metrics */
    size_t res = pb_begin(w);
    for (int i = 0; i < nresource; i++)
        kv(w, 1, resource[i].key, resource[i].value);
    pb_end(w, 1, res); /* ResourceMetrics.resource */
    size_t sm = pb_begin(w);
    size_t sc = pb_begin(w);
    pb_string(w, 1, scope); /* InstrumentationScope.name */
    pb_end(w, 1, sc);
    for (int i = 0; i < n; i++)
        metric(w, &m[i], delta, now_ns);
    pb_end(w, 2, sm); /* ResourceMetrics.scope_metrics */
    pb_end(w, 1, rm);
    return w->err;
}

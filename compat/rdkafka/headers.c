/* Message headers: librdkafka's list API over an array of kfk_header, which
 * is what kfk's producer takes and its consumer hands out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rdk_int.h"

/* One block holding the object and room for cap entries; extra is added
 * after the entries (rdk_headers_from_kfk's copies). */
static rd_kafka_headers_t *alloc_hdrs(size_t cap, size_t extra) {
    rd_kafka_headers_t *h = malloc(sizeof(*h) + cap * sizeof(kfk_header) + extra);
    if (!h) return NULL;
    h->v = (kfk_header *)(h + 1);
    h->cnt = 0;
    h->cap = cap;
    h->v_alloc = 0;
    h->arena = h->arena_end = (char *)(h->v + cap);
    return h;
}

/* A header's own block is its name; headers copied by rdk_headers_from_kfk
 * live in the object's block. */
static void free_entry(rd_kafka_headers_t *h, const kfk_header *e) {
    uintptr_t a = (uintptr_t)e->name;
    if (a < (uintptr_t)h->arena || a >= (uintptr_t)h->arena_end) free((char *)e->name);
}

rd_kafka_headers_t *rd_kafka_headers_new(size_t initial_count) {
    return alloc_hdrs(initial_count, 0);
}

void rd_kafka_headers_destroy(rd_kafka_headers_t *hdrs) {
    if (!hdrs) return;
    for (size_t i = 0; i < hdrs->cnt; i++) free_entry(hdrs, &hdrs->v[i]);
    if (hdrs->v_alloc) free(hdrs->v);
    free(hdrs);
}

static int reserve(rd_kafka_headers_t *h) {
    if (h->cnt < h->cap) return 0;
    size_t cap = h->cap ? h->cap * 2 : 8;
    kfk_header *v;
    if (h->v_alloc) {
        v = realloc(h->v, cap * sizeof(*v));
    } else if ((v = malloc(cap * sizeof(*v)))) {
        memcpy(v, h->v, h->cnt * sizeof(*v));
    }
    if (!v) return -1;
    h->v = v;
    h->cap = cap;
    h->v_alloc = 1;
    return 0;
}

rd_kafka_resp_err_t rd_kafka_header_add(rd_kafka_headers_t *hdrs, const char *name,
                                        ssize_t name_size, const void *value,
                                        ssize_t value_size) {
    size_t nlen = name_size < 0 ? strlen(name) : (size_t)name_size;
    size_t vlen = 0;
    if (value) vlen = value_size < 0 ? strlen(value) : (size_t)value_size;
    if (reserve(hdrs)) return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    /* name NUL value NUL: values are NUL-terminated as librdkafka's are. */
    char *b = malloc(nlen + 1 + (value ? vlen + 1 : 0));
    if (!b) return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    memcpy(b, name, nlen);
    b[nlen] = '\0';
    kfk_header *e = &hdrs->v[hdrs->cnt++];
    e->name = b;
    e->value = NULL;
    e->value_len = 0;
    if (value) {
        char *v = b + nlen + 1;
        memcpy(v, value, vlen);
        v[vlen] = '\0';
        e->value = v;
        e->value_len = vlen;
    }
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

rd_kafka_headers_t *rd_kafka_headers_copy(const rd_kafka_headers_t *src) {
    rd_kafka_headers_t *h = alloc_hdrs(src->cnt, 0);
    if (!h) return NULL;
    for (size_t i = 0; i < src->cnt; i++) {
        const kfk_header *e = &src->v[i];
        if (rd_kafka_header_add(h, e->name, -1, e->value, (ssize_t)e->value_len)) {
            rd_kafka_headers_destroy(h);
            return NULL;
        }
    }
    return h;
}

rd_kafka_resp_err_t rd_kafka_header_remove(rd_kafka_headers_t *hdrs, const char *name) {
    size_t kept = 0;
    for (size_t i = 0; i < hdrs->cnt; i++) {
        if (!strcmp(hdrs->v[i].name, name))
            free_entry(hdrs, &hdrs->v[i]);
        else
            hdrs->v[kept++] = hdrs->v[i];
    }
    int removed = kept != hdrs->cnt;
    hdrs->cnt = kept;
    return removed ? RD_KAFKA_RESP_ERR_NO_ERROR : RD_KAFKA_RESP_ERR__NOENT;
}

rd_kafka_resp_err_t rd_kafka_header_get_last(const rd_kafka_headers_t *hdrs, const char *name,
                                             const void **valuep, size_t *sizep) {
    for (size_t i = hdrs->cnt; i-- > 0;) {
        if (!strcmp(hdrs->v[i].name, name)) {
            *valuep = hdrs->v[i].value;
            *sizep = hdrs->v[i].value_len;
            return RD_KAFKA_RESP_ERR_NO_ERROR;
        }
    }
    return RD_KAFKA_RESP_ERR__NOENT;
}

rd_kafka_resp_err_t rd_kafka_header_get(const rd_kafka_headers_t *hdrs, size_t idx,
                                        const char *name, const void **valuep, size_t *sizep) {
    size_t seen = 0;
    for (size_t i = 0; i < hdrs->cnt; i++) {
        if (strcmp(hdrs->v[i].name, name)) continue;
        if (seen++ == idx) {
            *valuep = hdrs->v[i].value;
            *sizep = hdrs->v[i].value_len;
            return RD_KAFKA_RESP_ERR_NO_ERROR;
        }
    }
    return RD_KAFKA_RESP_ERR__NOENT;
}

rd_kafka_resp_err_t rd_kafka_header_get_all(const rd_kafka_headers_t *hdrs, size_t idx,
                                            const char **namep, const void **valuep,
                                            size_t *sizep) {
    if (idx >= hdrs->cnt) return RD_KAFKA_RESP_ERR__NOENT;
    *namep = hdrs->v[idx].name;
    *valuep = hdrs->v[idx].value;
    *sizep = hdrs->v[idx].value_len;
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

size_t rd_kafka_header_cnt(const rd_kafka_headers_t *hdrs) { return hdrs->cnt; }

rd_kafka_headers_t *rdk_headers_from_kfk(const kfk_header *h, size_t n) {
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += strlen(h[i].name) + 1 + (h[i].value ? h[i].value_len + 1 : 0);
    /* One allocation: the object, its entries and their copies. */
    rd_kafka_headers_t *hdrs = alloc_hdrs(n, bytes);
    if (!hdrs) return NULL;
    char *p = hdrs->arena;
    for (size_t i = 0; i < n; i++) {
        kfk_header *e = &hdrs->v[i];
        size_t nlen = strlen(h[i].name);
        memcpy(p, h[i].name, nlen + 1);
        e->name = p;
        p += nlen + 1;
        e->value = NULL;
        e->value_len = 0;
        if (h[i].value) {
            memcpy(p, h[i].value, h[i].value_len);
            p[h[i].value_len] = '\0';
            e->value = p;
            e->value_len = h[i].value_len;
            p += h[i].value_len + 1;
        }
    }
    hdrs->cnt = n;
    hdrs->arena_end = p;
    return hdrs;
}

size_t rdk_headers_to_kfk(const rd_kafka_headers_t *hdrs, kfk_header *out, size_t max) {
    size_t n = hdrs->cnt < max ? hdrs->cnt : max;
    if (n) memcpy(out, hdrs->v, n * sizeof(*out));
    return n;
}

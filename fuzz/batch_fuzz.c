/* Arbitrary bytes as a fetched `records` slice: every batch and record of
 * every format is read (once with CRC checks, once without so mutations
 * reach the decoders), every byte of every view touched, each v2 batch read
 * again by the checked record decoder alone (the inline one must agree),
 * and rebuilt from its records and read back to the same records. */
#include <stdlib.h>

#include "kfk.h"
#include "records/batch.h"

#define LIMIT (64u << 10) /* decompression limit: small, to keep runs fast */
#define MAX_HEADERS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

static void touch(const void *p, int32_t len) {
    for (int32_t i = 0; i < len; i++) sink ^= ((const uint8_t *)p)[i];
}

static int same(kfk_bytes a, kfk_bytes b) {
    return a.len == b.len && (a.len <= 0 || memcmp(a.ptr, b.ptr, (size_t)a.len) == 0);
}

static int same_record(const kfk_record *a, const kfk_record *b) {
    return a->offset == b->offset && a->timestamp == b->timestamp && a->key.ptr == b->key.ptr &&
           a->key.len == b->key.len && a->value.ptr == b->value.ptr &&
           a->value.len == b->value.len && a->header_count == b->header_count &&
           a->headers.ptr == b->headers.ptr && a->headers.len == b->headers.len;
}

/* The records of a (decoded) batch, kept to rebuild it. */
typedef struct kept {
    kfk_record rec;
    kfk_record_header headers[MAX_HEADERS];
    size_t header_count;
} kept;

static void check_rebuild(const kept *recs, size_t n) {
    kfk_wbuf out = {0};
    kfk_batch_builder b;
    kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
    kfk_records_iter it;
    kfk_record rec;
    if (kfk_batch_builder_init(&b, &out)) abort();
    for (size_t i = 0; i < n; i++)
        if (kfk_batch_append(&b, recs[i].rec.timestamp, recs[i].rec.key, recs[i].rec.value,
                             recs[i].headers, recs[i].header_count) <= 0)
            abort();
    if (kfk_batch_finish(&b, &o, NULL)) abort();
    kfk_records_iter_init(&it, out.data, out.len, NULL, 0, 0);
    for (size_t i = 0; i < n; i++) {
        kfk_header_iter hi;
        kfk_record_header h;
        if (kfk_records_next(&it, &rec) != 1 || rec.timestamp != recs[i].rec.timestamp ||
            !same(rec.key, recs[i].rec.key) || !same(rec.value, recs[i].rec.value) ||
            rec.header_count != (int32_t)recs[i].header_count)
            abort();
        hi = kfk_record_headers(&rec);
        for (size_t j = 0; kfk_header_next(&hi, &h); j++) {
            const kfk_record_header *w = &recs[i].headers[j];
            if (h.key.len != w->key.len || memcmp(h.key.ptr, w->key.ptr, (size_t)h.key.len) ||
                !same(h.value, w->value))
                abort();
        }
    }
    if (kfk_records_next(&it, &rec) != 0) abort();
    kfk_wbuf_free(&out);
}

static void drain(const uint8_t *data, size_t size, int flags, kfk_wbuf *z) {
    static kept recs[4096];
    kfk_records_iter it;
    kfk_record rec;
    kfk_records_iter_init(&it, data, size, z, LIMIT, flags);
    while (kfk_records_next_batch(&it) == 1) {
        size_t n = 0;
        int rebuild = it.batch.magic == 2, rc;
        kfk_records_iter again = it; /* the same v2 batch through the checked decoder alone */
        kfk_record rec2;
        while ((rc = kfk_records_next_in_batch(&it, &rec)) == 1) {
            if (it.batch.magic == 2 && (kfk_batch_v2_next_checked(&again, &rec2) != 1 ||
                                        !same_record(&rec, &rec2)))
                abort();
            kfk_header_iter hi = kfk_record_headers(&rec);
            kfk_record_header h;
            size_t hn = 0;
            touch(rec.key.ptr, rec.key.len);
            touch(rec.value.ptr, rec.value.len);
            if (n == sizeof recs / sizeof recs[0]) rebuild = 0;
            while (kfk_header_next(&hi, &h)) {
                touch(h.key.ptr, h.key.len);
                touch(h.value.ptr, h.value.len);
                if (hn == MAX_HEADERS) rebuild = 0;
                if (rebuild) recs[n].headers[hn++] = h;
            }
            if (rebuild) {
                recs[n].rec = rec;
                recs[n++].header_count = hn;
            }
        }
        if (it.batch.magic == 2 && kfk_batch_v2_next_checked(&again, &rec2) != rc) abort();
        if (rc == 0 && rebuild && n) check_rebuild(recs, n);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static kfk_wbuf z; /* reused, as a consumer would */
    drain(data, size, 0, &z);
    drain(data, size, KFK_RECORDS_SKIP_CRC, &z);
    return 0;
}

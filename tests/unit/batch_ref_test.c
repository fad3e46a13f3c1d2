/* Batches that reference values instead of copying them: flattened, they
 * are byte for byte the copied batch, CRC included. */
#include <stdlib.h>

#include "core/alloc.h"
#include "kfk.h"
#include "records/batch.h"
#include "records/crc32c.h"
#include "test.h"

static kfk_bytes B(const char *s) { return (kfk_bytes){(const uint8_t *)s, (int32_t)strlen(s)}; }
static const kfk_bytes NUL = {NULL, -1};

/* Records of mixed sizes: which are appended by reference is `mask`'s
 * bit i (values of one byte or more only). */
enum { N = 6 };
static uint8_t vals[N][3000];
static const int32_t lens[N] = {1, 3000, 0, 17, 2500, 1};

static kfk_bytes val(int i) {
    for (int32_t k = 0; k < lens[i]; k++) vals[i][k] = (uint8_t)(i * 31 + k);
    return (kfk_bytes){vals[i], lens[i]};
}

static void build(kfk_wbuf *out, kfk_batch_refs *refs, unsigned mask, kfk_batch_builder *b) {
    kfk_record_header h = {{"h", 1}, B("x")};
    REQUIRE_EQ(kfk_batch_builder_init(b, out), 0);
    if (refs) kfk_batch_builder_use_refs(b, refs);
    for (int i = 0; i < N; i++) {
        kfk_bytes k = i % 2 ? B("key") : NUL;
        int by_ref = refs && (mask >> i & 1) && lens[i] > 0;
        int64_t size = kfk_batch_record_size(b, 1000 + i, k, val(i), &h, (size_t)(i % 3 == 0));
        int rc = by_ref ? kfk_batch_append_ref(b, 1000 + i, k, val(i), &h, (size_t)(i % 3 == 0))
                        : kfk_batch_append(b, 1000 + i, k, val(i), &h, (size_t)(i % 3 == 0));
        REQUIRE_EQ(rc, size);
    }
}

TEST(flattened_equals_copied) {
    kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
    o.producer_id = 42;
    o.producer_epoch = 3;
    o.base_sequence = 7;
    kfk_wbuf copied = {0};
    kfk_batch_builder cb;
    build(&copied, NULL, 0, &cb);
    REQUIRE_EQ(kfk_batch_finish(&cb, &o, NULL), 0);
    for (unsigned mask = 1; mask < (1u << N); mask++) {
        kfk_wbuf own = {0}, flat = {0};
        kfk_batch_refs refs = {0};
        kfk_batch_builder b;
        kfk_wr_raw(&own, "xyz", 3); /* the batch need not start the buffer */
        build(&own, &refs, mask, &b);
        CHECK_EQ(kfk_batch_builder_size(&b), copied.len);
        int want = 0;
        for (int i = 0; i < N; i++) want += (mask >> i & 1) && lens[i] > 0;
        CHECK_EQ(refs.count, want);
        CHECK_EQ(own.len - 3 + refs.bytes, copied.len);
        REQUIRE_EQ(kfk_batch_finish(&b, &o, NULL), 0);
        REQUIRE_EQ(kfk_batch_flatten(own.data + 3, own.len - 3, &refs, &flat), 0);
        REQUIRE_EQ(flat.len, copied.len);
        CHECK_MEM(flat.data, copied.data, copied.len);
        CHECK_EQ(kfk_batch_crc(own.data + 3, own.len - 3, &refs),
                 kfk_crc32c(0, copied.data + 21, copied.len - 21));
        kfk_wbuf_free(&own);
        kfk_wbuf_free(&flat);
        kfk_free(refs.items);
    }
    kfk_wbuf_free(&copied);
}

/* The reader (checking CRCs) gets back every value of a flattened batch. */
TEST(flattened_batch_reads_back) {
    kfk_wbuf own = {0}, flat = {0}, z = {0};
    kfk_batch_refs refs = {0};
    kfk_batch_builder b;
    kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
    build(&own, &refs, 0x3f, &b);
    REQUIRE_EQ(kfk_batch_finish(&b, &o, NULL), 0);
    REQUIRE_EQ(kfk_batch_flatten(own.data, own.len, &refs, &flat), 0);
    kfk_records_iter it;
    kfk_record rec;
    kfk_records_iter_init(&it, flat.data, flat.len, &z, 1 << 20, 0);
    int i = 0;
    while (kfk_records_next(&it, &rec) == 1) {
        REQUIRE(i < N);
        CHECK_EQ(rec.value.len, lens[i]);
        if (lens[i] > 0) CHECK_MEM(rec.value.ptr, vals[i], (size_t)lens[i]);
        CHECK_EQ(rec.offset, i);
        i++;
    }
    CHECK_EQ(i, N);
    CHECK_EQ(it.err, 0);
    kfk_wbuf_free(&own);
    kfk_wbuf_free(&flat);
    kfk_wbuf_free(&z);
    kfk_free(refs.items);
}

/* Appending by reference needs refs and a value; compressing needs the
 * values in the buffer. Failures leave the batch as it was. */
TEST(refused_references) {
    kfk_wbuf own = {0};
    kfk_batch_builder b;
    REQUIRE_EQ(kfk_batch_builder_init(&b, &own), 0);
    CHECK_EQ(kfk_batch_append_ref(&b, 1, NUL, B("v"), NULL, 0), KFK_ERR_INVALID_ARG);
    kfk_batch_refs refs = {0};
    kfk_batch_builder_use_refs(&b, &refs);
    CHECK_EQ(kfk_batch_append_ref(&b, 1, NUL, NUL, NULL, 0), KFK_ERR_INVALID_ARG);
    CHECK_EQ(kfk_batch_append_ref(&b, 1, NUL, B(""), NULL, 0), KFK_ERR_INVALID_ARG);
    CHECK_EQ(b.count, 0);
    CHECK(kfk_batch_append_ref(&b, 1, NUL, B("value"), NULL, 0) > 0);
    kfk_batch_opts o = KFK_BATCH_OPTS_INIT;
    o.codec = KFK_CODEC_GZIP;
    size_t len = own.len;
    CHECK_EQ(kfk_batch_finish(&b, &o, NULL), KFK_ERR_INVALID_ARG);
    CHECK_EQ(own.len, len);
    o.codec = KFK_CODEC_NONE;
    CHECK_EQ(kfk_batch_finish(&b, &o, NULL), 0);
    kfk_rbuf r = kfk_rbuf_make(own.data + 8, 4);
    CHECK_EQ(kfk_rd_u32(&r), (uint32_t)(own.len + 5 - 12)); /* batchLength counts the value */
    kfk_wbuf_free(&own);
    kfk_free(refs.items);
}

/* Record batches against the real broker: a batch kfk built with each codec
 * comes back from the broker byte-identical (but for the fields the broker
 * owns: base offset and leader epoch), and batches librdkafka (kcat)
 * produced, as the broker stored them, pass kfk's CRC32C and parse to the
 * records that were sent. */
#include "it.h"
#include "records/batch.h"
#include "records/crc32c.h"

#define RECORDS 50

typedef struct produce_result {
    int16_t error_code;
    int64_t base_offset;
} produce_result;

static int decode_produce(void *opaque, kfk_response *resp) {
    produce_result *out = opaque;
    kfk_arena a = {0};
    kfk_produce_response m;
    int rc = kfk_produce_response_decode(&resp->body, resp->version, &a, &m);
    if (!rc && m.responses.count == 1 && m.responses.items[0].partition_responses.count == 1) {
        out->error_code = m.responses.items[0].partition_responses.items[0].error_code;
        out->base_offset = m.responses.items[0].partition_responses.items[0].base_offset;
    } else if (!rc) {
        rc = KFK_ERR_MALFORMED;
    }
    kfk_arena_reset(&a);
    return rc;
}

static kfk_uuid topic_id_of(kfk_core *c, const char *topic) {
    kfk_uuid id = {{0}};
    kfk_metadata *md = kfk_core_metadata(c);
    const kfk_md_topic *t = md ? kfk_metadata_topic(md, topic) : NULL;
    if (t) id = t->id;
    kfk_metadata_unref(md);
    return id;
}

/* Produces one batch to partition 0 and returns its base offset, or -1. */
static int64_t produce(kfk_core *c, const char *topic, const uint8_t *batch, size_t len) {
    kfk_produce_request_partition_produce_data pd = {
        .index = 0, .records = {batch, (int32_t)len}};
    kfk_produce_request_topic_produce_data td = {
        .name = {topic, (int32_t)strlen(topic)}, .topic_id = topic_id_of(c, topic)};
    td.partition_data.items = &pd;
    td.partition_data.count = 1;
    kfk_produce_request m;
    kfk_produce_request_init(&m);
    m.acks = -1;
    m.timeout_ms = 10000;
    m.topic_data.items = &td;
    m.topic_data.count = 1;
    kfk_core_req r = {.dest = KFK_DEST_LEADER, .topic = topic, .partition = 0};
    /* Magic 2 batches need Produce v3+, and 4.x refuses anything older. */
    r.req = (kfk_request){.api_key = KFK_API_PRODUCE, .min_version = 3, .max_version = -1,
                          .msg = &m};
    produce_result out = {-1, -1};
    char err[256] = "";
    int rc;
    /* Right after creation the leader may refuse for a moment
     * (NOT_LEADER_OR_FOLLOWER): retry retriable errors briefly. */
    for (int attempt = 0;; attempt++) {
        out = (produce_result){-1, -1};
        kfk_core_req retry = r;
        rc = kfk_core_send_wait(c, &retry, decode_produce, &out, err, sizeof err);
        if (attempt == 50 || !kfk_err_retriable(rc ? rc : out.error_code)) break;
        usleep(100 * 1000);
    }
    if (rc || out.error_code) {
        kfk_test_fail(__FILE__, __LINE__, "produce: %s %s (partition error %d)", kfk_err_name(rc),
                      err, out.error_code);
        return -1;
    }
    return out.base_offset;
}

typedef struct fetched {
    int16_t error_code;
    kfk_wbuf records; /* copied out: the response buffer lives only in the callback */
} fetched;

static int decode_fetch(void *opaque, kfk_response *resp) {
    fetched *out = opaque;
    kfk_arena a = {0};
    kfk_fetch_response m;
    int rc = kfk_fetch_response_decode(&resp->body, resp->version, &a, &m);
    if (!rc && m.responses.count == 1 && m.responses.items[0].partitions.count == 1) {
        const kfk_fetch_response_partition_data *p = &m.responses.items[0].partitions.items[0];
        out->error_code = p->error_code;
        if (p->records.len > 0) kfk_wr_raw(&out->records, p->records.ptr, (size_t)p->records.len);
    } else if (!rc) {
        rc = KFK_ERR_MALFORMED;
    }
    kfk_arena_reset(&a);
    return rc;
}

/* Fetches partition 0 from offset until at least min_records records
 * arrived; the raw records bytes are left in out->records. */
static int fetch(kfk_core *c, const char *topic, int64_t offset, fetched *out) {
    kfk_fetch_request_partition fp = {.partition = 0, .current_leader_epoch = -1,
                                      .fetch_offset = offset, .last_fetched_epoch = -1,
                                      .log_start_offset = -1,
                                      .partition_max_bytes = 4 << 20,
                                      .high_watermark = INT64_MAX};
    kfk_fetch_request_topic ft = {.topic = {topic, (int32_t)strlen(topic)},
                                  .topic_id = topic_id_of(c, topic)};
    ft.partitions.items = &fp;
    ft.partitions.count = 1;
    kfk_fetch_request m;
    kfk_fetch_request_init(&m);
    m.max_wait_ms = 200;
    m.min_bytes = 1;
    m.max_bytes = 8 << 20;
    m.topics.items = &ft;
    m.topics.count = 1;
    kfk_core_req r = {.dest = KFK_DEST_LEADER, .topic = topic, .partition = 0};
    r.req = (kfk_request){.api_key = KFK_API_FETCH, .min_version = 4, .max_version = -1,
                          .msg = &m};
    char err[256] = "";
    int rc = kfk_core_send_wait(c, &r, decode_fetch, out, err, sizeof err);
    if (rc || out->error_code)
        kfk_test_fail(__FILE__, __LINE__, "fetch: %s %s (partition error %d)", kfk_err_name(rc),
                      err, out->error_code);
    return rc ? rc : out->error_code;
}

static kfk_core *setup(kfk_core_conf *conf, char *topic, size_t topic_len, const char *what) {
    const char *boot = it_bootstrap();
    if (!boot) return NULL;
    it_conf(conf, boot);
    kfk_core *c = it_core(conf);
    if (!c) return NULL;
    it_topic(topic, topic_len, what);
    char err[256] = "";
    int rc = it_create_topic(c, topic, 1, err, sizeof err);
    if (rc) {
        kfk_test_fail(__FILE__, __LINE__, "create %s: %s %s", topic, kfk_err_name(rc), err);
        kfk_core_destroy(c);
        return NULL;
    }
    return c;
}

static void build_batch(kfk_wbuf *out, kfk_codec codec, int64_t base_timestamp) {
    kfk_batch_builder b;
    kfk_batch_builder_init(&b, out);
    for (int i = 0; i < RECORDS; i++) {
        char key[32], value[128];
        int kl = snprintf(key, sizeof key, "key-%d", i);
        int vl = snprintf(value, sizeof value, "value %d: the quick brown fox jumps over the lazy dog",
                          i);
        kfk_record_header h = {{"h", 1}, {(const uint8_t *)key, kl}};
        /* Every fifth record has a null key, to cover it on the wire too. */
        kfk_bytes k = i % 5 ? (kfk_bytes){(const uint8_t *)key, kl} : (kfk_bytes){NULL, -1};
        kfk_batch_append(&b, base_timestamp + i, k, (kfk_bytes){(const uint8_t *)value, vl}, &h,
                         i % 2);
    }
    kfk_batch_opts opts = KFK_BATCH_OPTS_INIT;
    opts.codec = codec;
    kfk_batch_finish(&b, &opts, NULL);
}

TEST(kfk_batches_come_back_byte_identical_for_every_codec) {
    kfk_core_conf conf;
    char topic[128];
    kfk_core *c = setup(&conf, topic, sizeof topic, "batch");
    if (!c) return;
    const kfk_codec codecs[] = {KFK_CODEC_NONE, KFK_CODEC_GZIP, KFK_CODEC_SNAPPY, KFK_CODEC_LZ4,
                                KFK_CODEC_ZSTD};
    for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++) {
        kfk_wbuf sent = {0};
        build_batch(&sent, codecs[i], 1700000000000LL + (int64_t)i * 1000);
        REQUIRE(sent.err == 0 && sent.len > KFK_BATCH_OVERHEAD);
        int64_t base = produce(c, topic, sent.data, sent.len);
        CHECK_EQ(base, (int64_t)i * RECORDS);
        fetched got = {0};
        if (base >= 0 && fetch(c, topic, base, &got) == 0) {
            /* The fetch starts at our batch; compare it alone. */
            REQUIRE(got.records.len >= sent.len);
            const uint8_t *back = got.records.data;
            kfk_rbuf r = kfk_rbuf_make(back, 8);
            CHECK_EQ(kfk_rd_i64(&r), base);
            CHECK_MEM(back + 8, sent.data + 8, 4);                 /* batch length */
            CHECK_MEM(back + 16, sent.data + 16, sent.len - 16);   /* magic, CRC, records */
            printf("  %s: %zu bytes identical, CRC %02x%02x%02x%02x\n",
                   kfk_codec_name(codecs[i]), sent.len, back[17], back[18], back[19], back[20]);
            kfk_records_iter it;
            kfk_wbuf z = {0};
            kfk_records_iter_init(&it, back, sent.len, &z, 1 << 20, 0);
            kfk_record rec;
            int n = 0, rc;
            while ((rc = kfk_records_next(&it, &rec)) == 1) {
                CHECK_EQ(rec.offset, base + n);
                CHECK_EQ(rec.timestamp, 1700000000000LL + (int64_t)i * 1000 + n);
                n++;
            }
            CHECK_EQ(rc, 0);
            CHECK_EQ(n, RECORDS);
            kfk_wbuf_free(&z);
        }
        kfk_wbuf_free(&got.records);
        kfk_wbuf_free(&sent);
    }
    kfk_core_destroy(c);
}

/* kcat (librdkafka) writes the batches; kfk checks what the broker stored. */
static int kcat_produce(const char *boot, const char *topic, const char *codec, int count) {
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "kcat -P -b %s -t %s -p 0 -z %s -K : -X linger.ms=50 -X enable.idempotence=true 2>&1",
             boot, topic, codec);
    FILE *p = popen(cmd, "w");
    if (!p) return -1;
    for (int i = 0; i < count; i++) fprintf(p, "%s-key-%d:%s payload number %d\n", codec, i, codec, i);
    return pclose(p);
}

TEST(librdkafka_batches_pass_crc32c_and_parse) {
    kfk_core_conf conf;
    char topic[128];
    kfk_core *c = setup(&conf, topic, sizeof topic, "rdk");
    if (!c) return;
    const char *codecs[] = {"none", "gzip", "snappy", "lz4", "zstd"};
    int64_t offset = 0;
    for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++) {
        REQUIRE_EQ(kcat_produce(conf.bootstrap_servers, topic, codecs[i], RECORDS), 0);
        fetched got = {0};
        int n = 0;
        /* Fetch until every record of this codec arrived (kcat may split them). */
        while (n < RECORDS && fetch(c, topic, offset + n, &got) == 0) {
            kfk_records_iter it;
            kfk_wbuf z = {0};
            kfk_records_iter_init(&it, got.records.data, got.records.len, &z, 1 << 20, 0);
            int rc;
            while ((rc = kfk_records_next_batch(&it)) == 1) {
                CHECK_EQ(it.batch.magic, 2);
                CHECK_EQ(kfk_batch_codec(&it.batch), (kfk_codec)i); /* codecs[] is in codec order */
                kfk_record rec;
                while (kfk_records_next_in_batch(&it, &rec) == 1) {
                    if (rec.offset < offset + n) continue;
                    char key[64], value[128];
                    int kl = snprintf(key, sizeof key, "%s-key-%d", codecs[i], n);
                    int vl = snprintf(value, sizeof value, "%s payload number %d", codecs[i], n);
                    CHECK_EQ(rec.offset, offset + n);
                    CHECK_EQ(rec.key.len, kl);
                    CHECK_EQ(rec.value.len, vl);
                    if (rec.key.len == kl) CHECK_MEM(rec.key.ptr, key, (size_t)kl);
                    if (rec.value.len == vl) CHECK_MEM(rec.value.ptr, value, (size_t)vl);
                    n++;
                }
            }
            CHECK_EQ(rc, 0); /* every CRC32C checked out, every batch parsed */
            kfk_wbuf_free(&z);
            got.records.len = 0;
        }
        CHECK_EQ(n, RECORDS);
        kfk_wbuf_free(&got.records);
        offset += n;
    }
    kfk_core_destroy(c);
}

TEST(stored_crc_matches_crc32c_of_the_stored_bytes) {
    kfk_core_conf conf;
    char topic[128];
    kfk_core *c = setup(&conf, topic, sizeof topic, "crc");
    if (!c) return;
    REQUIRE_EQ(kcat_produce(conf.bootstrap_servers, topic, "lz4", 10), 0);
    fetched got = {0};
    if (fetch(c, topic, 0, &got) == 0) {
        /* Walk the raw frames: CRC32C of attributes..end equals the crc field. */
        kfk_rbuf r = kfk_rbuf_make(got.records.data, got.records.len);
        int batches = 0;
        while (kfk_rbuf_left(&r) >= 61) {
            const uint8_t *start = r.p;
            kfk_rd_i64(&r);
            int32_t len = kfk_rd_i32(&r);
            if (len < 49 || (size_t)len > kfk_rbuf_left(&r)) break;
            kfk_rbuf f = kfk_rbuf_make(start + 12, (size_t)len);
            kfk_rd_i32(&f); /* leader epoch */
            CHECK_EQ(kfk_rd_i8(&f), 2);
            uint32_t crc = kfk_rd_u32(&f);
            CHECK_EQ(crc, kfk_crc32c(0, start + 21, (size_t)len - 9));
            kfk_rbuf_take(&r, (size_t)len);
            batches++;
        }
        CHECK(batches >= 1);
    }
    kfk_wbuf_free(&got.records);
    kfk_core_destroy(c);
}

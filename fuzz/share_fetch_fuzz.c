/* Arbitrary bytes as a ShareFetch response body (the version from the
 * first byte): decoded, then every partition's records turned into the
 * acquired records a share consumer hands out (src/share/share_records.c),
 * every byte of every message touched, every gap acknowledgement built
 * into batches. */
#include "consumer/chunk.h"
#include "core/arena.h"
#include "kfk.h"
#include "share/share_records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

static void touch(const void *p, size_t len) {
    for (size_t i = 0; i < len; i++) sink ^= ((const uint8_t *)p)[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    int16_t version = (int16_t)(data[0] % 3);
    kfk_rbuf in = {data + 1, data + size, 0};
    kfk_arena a = {0};
    kfk_share_fetch_response r;
    kfk_wbuf z = {0};
    if (kfk_share_fetch_response_decode(&in, version, &a, &r) == 0) {
        for (int i = 0; i < r.responses.count; i++)
            for (int j = 0; j < r.responses.items[i].partitions.count; j++) {
                const kfk_share_fetch_response_partition_data *pd =
                    &r.responses.items[i].partitions.items[j];
                kfk_share_records sr = {.topic = "t", .partition = pd->partition_index,
                                        .broker = 1, .check_crcs = 0,
                                        .max_decompressed = 64u << 10};
                kfk_share_acks gaps = {0};
                kfk_share_records_take(&sr, pd, NULL, &gaps, &z);
                for (kfk_consumer_message *m = sr.head, *n; m; m = n) {
                    n = kfk_cmsg(m)->next;
                    if (m->key) touch(m->key, m->key_len);
                    if (m->value) touch(m->value, m->value_len);
                    sink ^= (uint8_t)m->delivery_count;
                    kfk_consumer_message_release(m);
                }
                kfk_arena ba = {0};
                kfk_share_batch *b;
                kfk_share_acks_take(&gaps, &ba, &b);
                kfk_arena_reset(&ba);
                kfk_share_acks_free(&gaps);
            }
    }
    kfk_wbuf_free(&z);
    kfk_arena_reset(&a);
    return 0;
}

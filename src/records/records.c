/* The format-independent iterator: frames each batch by its length, peeks
 * its magic, and hands it to the v2 or the legacy decoder. */
#include "records/records.h"

#include "kfk.h"
#include "records/batch.h"
#include "records/msgset.h"

/* baseOffset or offset, then batchLength or size: what frames every format. */
#define LOG_OVERHEAD 12

void kfk_records_iter_init(kfk_records_iter *it, const void *data, size_t len, kfk_wbuf *zbuf,
                           size_t max_decompressed, int flags) {
    *it = (kfk_records_iter){0};
    it->in = kfk_rbuf_make(data, len);
    it->zbuf = zbuf;
    it->max_decompressed = max_decompressed;
    it->flags = flags;
}

static int fail(kfk_records_iter *it, int err) {
    it->err = err;
    it->in_batch = 0;
    return err;
}

int kfk_records_next_batch(kfk_records_iter *it) {
    if (it->err) return it->err;
    it->in_batch = 0;
    size_t left = kfk_rbuf_left(&it->in);
    kfk_rbuf peek = it->in;
    kfk_rd_i64(&peek);
    int32_t size = kfk_rd_i32(&peek);
    if (left < LOG_OVERHEAD || (size >= 0 && (size_t)size > left - LOG_OVERHEAD)) {
        it->truncated = left > 0; /* Kafka cut the fetch inside this batch */
        return 0;
    }
    if (size <= KFK_MAGIC_OFFSET - LOG_OVERHEAD) return fail(it, KFK_ERR_MALFORMED);
    const uint8_t *frame = it->in.p;
    size_t len = LOG_OVERHEAD + (size_t)size;
    it->in.p += len;
    int rc;
    switch (frame[KFK_MAGIC_OFFSET]) {
    case 2: rc = kfk_batch_v2_open(it, frame, len); break;
    case 0:
    case 1: rc = kfk_msgset_open(it, frame, len); break;
    default: rc = KFK_ERR_UNSUPPORTED_FEATURE; break;
    }
    if (rc) return fail(it, rc);
    it->in_batch = 1;
    return 1;
}

int kfk_records_next_in_batch(kfk_records_iter *it, kfk_record *rec) {
    if (it->err) return it->err;
    if (!it->in_batch) return 0;
    int rc = it->batch.magic == 2 ? kfk_batch_v2_next(it, rec) : kfk_msgset_next(it, rec);
    return rc < 0 ? fail(it, rc) : rc;
}

int kfk_records_next(kfk_records_iter *it, kfk_record *rec) {
    for (;;) {
        int rc = kfk_records_next_in_batch(it, rec);
        if (rc) return rc;
        rc = kfk_records_next_batch(it);
        if (rc <= 0) return rc;
    }
}

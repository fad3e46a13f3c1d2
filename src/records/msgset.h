/* The legacy MessageSets, magic 0 and 1: the encoder old Produce versions
 * (v0-v2) send, and the decoder behind records.h.
 *
 * A message: offset int64, size int32, crc uint32 (CRC-32 of the rest),
 * magic int8, attributes int8, timestamp int64 (magic 1 only), key and value
 * (int32 length, -1 for null). A compressed set is one wrapper message whose
 * value is the compressed inner messages; with magic 1 the inner offsets are
 * relative and the wrapper carries the absolute offset of the last one. */
#ifndef KFK_MSGSET_H
#define KFK_MSGSET_H

#include "records/records.h"

/* offset, size, crc, magic, attributes, key length, value length. */
#define KFK_MSG_OVERHEAD_V0 26
#define KFK_MSG_OVERHEAD_V1 34 /* and the timestamp */

/* Bytes one message takes (offset and size included). */
static inline size_t kfk_msgset_message_size(int8_t magic, int32_t key_len, int32_t value_len) {
    return (size_t)(magic ? KFK_MSG_OVERHEAD_V1 : KFK_MSG_OVERHEAD_V0) +
           (key_len > 0 ? (size_t)key_len : 0) + (value_len > 0 ? (size_t)value_len : 0);
}

typedef struct kfk_msgset_builder {
    kfk_wbuf *out;
    size_t start; /* offset of the set in out */
    int8_t magic;
    kfk_codec codec;
    int level;
    int64_t base_offset;
    int32_t count;
    int64_t max_timestamp;
} kfk_msgset_builder;

/* Starts a set at out->len. The codec is chosen now because it decides the
 * offsets written: inner messages of a magic 1 wrapper count from 0, the
 * others from base_offset (0 when producing: the broker assigns offsets).
 * 0, or KFK_ERR_INVALID_ARG for a magic other than 0 and 1 or a codec those
 * formats lack (zstd). */
int kfk_msgset_builder_init(kfk_msgset_builder *b, kfk_wbuf *out, int8_t magic, kfk_codec codec,
                            int level, int64_t base_offset);

/* Appends a message (the timestamp is dropped for magic 0): the bytes added,
 * or KFK_ERR_INVALID_ARG, KFK_ERR_MSG_TOO_LARGE, KFK_ERR_NOMEM. */
int kfk_msgset_append(kfk_msgset_builder *b, int64_t timestamp, kfk_bytes key, kfk_bytes value);

/* Completes the set: with a codec, replaces the messages by one wrapper
 * (compressing through scratch, or a temporary buffer when NULL). Then out
 * holds the set from b->start to out->len. 0 or a kfk_err, leaving the set
 * as it was. */
int kfk_msgset_finish(kfk_msgset_builder *b, kfk_wbuf *scratch);

/* For records.c: opens the message framed in frame[0..len) into it->batch
 * (one record, or the inner messages of a wrapper), and reads them. */
int kfk_msgset_open(kfk_records_iter *it, const uint8_t *frame, size_t len);
int kfk_msgset_next(kfk_records_iter *it, kfk_record *rec);

#endif

/* The Produce request encoder, hand-written so record batches are not
 * copied: each batch goes on the wire from its own buffer (and a value the
 * producer was handed, from the caller's), as references into the frame
 * (net/conn.h). Versions 3 to 12; the bytes equal the generated codec's. */
#ifndef KFK_PRODUCE_ENC_H
#define KFK_PRODUCE_ENC_H

#include "net/conn.h"
#include "records/batch.h"

/* Pieces shorter than this are copied into the frame: an iovec (and, over
 * TLS, a record of its own) costs more than copying them. */
#define KFK_PRODUCE_COPY_MAX 512

typedef struct kfk_produce_part {
    int32_t index;
    const uint8_t *batch; /* a finished batch's own bytes */
    size_t len;
    const kfk_batch_refs *refs; /* its references, or NULL */
} kfk_produce_part;

typedef struct kfk_produce_topic {
    kfk_str name;
    const kfk_produce_part *parts;
    int32_t count;
} kfk_produce_topic;

typedef struct kfk_produce_msg {
    int16_t acks;
    int32_t timeout_ms;
    const kfk_produce_topic *topics;
    int32_t count;
} kfk_produce_msg;

/* The most references encoding a batch with these references adds. */
static inline int kfk_produce_refs_needed(const kfk_batch_refs *refs) {
    return 2 * (refs ? refs->count : 0) + 1;
}

/* A kfk_encode_refs_fn; msg is a kfk_produce_msg. Past refs->cap, pieces
 * are copied. 0, or KFK_ERR_UNSUPPORTED_VERSION, KFK_ERR_MSG_TOO_LARGE. */
int kfk_produce_encode(kfk_wbuf *w, int16_t version, const void *msg, kfk_frame_refs *refs);

#endif

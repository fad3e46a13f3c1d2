/* The Produce request encoder, hand-written so record batches are not
 * copied: each batch goes on the wire from its own buffer (and a value the
 * producer was handed, from the caller's), as references into the frame
 * (net/conn.h). Versions 3 to 13; the bytes equal the generated codec's.
 * Also the version range a request allows and which of its partitions a
 * response entry answers: v13 names topics by id (KIP-516), before it by
 * name. */
#ifndef KFK_PRODUCE_ENC_H
#define KFK_PRODUCE_ENC_H

#include "net/conn.h"
#include "proto/proto.h"
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
    kfk_uuid id; /* all zero: unknown, and the request cannot use v13 */
    const kfk_produce_part *parts;
    int32_t count;
} kfk_produce_topic;

typedef struct kfk_produce_msg {
    kfk_str transactional_id; /* ptr NULL: none */
    int16_t acks;
    int32_t timeout_ms;
    const kfk_produce_topic *topics;
    int32_t count;
} kfk_produce_msg;

/* Produce v3 is the first with RecordBatch v2; v13 names topics by id. */
#define KFK_PRODUCE_MIN_VERSION 3
#define KFK_PRODUCE_MAX_VERSION 13
#define KFK_PRODUCE_MAX_NAMED 12 /* the last version naming topics */

/* The newest version m may go as: v13 only if every topic's id is known
 * (as the Java client decides). A transaction of protocol v1 caps it at
 * v11 (v12 and up add the partitions to a v2 transaction). */
#define KFK_PRODUCE_MAX_TXN_V1 11
int16_t kfk_produce_max_version(const kfk_produce_msg *m);

/* The partition of m that a response at `version` answers for topic tr,
 * partition `index`, as a position in the parts of m's topics taken in
 * order; -1 if m has none such. Matched by topic id from v13, else by
 * name. */
int32_t kfk_produce_find(const kfk_produce_msg *m, int16_t version,
                         const kfk_produce_response_topic_produce_response *tr, int32_t index);

/* The most references encoding a batch with these references adds. */
static inline int kfk_produce_refs_needed(const kfk_batch_refs *refs) {
    return 2 * (refs ? refs->count : 0) + 1;
}

/* A kfk_encode_refs_fn; msg is a kfk_produce_msg. Past refs->cap, pieces
 * are copied. 0, or KFK_ERR_UNSUPPORTED_VERSION, KFK_ERR_MSG_TOO_LARGE. */
int kfk_produce_encode(kfk_wbuf *w, int16_t version, const void *msg, kfk_frame_refs *refs);

#endif

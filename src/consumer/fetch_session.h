/* A fetch session with one broker (KIP-227), sans I/O: it remembers what
 * the broker's session holds, so that a Fetch lists only what changed.
 *
 *   no session (id 0, epoch 0) --full Fetch--> response id > 0 --> (id, 1)
 *   (id, n) --incremental Fetch--> response id --> (id, n + 1; 1 after INT32_MAX)
 *   any --error, or no response--> full (old id kept, epoch 0: the broker
 *        replaces that session), except FETCH_SESSION_ID_NOT_FOUND (id 0)
 *   any --response id 0--> no session: every Fetch is full and asks again
 *   disabled: session id 0, epoch -1, every Fetch full (fetch.sessions.enable)
 *   (id > 0, any) --close: id, epoch -1, no partitions--> disabled
 *
 * The broker's view of a partition is what the last request that listed it
 * said (fetch offset, max bytes): the broker does not move fetch offsets by
 * itself, so a partition that received records is listed again with its
 * new offset, and one that did not stays out of the request. An
 * incremental response lists only partitions with records or changes.
 *
 * Topic ids (Fetch v13+, KIP-516): when every wanted partition has a topic
 * id the request is built for id versions: the broker's session is keyed
 * by (topic id, partition), so a topic re-created under the same name is a
 * different partition (the old one is forgotten, the new one added). A
 * session made with ids cannot go on without them, nor the other way
 * round (FETCH_SESSION_TOPIC_ID_ERROR): a change of mode starts a new
 * session with a full request. Requests carry both names and ids; the
 * version the broker agrees on picks which go on the wire. */
#ifndef KFK_CONSUMER_FETCH_SESSION_H
#define KFK_CONSUMER_FETCH_SESSION_H

#include "core/arena.h"
#include "proto/gen/messages.h"

/* A partition the consumer wants from this broker. */
typedef struct kfk_fs_want {
    const char *topic; /* must live until the request is done */
    int32_t partition;
    int64_t fetch_offset;
    int32_t max_bytes;
    kfk_uuid topic_id; /* all zero: unknown */
} kfk_fs_want;

/* The broker's view of one partition of the session. */
typedef struct kfk_fs_entry {
    char *topic; /* owned */
    int32_t partition;
    int64_t fetch_offset;
    int32_t max_bytes;
    kfk_uuid topic_id;
} kfk_fs_entry;

typedef struct kfk_fetch_session {
    int32_t node;
    int32_t id;    /* the broker's; 0: none */
    int32_t epoch; /* of the next request (or the one in flight): 0 full,
                      asking for a session; -1 full, sessionless */
    int enabled;
    int ids; /* the broker's session was made with topic ids */
    kfk_fs_entry *view; /* sorted by topic, then partition */
    int nview, cap;
    kfk_fs_entry *scratch; /* the next view, while building */
} kfk_fetch_session;

/* What a consumer's sessions did, summed over brokers. */
typedef struct kfk_fetch_session_stats {
    int64_t full;        /* requests listing every wanted partition */
    int64_t incremental; /* requests listing only changes */
    int64_t listed;      /* partitions listed in requests */
    int64_t forgotten;   /* partitions listed as forgotten */
    int64_t resets;      /* sessions restarted after an error or a lost answer */
    int64_t closed;      /* sessions the broker confirmed closed (consumer close) */
} kfk_fetch_session_stats;

/* enabled 0: every request full and sessionless. */
void kfk_fetch_session_init(kfk_fetch_session *s, int32_t node, int enabled);
void kfk_fetch_session_free(kfk_fetch_session *s);

/* 1 if every one of the n wanted partitions (n > 0) has a topic id: the
 * request may then use Fetch v13+. */
int kfk_fs_use_ids(const kfk_fs_want *want, int n);

/* 1 if the next request is full (it lists every wanted partition). */
int kfk_fetch_session_is_full(const kfk_fetch_session *s);

/* Fills m's session id and epoch, topics (the wanted partitions the broker
 * must be told about: all of them when full, else the added and changed)
 * and forgotten_topics_data (session partitions no longer wanted), with
 * arrays (and forgotten topic names) in a; the topics point at want's
 * names. want is sorted by topic (strcmp), then partition, without
 * duplicates. The session now expects the broker to hold exactly want.
 * It is built for topic ids when kfk_fs_use_ids(want, n).
 * 0, or KFK_ERR_NOMEM (the session is then reset: the next one is full). */
int kfk_fetch_session_build(kfk_fetch_session *s, const kfk_fs_want *want, int n, kfk_arena *a,
                            kfk_fetch_request *m);

/* The index in want (the n a request was built from) of the answer's
 * partition of topic tr, named by id when by_id (the answer's version is
 * 13 or more), else by name; -1 if none. The search starts at hint: an
 * answer lists partitions in about the request's order. */
int kfk_fs_find(const kfk_fs_want *want, int n, const kfk_fetch_response_fetchable_topic_response *tr,
                int by_id, int32_t partition, int hint);

/* The request built last was answered: err its top-level error code (0
 * when the partitions' answers are usable), session_id the response's.
 * Any error (FETCH_SESSION_TOPIC_ID_ERROR too) makes the next request a
 * full one of epoch 0, which closes the broker's session and opens a new
 * one. */
void kfk_fetch_session_done(kfk_fetch_session *s, int err, int32_t session_id);

/* The request built last got no answer (connection closed, timed out, not
 * sent): the broker may or may not have seen it, so start over. */
void kfk_fetch_session_reset(kfk_fetch_session *s);

/* At close: fills m (its other fields untouched) to close s's session on
 * the broker (KIP-227: s's id, epoch -1, no partitions) and returns 1, or
 * returns 0 when s holds no session. Either way s is disabled: a later
 * Fetch is sessionless and opens none. */
int kfk_fetch_session_close(kfk_fetch_session *s, kfk_fetch_request *m);

#endif

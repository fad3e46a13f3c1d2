/* The mock cluster's state and the handlers' shared context. */
#ifndef KFK_MOCK_INT_H
#define KFK_MOCK_INT_H

#include <regex.h>
#include <stdbool.h>

#include "core/arena.h"
#include "mock/mock.h"
#include "proto/proto.h"

#define MOCK_BATCH_HEADER 61 /* a v2 record batch's fixed header */
#define MOCK_RECENT 5        /* batches per producer kept for duplicate checks */
#define MOCK_MAX_FAULTS 64

typedef struct mock_batch {
    int64_t base, last, max_ts;
    size_t pos; /* in the partition's log buffer */
    uint32_t len;
} mock_batch;

/* One idempotent producer's sequence state on one partition. */
typedef struct mock_pstate {
    int64_t pid;
    int16_t epoch;
    int32_t nrecent;
    struct {
        int32_t first_seq, last_seq;
        int64_t offset;
    } recent[MOCK_RECENT]; /* newest last */
} mock_pstate;

/* A leader epoch and the offset its first record got (epoch.c). */
typedef struct mock_epoch {
    int32_t epoch;
    int64_t start;
} mock_epoch;

typedef struct mock_part {
    int32_t leader, leader_epoch;
    mock_epoch *epochs; /* the epochs' history, oldest first */
    int32_t nepochs, ecap;
    int32_t *replicas;
    int32_t nreplicas;
    int32_t follower;                 /* a test's (follower.c); -1: none */
    int64_t follower_lo, follower_hi; /* its watermarks; -1: the leader's */
    uint8_t *log; /* batches back to back from log[head] */
    size_t head, len, cap;
    mock_batch *batches; /* batches[bhead..bcount) are live */
    size_t bhead, bcount, bcap;
    int64_t log_start, hw;
    mock_pstate *producers;
    int32_t nproducers, pcap;
    struct mock_ptxn *txn; /* its transactions (txn.c); NULL: none yet */
} mock_part;

typedef struct mock_topic {
    char *name;
    kfk_uuid id;
    mock_part *parts;
    int32_t nparts;
    int16_t err; /* a test's: Metadata answers it for the topic */
    int32_t max_message_bytes; /* a test's; 0: any */
} mock_topic;

typedef struct mock_broker {
    int32_t id;
    int port;
    bool down;
    int32_t rtt_ms;
    char *rack; /* NULL: none */
} mock_broker;

/* A member of a classic group. */
typedef struct mock_member {
    char *id, *client_id;
    int32_t session_ms, rebalance_ms;
    int64_t last_seen;
    int32_t nprotos;
    char **proto_names;
    kfk_bytes *proto_meta; /* owned copies */
    uint8_t *assignment;
    int32_t assignment_len;
    bool joining; /* its JoinGroup waits for the rebalance to complete */
    bool syncing; /* its SyncGroup waits for the leader's */
} mock_member;

typedef struct mock_offset {
    char *topic;
    int32_t partition, leader_epoch;
    int64_t offset;
    char *metadata; /* NULL: null */
} mock_offset;

/* A partition by topic id, as KIP-848 names them. */
typedef struct mock_tp {
    kfk_uuid topic;
    int32_t partition;
} mock_tp;

typedef struct mock_tps {
    mock_tp *items;
    int32_t count, cap;
} mock_tps;

/* A member of a KIP-848 consumer group (cgroup.c). assigned: what it was
 * told to hold at its epoch; revoking: what it still holds but must give
 * up before it moves to the group's epoch; target: what the assignor
 * wants it to hold at the group's epoch. */
typedef struct mock_cmember {
    char *id;
    int32_t epoch, prev_epoch, rebalance_ms;
    int64_t last_seen, revoke_deadline;
    char **topics; /* subscribed names */
    int32_t ntopics;
    char *regex; /* NULL: none; else re is compiled from it */
    regex_t re;
    mock_tps assigned, revoking, target;
    bool send; /* its assignment changed since the last answer */
} mock_cmember;

enum { MOCK_GROUP_EMPTY, MOCK_GROUP_PREPARING, MOCK_GROUP_COMPLETING, MOCK_GROUP_STABLE };

typedef struct mock_group {
    char *id;
    int state;
    int32_t generation;
    char *protocol_type, *protocol, *leader;
    int64_t deadline; /* when a rebalance stops waiting for members */
    mock_member *members;
    int32_t nmembers, mcap;
    mock_offset *offsets;
    int32_t noffsets, ocap;
    bool consumer; /* a KIP-848 group: cmembers, not members */
    int32_t group_epoch;
    mock_cmember *cmembers;
    int32_t ncmembers, cmcap;
} mock_group;

/* A coordinator a test moved (coord.c). */
typedef struct mock_coord {
    int8_t key_type; /* 0 group, 1 transaction (FindCoordinator's) */
    char *key;
    int32_t broker;
} mock_coord;

typedef struct mock_fault {
    int32_t broker; /* -1: any */
    int16_t api, err;
    int32_t count;
    int32_t rtt_ms; /* the answer goes out this much later */
} mock_fault;

/* A test's version limits of an API (tuning.c). */
typedef struct mock_api_limit {
    bool set, off; /* off: not served, not listed */
    int16_t min, max;
} mock_api_limit;

struct kfk_mock {
    char *host;
    char cluster_id[23];
    mock_broker *brokers;
    int32_t nbrokers;
    mock_topic **topics;
    int32_t ntopics, tcap;
    size_t bytes, max_bytes;
    int64_t next_pid;
    uint64_t data_version, id_seed;
    mock_fault faults[MOCK_MAX_FAULTS];
    int nfaults;
    mock_group **groups;
    int32_t ngroups, gcap;
    uint64_t next_member;
    int32_t cg_session_ms, cg_heartbeat_ms; /* KIP-848 groups' */
    struct mock_txn **txns; /* by transactional id (txn.c) */
    int32_t ntxns, txcap;
    struct mock_fsession **sessions; /* fetch sessions (fetch_session.c) */
    int32_t nsessions, scap, max_sessions; /* max_sessions: per broker */
    int32_t next_session;
    mock_coord *coords;
    int32_t ncoords, ccap;
    mock_api_limit limits[KFK_API_KEY_COUNT];
    int32_t fault_rtt_ms; /* of the fault the last request took */
};

/* What a handler gets: the decoded request, an arena for the response's
 * arrays, and the injected error (0 if none) it answers with everywhere. */
typedef struct mock_ctx {
    kfk_mock *m;
    int32_t broker;
    int16_t version;
    int16_t inj;
    int refed; /* fed again after KFK_MOCK_PARK */
    int64_t now_ms, recv_ms;
    kfk_arena *a;
    const void *req;
    void *resp;
    kfk_str client_id; /* the request header's */
} mock_ctx;

/* Handlers return KFK_MOCK_REPLY, KFK_MOCK_NO_REPLY, KFK_MOCK_PARK or a
 * negative kfk_err. */
int mock_api_versions(mock_ctx *c);
int mock_metadata(mock_ctx *c);
int mock_find_coordinator(mock_ctx *c);
int mock_init_producer_id(mock_ctx *c);
int mock_produce(mock_ctx *c);
int mock_fetch(mock_ctx *c);
int mock_list_offsets(mock_ctx *c);
int mock_create_topics(mock_ctx *c);
int mock_delete_topics(mock_ctx *c);
int mock_create_partitions(mock_ctx *c);
int mock_join_group(mock_ctx *c);
int mock_sync_group(mock_ctx *c);
int mock_heartbeat(mock_ctx *c);
int mock_leave_group(mock_ctx *c);
int mock_offset_commit(mock_ctx *c);
int mock_offset_fetch(mock_ctx *c);
int mock_consumer_group_heartbeat(mock_ctx *c);
int mock_consumer_group_describe(mock_ctx *c);
int mock_txn_init_producer_id(mock_ctx *c); /* InitProducerId naming a transactional id */
int mock_add_partitions_to_txn(mock_ctx *c);
int mock_add_offsets_to_txn(mock_ctx *c);
int mock_end_txn(mock_ctx *c);
int mock_txn_offset_commit(mock_ctx *c);
int mock_offset_for_leader_epoch(mock_ctx *c);

/* Leader epochs (epoch.c). Starts epoch at offset start (the current
 * epoch becomes it), dropping later history: 0 or -1 (memory). */
int mock_epoch_new(mock_part *p, int32_t epoch, int64_t start);
/* Where epoch ends, as Kafka's leader epoch cache answers: the largest
 * known epoch <= it and the start of the next, the log end for the
 * current epoch; -1 and -1 when unknown. */
void mock_epoch_end(const mock_part *p, int32_t epoch, int32_t *end_epoch, int64_t *end_offset);
/* A request's current leader epoch on broker: 0 (-1 asks no check),
 * NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH (older than the partition's)
 * or UNKNOWN_LEADER_EPOCH (newer). */
int16_t mock_epoch_check(const mock_part *p, int32_t broker, int32_t current);
/* 1 when a Fetch at fetch_offset whose records so far end in epoch
 * last_fetched (-1: not said) left the log: *end_* say where it diverged. */
int mock_epoch_diverged(const mock_part *p, int32_t last_fetched, int64_t fetch_offset,
                        int32_t *end_epoch, int64_t *end_offset);

/* Idempotent producers' state (produce.c): pid's on p, created (epoch -1,
 * no batches) when create is set; NULL when absent or out of memory. */
mock_pstate *mock_pstate_get(mock_part *p, int64_t pid, int create);
/* A batch of sequences first..last at offset: the newest remembered. */
void mock_pstate_record(mock_pstate *s, int16_t epoch, int32_t first, int32_t last, int64_t off);
/* After a truncation (truncate.c): p's open and aborted transactions again
 * as the batches left in its log describe them (txn.c). 0 or -1 (memory). */
int mock_txn_rebuild(mock_part *p);

/* Followers (follower.c). Whether broker serves p's Fetch as its follower. */
int mock_on_follower(const mock_part *p, int32_t broker);
/* The follower's log start and high watermark, within the leader's. */
void mock_follower_wmarks(const mock_part *p, int64_t *lo, int64_t *hi);
/* The preferred read replica p's leader (broker) names to a client of
 * rack fetching at offset: the follower when the rack matches and its log
 * holds the offset, else -1. */
int32_t mock_read_replica(const kfk_mock *m, const mock_part *p, int32_t broker, kfk_str rack,
                          int64_t offset);

/* Transactions (txn.c). */
void mock_txns_free(kfk_mock *m);
void mock_ptxn_free(mock_part *p);
/* Aborts, with a bumped epoch, the transactions open past their timeout. */
void mock_txn_expire(kfk_mock *m, int64_t now);
/* The last stable offset: the first offset of the oldest open transaction,
 * or the high watermark. */
int64_t mock_part_lso(const mock_part *p);
/* Whether pid may write a transactional batch to the partition: 0 or an
 * error (INVALID_TXN_STATE when it was not added to the transaction). */
int16_t mock_txn_produce_check(const kfk_mock *m, const char *topic, int32_t partition,
                               int64_t pid, int16_t epoch);
/* A transactional batch of pid was stored at offset: 0 or -1 (memory). */
int mock_txn_appended(mock_part *p, int64_t pid, int64_t offset);
/* The aborted transactions overlapping [from, to), in an arena array:
 * their count, or -1 when out of memory. */
int32_t mock_part_aborted(const mock_part *p, int64_t from, int64_t to, kfk_arena *a,
                          kfk_fetch_response_aborted_transaction **out);
/* Whether an open transaction holds an offset of the group's partition. */
int mock_txn_pending(const kfk_mock *m, kfk_str group, kfk_str topic, int32_t partition);
/* Stores a committed offset (OffsetCommit, or a committed transaction's):
 * 0 or UNKNOWN_SERVER_ERROR. */
int16_t mock_offset_put(mock_group *g, kfk_str topic, int32_t partition, int64_t offset,
                        int32_t leader_epoch, kfk_str metadata);

/* Fetch sessions (fetch_session.c, KIP-227). What a Fetch reads: its own
 * topics, or its session's partitions as the request changes them. */
typedef struct mock_fetch_plan {
    kfk_fetch_request_topic *topics;
    int32_t ntopics;
    int16_t error;            /* a session error: the whole answer */
    struct mock_fsession *session; /* NULL: sessionless */
    int full;                 /* the session starts with this answer */
} mock_fetch_plan;
/* 0 or KFK_ERR_NOMEM. Changes no session: a parked Fetch plans again. */
int mock_session_plan(mock_ctx *c, mock_fetch_plan *plan);
/* The answer goes out: the session takes the request's changes and its
 * next epoch, and an incremental answer keeps only the partitions with
 * news. 0 or KFK_ERR_NOMEM. */
int mock_session_done(mock_ctx *c, const mock_fetch_plan *plan, kfk_fetch_response *r);
void mock_sessions_free(kfk_mock *m);
int mock_describe_groups(mock_ctx *c);
int mock_list_groups(mock_ctx *c);

/* KIP-848 groups (cgroup.c). Checks an OffsetCommit or OffsetFetch of a
 * member: 0, UNKNOWN_MEMBER_ID or STALE_MEMBER_EPOCH. */
int16_t mock_cmember_check(const kfk_mock *m, mock_group *g, kfk_str member, int32_t epoch, int64_t now);
void mock_cgroup_free(mock_group *g);
/* The uniform assignor: each member's target from its subscription, as
 * even as the subscriptions allow, partitions kept where they were
 * targeted before. 0 or KFK_ERR_NOMEM. */
int mock_uniform_assign(const kfk_mock *m, mock_group *g);
/* Whether mb subscribes to the topic named name. */
bool mock_cmember_subscribes(const mock_cmember *mb, const char *name);
int mock_tps_has(const mock_tps *s, const kfk_uuid *topic, int32_t partition);
/* Appends (topic, partition): 0 or KFK_ERR_NOMEM. */
int mock_tps_add(mock_tps *s, const kfk_uuid *topic, int32_t partition);

/* Clips [*min, *max] to a test's limits of api: 0, or -1 when the test
 * turned it off (tuning.c). */
int mock_api_limits(const kfk_mock *m, int16_t api, int16_t *min, int16_t *max);

/* Coordinators (coord.c): a group's; any key type's (0 group, 1 transaction). */
int32_t mock_coordinator(const kfk_mock *m, kfk_str key);
int32_t mock_coordinator_of(const kfk_mock *m, int8_t key_type, kfk_str key);
void mock_coords_free(kfk_mock *m);

/* Groups (group.c). */
/* The group named id, created empty when create is set; NULL when absent
 * or out of memory. */
mock_group *mock_group_get(kfk_mock *m, kfk_str id, int create);
mock_member *mock_member_find(mock_group *g, kfk_str id);
/* The member's metadata for protocol proto ("" if it offered none). */
kfk_str mock_member_meta(const mock_member *mb, const char *proto);
/* Checks a member's generation for SyncGroup, Heartbeat, OffsetCommit:
 * 0 or UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS. */
int16_t mock_member_check(mock_group *g, kfk_str member, int32_t generation, int64_t now);
void mock_groups_free(kfk_mock *m);
/* A nul-terminated copy of s (NULL for null or out of memory). */
char *mock_strdup(kfk_str s);

/* State (state.c). */
mock_topic *mock_topic_find(const kfk_mock *m, kfk_str name);
mock_topic *mock_topic_find_id(const kfk_mock *m, const kfk_uuid *id);
/* A Kafka error code, or 0 with *out set when out is not NULL. */
int mock_topic_add(kfk_mock *m, kfk_str name, int32_t partitions, int16_t replication,
                   mock_topic **out);
int mock_topic_delete(kfk_mock *m, mock_topic *t);
int mock_topic_grow(kfk_mock *m, mock_topic *t, int32_t partitions);
const mock_broker *mock_broker_get(const kfk_mock *m, int32_t id);
/* Appends one batch (already checked) with offsets from the log end;
 * returns its base offset, or -1 when out of memory. */
int64_t mock_part_append(kfk_mock *m, mock_part *p, const uint8_t *batch, uint32_t len,
                         int64_t max_ts);
/* The index of the first live batch whose last offset is >= offset. */
size_t mock_part_find(const mock_part *p, int64_t offset);
/* Sizes a generated array member (a kfk_array in layout) to count zeroed
 * elements of elem bytes, a negative count as 0: 0 or KFK_ERR_NOMEM. */
int mock_array(kfk_arena *a, void *array, int32_t count, size_t elem);
#define MOCK_ARRAY(c, arr, count) mock_array((c)->a, &(arr), (count), sizeof *(arr).items)

#endif

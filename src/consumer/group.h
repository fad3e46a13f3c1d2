/* Consumer group membership with the classic protocol (JoinGroup,
 * SyncGroup, Heartbeat, LeaveGroup), run on the I/O thread through the
 * coordinator (coord.h). Private to the consumer's files. The consumer
 * protocol (KIP-848) shares the subscription, the events and the states
 * JOIN (epoch 0 due), APP and STABLE; see group_consumer.c.
 *
 *   NONE --subscribe--> JOIN --JoinGroup ok--> (leader: METADATA) --> SYNC
 *     ^                  ^  \ MEMBER_ID_REQUIRED: again with the id   |
 *     |                  |                                 SyncGroup ok
 *     |   rejoin (after  |                                            v
 *     |   an eager       +---------- REBALANCE_IN_PROGRESS ------ APP --acks--> STABLE
 *     |   revoke: APP)   |           (heartbeat, commit)       (the poll thread    |
 *  unsubscribe,          +--- ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID: LOST --+  runs the   |
 *  close: LeaveGroup                                                    callbacks) |
 *                        FENCED_INSTANCE_ID: FATAL (an error message)   <----------+
 *
 * Partition changes reach the application as rebalance events in the poll
 * queue (kfk_gev): the poll thread revokes (committing first with
 * auto-commit, unless lost), then assigns, through the rebalance callback
 * or by itself, and posts an ack back. The I/O thread counts events not yet
 * acked and moves on (joins, or becomes STABLE) only when none is left, so
 * an eager member has given up everything before it joins again, and a
 * cooperative one rejoins only after revoking what moved away.
 *
 * `owned` is what the application will hold once every queued event has
 * run: it is updated when an event is queued, so events compose in order. */
#ifndef KFK_CONSUMER_GROUP_H
#define KFK_CONSUMER_GROUP_H

#include <pthread.h>
#include <regex.h>
#include <stdatomic.h>

#include "assign/assignor.h"
#include "client/coord.h"
#include "kfk.h"

struct kfk_consumer;

enum kfk_gstate {
    KFK_G_NONE,     /* not subscribed */
    KFK_G_JOIN,     /* JoinGroup due (at next_join) or in flight */
    KFK_G_METADATA, /* leader: waiting for the members' topics' metadata */
    KFK_G_SYNC,     /* SyncGroup in flight */
    KFK_G_APP,      /* events queued for the poll thread, not all acked */
    KFK_G_STABLE,
    KFK_G_LEFT,  /* left after max.poll.interval.ms without poll: the next poll rejoins */
    KFK_G_FATAL, /* fenced: no more group traffic */
};

/* A subscription as given: topic names and ^regular expressions. Immutable;
 * shared by the application's side and the I/O thread. */
typedef struct kfk_gsub {
    atomic_int refs;
    int n;
    char **names;
    regex_t *re;  /* re[i] is compiled when names[i][0] == '^' */
} kfk_gsub;

typedef struct kfk_group {
    /* I/O thread */
    enum kfk_gstate state;
    kfk_gsub *sub;
    char **topics; /* the subscription matched against metadata, sorted */
    int32_t *nparts; /* each topic's partition count when matched (0: unknown) */
    int ntopics;
    char *member_id;    /* written only by the two setters, under ids_lock */
    int32_t generation; /* -1: none; likewise */
    const kfk_assignor *assignor; /* the protocol the group chose */
    uint32_t epoch;   /* bumped on every join and leave: older responses are dropped */
    uint32_t sub_epoch; /* bumped by unsubscribe */
    int busy;         /* a JoinGroup, SyncGroup or LeaveGroup in flight */
    int hb_busy;      /* a Heartbeat in flight */
    int app_pending;  /* rebalance events queued and not yet acked */
    int join_after;   /* join once app_pending drops to 0 */
    int rejoin;       /* a rebalance was asked for during JOIN..APP */
    const char *reason; /* the last rejoin's why (static), for statistics; NULL none */
    int attempts;     /* failed joins in a row, for backoff */
    int64_t next_join, next_hb, next_regex, leader_until, last_check;
    int64_t first_join_until; /* the first JoinGroup waits for the topics' metadata until then */
    kfk_partition_list *owned;
    kfk_arena ra; /* the leader's copy of the JoinGroup members */
    kfk_assign_member *members;
    int32_t nmembers;
    kfk_timer timer;
    int timer_added;
    kfk_task task;
    atomic_int posted;
    int fatal_err;
    /* group.protocol=consumer (group_consumer.c) */
    kfk_arena ta; /* the broker's latest assignment, by topic id */
    struct kfk_gtarget *target;
    int32_t ntarget;
    int target_new; /* target not reconciled yet */
    kfk_partition_list *reported; /* what the application holds, as heartbeats say */
    int32_t hb_interval_ms;       /* the broker's */
    int hb_now;                   /* heartbeat at once: an ack or a change */

    /* any thread */
    pthread_mutex_t ids_lock; /* member_id and generation, for other threads'
                                 reads (kfk_consumer_group_metadata) */
    atomic_llong last_poll; /* kfk_io_clock() of the last poll */
    atomic_int wants_poll;  /* LEFT: the next poll posts the task */
    /* under the consumer's lock */
    kfk_gsub *app_sub;
    int left_done; /* close's LeaveGroup ended */
    kfk_rebalance_cb rebalance_cb;
    void *rebalance_opaque;
} kfk_group;

/* A rebalance event for the poll thread: revoke (or lose), then assign. */
typedef struct kfk_gev {
    kfk_consumer_message ev; /* kind KFK_KIND_REBALANCE */
    kfk_task task;           /* the ack, back on the I/O thread */
    struct kfk_consumer *c;
    kfk_partition_list *revoke; /* NULL: none */
    kfk_partition_list *assign; /* NULL: none (cooperative: the added ones) */
    int lost;
    int fatal;      /* err to report after losing everything */
    uint32_t sub_epoch; /* acks for an older subscription are dropped */
} kfk_gev;

/* group.c: I/O thread unless said otherwise. */
void kfk_group_init(struct kfk_consumer *c); /* any thread, before start */
void kfk_group_destroy(struct kfk_consumer *c); /* after the I/O thread ended */
void kfk_group_post(struct kfk_consumer *c); /* any thread: run the state machine */
void kfk_group_run(struct kfk_consumer *c);
/* A rebalance is needed (metadata change, commit told so). */
void kfk_group_request_rejoin(struct kfk_consumer *c, const char *why);
/* Fills an OffsetCommit's generation, member and instance id (strings
 * copied into a). */
void kfk_group_commit_ids(struct kfk_consumer *c, int32_t *generation, kfk_str *member,
                          kfk_str *instance, kfk_arena *a);
/* A commit ended with err: a rebalance error starts a rejoin. */
void kfk_group_commit_result(struct kfk_consumer *c, int err);

/* group_proto.c: the four requests. */
void kfk_group_send_join(struct kfk_consumer *c);
void kfk_group_send_sync(struct kfk_consumer *c, kfk_wbuf *assignments, int n);
void kfk_group_send_heartbeat(struct kfk_consumer *c);
/* done (may be NULL) runs on the I/O thread when the LeaveGroup ended. */
void kfk_group_send_leave(struct kfk_consumer *c, void (*done)(struct kfk_consumer *c));
/* Results, back in group.c. */
void kfk_group_joined(struct kfk_consumer *c, int err, int32_t generation, kfk_str member_id,
                      kfk_str protocol, int leader, int skip_assignment);
void kfk_group_synced(struct kfk_consumer *c, int err, kfk_partition_list *assignment);
void kfk_group_heartbeat_result(struct kfk_consumer *c, int32_t sent_generation, int err);
/* What a Heartbeat sent with sent_generation and answered with err means
 * for the member in its state now. Pure, for tests. */
enum kfk_hb_verdict { KFK_HB_OK, KFK_HB_DROP, KFK_HB_REJOIN, KFK_HB_LOSE, KFK_HB_RETRY };
enum kfk_hb_verdict kfk_group_hb_verdict(const kfk_group *g, int32_t sent_generation, int err);

/* group_leader.c: the leader's part. */
/* Copies the JoinGroup members (and decodes their subscriptions) into
 * g->ra. 0 or a kfk_err. */
int kfk_group_keep_members(kfk_group *g, const void *members, int32_t n);
/* The union of the members' topics, or NULL; n gets the count. In g->ra. */
const char **kfk_group_member_topics(kfk_group *g, int *n);
/* Runs the assignor over md; fills one encoded assignment per member
 * (g->nmembers wbufs, the caller frees them). 0 or a kfk_err. */
int kfk_group_assign(kfk_group *g, const kfk_metadata *md, kfk_wbuf *out);
/* Appends this member's subscription for assignor a. */
int kfk_group_subscription(kfk_group *g, const kfk_assignor *a, const char *rack, kfk_wbuf *w);

/* group_sub.c */
/* A subscription with two references (the application's and the I/O
 * thread's), or NULL with *err set (KFK_ERR_INVALID_ARG: an empty name or
 * a regex that does not compile). */
kfk_gsub *kfk_gsub_new(const char *const *topics, int n, int *err);
void kfk_gsub_unref(kfk_gsub *s);
/* Any thread: hands the I/O thread a new subscription (taking a
 * reference), or NULL to leave the group (left_done is set after). */
int kfk_group_post_sub(struct kfk_consumer *c, kfk_gsub *sub);
/* Matches g->sub against md; 1 if the topics or their partition counts
 * changed (g->topics updated), 0 if not, <0 when out of memory. */
int kfk_group_match(kfk_group *g, const kfk_metadata *md);

/* group_ev.c */
/* Queues an event (taking the lists) and counts it in app_pending. */
void kfk_group_queue_event(struct kfk_consumer *c, kfk_partition_list *revoke,
                           kfk_partition_list *assign, int lost, int fatal);
/* Poll thread: runs the event and acks it. */
void kfk_gev_run(struct kfk_consumer *c, kfk_consumer_message *m);
void kfk_gev_free(kfk_consumer_message *m);
/* Back on the I/O thread: an event was run. */
void kfk_group_acked(struct kfk_consumer *c);
/* Application thread, once per poll: notes the time, rejoins after LEFT. */
void kfk_group_polled(struct kfk_consumer *c);
/* Closing (application thread): revokes, then leaves unless static. */
void kfk_group_close(struct kfk_consumer *c);

/* group.c, shared with group_consumer.c and group_sub.c: the only writers
 * of generation and member_id (the I/O thread's reads need no lock). */
void kfk_group_set_generation(struct kfk_consumer *c, int32_t gen);
void kfk_group_set_member_id(kfk_group *g, kfk_str id);
/* A new KIP-1082 member id (22 characters and a NUL) drawn from rng (the
 * share consumer names its members the same way). */
void kfk_member_id_random(uint64_t *rng, char id[23]);
/* Gives up the assignment (revoked, or lost: no commit; fatal: an error
 * for the application after it). */
void kfk_group_give_up(struct kfk_consumer *c, int lost, int fatal);
int64_t kfk_group_backoff(struct kfk_consumer *c);

/* group_consumer.c: the consumer protocol's steps, called from group.c. */
/* Reconciles, and heartbeats when due; lowers *wake to its next time. */
void kfk_cgroup_step(struct kfk_consumer *c, int64_t now, int64_t *wake);
/* The application ran every queued event: report the new set at once. */
void kfk_cgroup_acked(struct kfk_consumer *c);
/* A heartbeat with member epoch -1 (-2 for a static member). */
void kfk_cgroup_send_leave(struct kfk_consumer *c, void (*done)(struct kfk_consumer *c));
/* Forgets the assignment and what was reported (partitions given up). */
void kfk_cgroup_reset(kfk_group *g);

/* Partition lists: a - b (new list, NULL when out of memory). */
kfk_partition_list *kfk_plist_minus(const kfk_partition_list *a, const kfk_partition_list *b);
/* l, or NULL (l freed) when l is empty. */
kfk_partition_list *kfk_plist_nonempty(kfk_partition_list *l);

#endif

/* The group state machine (group.h): when to join, sync, heartbeat and
 * leave, and what each answer means. Everything here runs on the I/O
 * thread, except init, destroy, post and commit_ids' callers noted. */
#include <string.h>

#include "consumer/consumer_int.h"
#include "consumer/group_metadata.h"
#include "core/alloc.h"
#include "net/backoff.h"

static void group_task(kfk_io *io, kfk_task *t, int err) {
    kfk_group *g = KFK_CONTAINER_OF(t, kfk_group, task);
    atomic_store(&g->posted, 0);
    if (!err) kfk_group_run(KFK_CONTAINER_OF(g, kfk_consumer, group));
}

static void group_timer(kfk_timer *t, int64_t now) {
    kfk_group_run(KFK_CONTAINER_OF(KFK_CONTAINER_OF(t, kfk_group, timer), kfk_consumer, group));
}

void kfk_group_init(kfk_consumer *c) {
    kfk_group *g = &c->group;
    g->generation = -1;
    pthread_mutex_init(&g->ids_lock, NULL);
    g->task.fn = group_task;
    atomic_store(&g->last_poll, kfk_io_clock());
    atomic_store(&c->generation, -1);
}

void kfk_group_destroy(kfk_consumer *c) {
    kfk_group *g = &c->group;
    kfk_gsub_unref(g->sub);
    kfk_gsub_unref(g->app_sub);
    for (int i = 0; i < g->ntopics; i++) kfk_free(g->topics[i]);
    kfk_free(g->topics);
    kfk_free(g->nparts);
    kfk_free(g->member_id);
    kfk_partition_list_destroy(g->owned);
    kfk_arena_reset(&g->ra);
    kfk_cgroup_reset(g);
    pthread_mutex_destroy(&g->ids_lock);
}

void kfk_group_post(kfk_consumer *c) {
    kfk_group *g = &c->group;
    if (atomic_exchange(&g->posted, 1)) return;
    if (kfk_io_post(c->io, &g->task)) atomic_store(&g->posted, 0);
}

int64_t kfk_group_backoff(kfk_consumer *c) {
    return kfk_backoff_ms(c->cc.retry_backoff_ms, c->cc.retry_backoff_max_ms,
                          c->group.attempts++, kfk_io_rng(c->io));
}

void kfk_group_set_generation(kfk_consumer *c, int32_t gen) {
    pthread_mutex_lock(&c->group.ids_lock);
    c->group.generation = gen;
    pthread_mutex_unlock(&c->group.ids_lock);
    atomic_store(&c->generation, gen);
}

void kfk_group_set_member_id(kfk_group *g, kfk_str id) {
    char *fresh = id.len > 0 ? kfk_strndup(id.ptr, (size_t)id.len) : NULL;
    pthread_mutex_lock(&g->ids_lock);
    char *old = g->member_id;
    g->member_id = fresh;
    pthread_mutex_unlock(&g->ids_lock);
    kfk_free(old);
}

/* Any thread. The classic protocol's generation, or the consumer
 * protocol's member epoch (as the Java client reports it). */
kfk_group_metadata *kfk_consumer_group_metadata(kfk_consumer *c) {
    if (!c || !c->cc.group_id) return NULL;
    kfk_group *g = &c->group;
    pthread_mutex_lock(&g->ids_lock);
    kfk_group_metadata *gm =
        kfk_group_metadata_new(c->cc.group_id, g->generation, g->member_id, c->cc.instance_id);
    pthread_mutex_unlock(&g->ids_lock);
    return gm;
}

void kfk_group_give_up(kfk_consumer *c, int lost, int fatal) {
    kfk_group *g = &c->group;
    kfk_cgroup_reset(g);
    kfk_partition_list *all = g->owned;
    g->owned = NULL;
    if (all || fatal) kfk_group_queue_event(c, all, NULL, lost, fatal);
}

/* Starts a (re)join: an eager member revokes everything first. */
static void start_join(kfk_consumer *c) {
    kfk_group *g = &c->group;
    g->rejoin = 0;
    g->epoch++;
    if (!c->cc.cooperative && g->owned && g->owned->count) {
        kfk_group_give_up(c, 0, 0);
        g->state = KFK_G_APP;
        g->join_after = 1;
        return;
    }
    g->state = KFK_G_JOIN;
    g->next_join = 0;
}

/* Generation or member unknown to the coordinator: what we hold is lost. */
static void lose(kfk_consumer *c, int err) {
    kfk_group *g = &c->group;
    kfk_group_set_generation(c, -1);
    if (err == KFK_ERR_UNKNOWN_MEMBER_ID || err == KFK_ERR_FENCED_INSTANCE_ID)
        kfk_group_set_member_id(g, (kfk_str){NULL, -1});
    kfk_consumer_log(c, "group %s: %s, partitions lost", c->cc.group_id, kfk_err_name(err));
    g->epoch++;
    kfk_group_give_up(c, 1, err == KFK_ERR_FENCED_INSTANCE_ID ? err : 0);
    if (err == KFK_ERR_FENCED_INSTANCE_ID) {
        g->state = KFK_G_FATAL;
        return;
    }
    g->state = g->app_pending ? KFK_G_APP : KFK_G_JOIN;
    g->join_after = 1;
    g->next_join = 0;
}

void kfk_group_request_rejoin(kfk_consumer *c, const char *why) {
    kfk_group *g = &c->group;
    g->reason = why;
    if (c->cc.consumer_protocol) { /* no rejoin: the next heartbeat says what changed */
        g->hb_now = 1;
        kfk_group_post(c);
        return;
    }
    if (g->state == KFK_G_STABLE) {
        kfk_consumer_log(c, "group %s: rejoining (%s)", c->cc.group_id, why);
        start_join(c);
        kfk_group_post(c);
    } else if (g->state == KFK_G_JOIN && !g->busy) {
        return; /* the JoinGroup about to go says what is current */
    } else if (g->state != KFK_G_NONE && g->state != KFK_G_FATAL) {
        g->rejoin = 1;
    }
}

void kfk_group_commit_ids(kfk_consumer *c, int32_t *generation, kfk_str *member, kfk_str *instance,
                          kfk_arena *a) {
    kfk_group *g = &c->group;
    if (g->state == KFK_G_NONE || g->generation < 0) return;
    *generation = g->generation;
    *member = kfk_arena_str(a, g->member_id);
    if (c->cc.instance_id) *instance = kfk_str_of(c->cc.instance_id);
}

void kfk_group_commit_result(kfk_consumer *c, int err) {
    if (err == KFK_ERR_REBALANCE_IN_PROGRESS || err == KFK_ERR_ILLEGAL_GENERATION ||
        err == KFK_ERR_UNKNOWN_MEMBER_ID || err == KFK_ERR_STALE_MEMBER_EPOCH)
        kfk_group_request_rejoin(c, kfk_err_name(err));
}

/* ---------------------------------------------------------------- results */

void kfk_group_joined(kfk_consumer *c, int err, int32_t generation, kfk_str member_id,
                      kfk_str protocol, int leader, int skip_assignment) {
    kfk_group *g = &c->group;
    g->busy = 0;
    KFK_C_DBG(c, KFK_DBG_CGRP, "group %s: joined: %s, generation %d, member %.*s%s, assignor %.*s",
              c->cc.group_id, kfk_err_name(err), (int)generation,
              member_id.len > 0 ? (int)member_id.len : 0, member_id.len > 0 ? member_id.ptr : "",
              leader ? " (leader)" : "", protocol.len > 0 ? (int)protocol.len : 0,
              protocol.len > 0 ? protocol.ptr : "");
    if (err == KFK_ERR_MEMBER_ID_REQUIRED) { /* KIP-394: join again with the id given */
        kfk_group_set_member_id(g, member_id);
        g->next_join = 0;
        return;
    }
    if (err == KFK_ERR_UNKNOWN_MEMBER_ID || err == KFK_ERR_ILLEGAL_GENERATION ||
        err == KFK_ERR_FENCED_INSTANCE_ID) {
        lose(c, err);
        return;
    }
    if (err) {
        if (err != KFK_ERR_REBALANCE_IN_PROGRESS)
            kfk_consumer_log(c, "group %s: JoinGroup: %s", c->cc.group_id, kfk_err_name(err));
        g->next_join = kfk_io_now(c->io) + kfk_group_backoff(c);
        return;
    }
    g->attempts = 0;
    /* The member id first: a reader may see the old generation with it,
     * never the new generation without it. */
    kfk_group_set_member_id(g, member_id);
    kfk_group_set_generation(c, generation);
    g->assignor = kfk_assignor_find(protocol.ptr ? protocol.ptr : "", (size_t)(protocol.len > 0 ? protocol.len : 0));
    if (leader && !skip_assignment) {
        g->state = KFK_G_METADATA;
        g->leader_until = kfk_io_now(c->io) + c->cc.request_timeout_ms;
        int n = 0;
        const char **topics = kfk_group_member_topics(g, &n);
        if (n) kfk_core_metadata_refresh(c->core, topics, n);
        return;
    }
    g->state = KFK_G_SYNC;
    kfk_group_send_sync(c, NULL, 0);
}

/* The leader: runs the assignor once the metadata has every member topic
 * (or the wait is over: missing topics get nothing, as in Java). */
static void lead(kfk_consumer *c, int64_t now) {
    kfk_group *g = &c->group;
    kfk_metadata *md = kfk_core_metadata(c->core);
    int n = 0, missing = 0;
    const char **topics = kfk_group_member_topics(g, &n);
    for (int i = 0; i < n; i++) missing |= !md || !kfk_metadata_topic(md, topics[i]);
    if (missing && now < g->leader_until) {
        kfk_metadata_unref(md);
        return;
    }
    kfk_wbuf *out = kfk_calloc((size_t)(g->nmembers ? g->nmembers : 1), sizeof *out);
    int err = out ? kfk_group_assign(g, md, out) : KFK_ERR_NOMEM;
    kfk_metadata_unref(md);
    if (err) {
        kfk_consumer_log(c, "group %s: assignment failed: %s", c->cc.group_id, kfk_err_name(err));
        g->state = KFK_G_JOIN;
        g->next_join = now + kfk_group_backoff(c);
    } else {
        g->state = KFK_G_SYNC;
        kfk_group_send_sync(c, out, g->nmembers);
    }
    for (int i = 0; out && i < g->nmembers; i++) kfk_wbuf_free(&out[i]);
    kfk_free(out);
}

void kfk_group_synced(kfk_consumer *c, int err, kfk_partition_list *assignment) {
    kfk_group *g = &c->group;
    g->busy = 0;
    if (kfk_log_on(c->log, KFK_DBG_CGRP)) {
        kfk_log_emit(c->log, KFK_LOG_DEBUG, KFK_DBG_CGRP, NULL,
                     "group %s: synced: %s, %d partitions assigned", c->cc.group_id,
                     kfk_err_name(err), assignment ? assignment->count : 0);
        for (int i = 0; assignment && i < assignment->count; i++)
            kfk_log_emit(c->log, KFK_LOG_DEBUG, KFK_DBG_CGRP, NULL, "group %s: assigned %s [%d]",
                         c->cc.group_id, assignment->elems[i].topic,
                         (int)assignment->elems[i].partition);
    }
    kfk_arena_reset(&g->ra);
    g->members = NULL;
    g->nmembers = 0;
    if (err == KFK_ERR_UNKNOWN_MEMBER_ID || err == KFK_ERR_ILLEGAL_GENERATION ||
        err == KFK_ERR_FENCED_INSTANCE_ID) {
        kfk_partition_list_destroy(assignment);
        lose(c, err);
        return;
    }
    if (err || !assignment) {
        kfk_partition_list_destroy(assignment);
        g->state = KFK_G_JOIN;
        g->next_join = err == KFK_ERR_REBALANCE_IN_PROGRESS ? 0 : kfk_io_now(c->io) + kfk_group_backoff(c);
        return;
    }
    pthread_mutex_lock(&c->lock);
    c->stats.rebalances++;
    c->rebalance_us = kfk_clock_us();
    pthread_mutex_unlock(&c->lock);
    kfk_cstats_rebalance_done(c); /* as Java: SyncGroup answered */
    kfk_partition_list *revoke = NULL, *assign;
    if (!c->cc.cooperative || !g->owned) {
        assign = kfk_partition_list_copy(assignment);
    } else {
        revoke = kfk_plist_nonempty(kfk_plist_minus(g->owned, assignment));
        assign = kfk_plist_minus(assignment, g->owned);
    }
    /* Cooperative: what moved away is revoked now; its new owner gets it in
     * the next rebalance, which this member starts once the revoke ran. */
    if (revoke) g->rejoin = 1;
    kfk_partition_list_destroy(g->owned);
    g->owned = assignment;
    kfk_group_queue_event(c, revoke, assign, 0, 0);
    g->state = KFK_G_APP;
    g->join_after = 0;
    g->next_hb = kfk_io_now(c->io) + c->cc.heartbeat_interval_ms;
}

enum kfk_hb_verdict kfk_group_hb_verdict(const kfk_group *g, int32_t sent_generation, int err) {
    if (!err) return KFK_HB_OK;
    /* An answer for an older generation says nothing about this one, and
     * while a JoinGroup or SyncGroup is out, its answer speaks for the
     * member (as Java's AbstractCoordinator checks the sent generation). */
    if (sent_generation != g->generation ||
        (g->state != KFK_G_STABLE && g->state != KFK_G_APP))
        return KFK_HB_DROP;
    if (err == KFK_ERR_REBALANCE_IN_PROGRESS)
        return g->state == KFK_G_APP && g->join_after ? KFK_HB_DROP : KFK_HB_REJOIN;
    if (err == KFK_ERR_UNKNOWN_MEMBER_ID || err == KFK_ERR_ILLEGAL_GENERATION ||
        err == KFK_ERR_FENCED_INSTANCE_ID)
        return KFK_HB_LOSE;
    return KFK_HB_RETRY;
}

void kfk_group_heartbeat_result(kfk_consumer *c, int32_t sent_generation, int err) {
    kfk_group *g = &c->group;
    g->hb_busy = 0;
    enum kfk_hb_verdict v = kfk_group_hb_verdict(g, sent_generation, err);
    KFK_C_DBG(c, KFK_DBG_CGRP, "group %s: Heartbeat (generation %d): %s%s", c->cc.group_id,
              (int)sent_generation, kfk_err_name(err), v == KFK_HB_DROP ? ", ignored" : "");
    if (v == KFK_HB_REJOIN)
        kfk_group_request_rejoin(c, "the group is rebalancing");
    else if (v == KFK_HB_LOSE)
        lose(c, err);
    else if (v == KFK_HB_RETRY)
        g->next_hb = kfk_io_now(c->io) + c->cc.retry_backoff_ms;
}

void kfk_group_acked(kfk_consumer *c) {
    kfk_group *g = &c->group;
    if (c->cc.consumer_protocol) {
        if (--g->app_pending == 0) kfk_cgroup_acked(c);
        return;
    }
    if (--g->app_pending > 0 || g->state != KFK_G_APP) return;
    if (g->join_after) {
        g->join_after = 0;
        g->state = KFK_G_JOIN;
        g->next_join = 0;
    } else {
        g->state = KFK_G_STABLE;
        if (g->rejoin) start_join(c);
    }
    kfk_group_run(c);
}

/* ------------------------------------------------------------------- run */

/* max.poll.interval.ms without a poll: leave, as the Java client does,
 * and lose the partitions; the next poll joins again. */
static int poll_expired(kfk_consumer *c, int64_t now) {
    kfk_group *g = &c->group;
    if (now - atomic_load(&g->last_poll) <= c->cc.max_poll_interval_ms) return 0;
    kfk_consumer_log(c, "group %s: no poll within max.poll.interval.ms, leaving",
                     c->cc.group_id);
    if (!c->cc.instance_id && g->member_id) kfk_group_send_leave(c, NULL);
    kfk_group_set_generation(c, -1);
    kfk_group_set_member_id(g, (kfk_str){NULL, -1});
    g->epoch++;
    kfk_group_give_up(c, 1, 0);
    g->state = KFK_G_LEFT;
    c->rebalance_start_us = 0; /* a rebalance under way is not timed */
    atomic_store(&g->wants_poll, 1);
    return 1;
}

/* Subscribed topics or partition counts changed: rejoin. */
static void check_metadata(kfk_consumer *c, int64_t now) {
    kfk_group *g = &c->group;
    int has_re = 0;
    for (int i = 0; i < g->sub->n; i++) has_re |= g->sub->names[i][0] == '^';
    if (has_re && now >= g->next_regex) {
        kfk_core_metadata_refresh(c->core, NULL, -1);
        g->next_regex = now + (c->cc.metadata_max_age_ms > 0 ? c->cc.metadata_max_age_ms : 1000);
    }
    kfk_metadata *md = kfk_core_metadata(c->core);
    int changed = md ? kfk_group_match(g, md) : 0;
    kfk_metadata_unref(md);
    if (changed > 0) {
        kfk_core_metadata_refresh(c->core, (const char *const *)g->topics, g->ntopics);
        kfk_group_request_rejoin(c, "subscribed topics changed");
    }
}

/* Asks for the metadata of the subscription's named topics (of every
 * topic when it names none: regular expressions only). */
static void refresh_named(kfk_consumer *c) {
    kfk_group *g = &c->group;
    int n = 0;
    const char **names = g->sub ? kfk_calloc((size_t)g->sub->n + 1, sizeof *names) : NULL;
    for (int i = 0; names && i < g->sub->n; i++)
        if (g->sub->names[i][0] != '^') names[n++] = g->sub->names[i];
    kfk_core_metadata_refresh(c->core, n ? names : NULL, n ? n : -1);
    kfk_free(names);
}

/* Before the first JoinGroup: whether the metadata knows every named topic
 * (or the wait is over), so the first assignment sees their partitions and
 * their arrival does not call for a second rebalance at once. When it
 * does, the matched topics are brought up to date for the JoinGroup. */
static int topics_known(kfk_consumer *c, int64_t now) {
    kfk_group *g = &c->group;
    kfk_metadata *md = kfk_core_metadata(c->core);
    int known = 1;
    if (g->generation < 0) {
        if (!g->first_join_until) {
            g->first_join_until = now + c->cc.request_timeout_ms;
            refresh_named(c);
        }
        for (int i = 0; md && g->sub && i < g->sub->n; i++)
            known &= g->sub->names[i][0] == '^' || kfk_metadata_topic(md, g->sub->names[i]) != NULL;
        known = (known && md) || now >= g->first_join_until;
    }
    if (known && md) kfk_group_match(g, md);
    kfk_metadata_unref(md);
    return known;
}

/* The classic protocol's part of a run: join, lead, heartbeat when due;
 * lowers *wake to its next time. */
static void classic_step(kfk_consumer *c, int64_t now, int64_t *wake) {
    kfk_group *g = &c->group;
    if (g->state == KFK_G_JOIN && !g->busy) {
        if (now >= g->next_join && topics_known(c, now)) {
            g->busy = 1;
            kfk_group_send_join(c);
        } else if (now >= g->next_join) {
            if (now + 20 < *wake) *wake = now + 20;
        } else if (g->next_join < *wake) {
            *wake = g->next_join;
        }
    }
    if (g->state == KFK_G_METADATA) {
        lead(c, now);
        if (g->state == KFK_G_METADATA && now + 50 < *wake) *wake = now + 50;
    }
    int in_gen = g->generation >= 0 && (g->state == KFK_G_STABLE || g->state == KFK_G_APP);
    if (in_gen && !g->hb_busy) {
        if (now >= g->next_hb) {
            g->hb_busy = 1;
            g->next_hb = now + c->cc.heartbeat_interval_ms;
            kfk_group_send_heartbeat(c);
        }
        if (g->next_hb < *wake) *wake = g->next_hb;
    }
}

void kfk_group_run(kfk_consumer *c) {
    kfk_group *g = &c->group;
    int64_t now = kfk_io_now(c->io), wake = INT64_MAX;
    if (!g->timer_added) {
        if (kfk_io_timer_add(c->io, &g->timer, group_timer)) return;
        g->timer_added = 1;
    }
    if (g->state == KFK_G_NONE || g->state == KFK_G_FATAL) {
        kfk_io_timer_cancel(c->io, &g->timer);
        return;
    }
    if (g->state == KFK_G_LEFT) {
        if (atomic_load(&g->wants_poll)) return;
        start_join(c);
    }
    int in_gen = g->generation >= 0 && (g->state == KFK_G_STABLE || g->state == KFK_G_APP);
    if (in_gen && poll_expired(c, now)) return;
    if (now - g->last_check >= 500) {
        g->last_check = now;
        check_metadata(c, now);
    }
    wake = g->last_check + 500;
    if (!c->cc.consumer_protocol)
        classic_step(c, now, &wake);
    else if (g->state != KFK_G_JOIN || topics_known(c, now))
        kfk_cgroup_step(c, now, &wake);
    else if (now + 20 < wake)
        wake = now + 20;
    in_gen = g->generation >= 0 && (g->state == KFK_G_STABLE || g->state == KFK_G_APP);
    if (in_gen) {
        int64_t poll_due = atomic_load(&g->last_poll) + c->cc.max_poll_interval_ms + 1;
        if (poll_due < wake) wake = poll_due;
    }
    kfk_io_timer_set(c->io, &g->timer, wake);
}

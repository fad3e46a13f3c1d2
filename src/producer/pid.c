/* The idempotent producer's id and epoch (InitProducerId), fetched before
 * the first Produce and bumped (KIP-360: the current id and epoch sent
 * along) when a sequence gap or an unknown producer id needs a fresh
 * start; the bump waits until no Produce request is in flight, then every
 * partition's sequence restarts at 0. */
#include <stdio.h>

#include "net/backoff.h"
#include "producer/producer_int.h"
#include "proto/proto.h"

static int decode_pid(void *opaque, kfk_response *resp, kfk_init_producer_id_response *m) {
    (void)opaque;
    kfk_arena a = {0};
    int rc = kfk_init_producer_id_response_decode(&resp->body, resp->version, &a, m);
    kfk_arena_reset(&a); /* the response has no arrays or strings to keep */
    return rc ? rc : m->error_code;
}

static int on_pid(void *opaque, kfk_response *resp) {
    kfk_producer *p = opaque;
    kfk_init_producer_id_response m = {0};
    int err = resp->err ? resp->err : decode_pid(p, resp, &m);
    kfk_pid_state_set(p, KFK_PID_NONE);
    if (p->stopping) return 0;
    if (!err) {
        int bumped = p->pid >= 0;
        p->pid = m.producer_id;
        p->epoch = m.producer_epoch;
        atomic_store(&p->pid_now, (int64_t)((uint64_t)p->pid << 16 | (uint16_t)p->epoch));
        kfk_pid_state_set(p, KFK_PID_OK);
        p->pid_attempts = 0;
        p->pid_fresh = 0;
        if (bumped) {
            atomic_fetch_add(&p->epoch_bumps, 1);
            pthread_mutex_lock(&p->acc.lock);
            kfk_accum_reset_sequences_locked(&p->acc);
            pthread_mutex_unlock(&p->acc.lock);
        }
        p->need_bump = 0;
        KFK_DBG(p->log, KFK_DBG_EOS, NULL, "idempotence: producer id %lld, epoch %d%s",
                (long long)p->pid, (int)p->epoch, bumped ? " (bumped)" : "");
    } else if (kfk_err_retriable(err) || err == KFK_ERR_NOENT) {
        p->pid_retry_at = kfk_io_now(p->io) + kfk_backoff_ms(p->conf.retry_backoff_ms,
                                                             p->conf.retry_backoff_max_ms,
                                                             p->pid_attempts++, &p->rng);
    } else if (p->pid >= 0 && !p->pid_fresh) {
        p->pid_fresh = 1; /* the broker refused the bump: start a new id */
    } else {
        char why[160];
        snprintf(why, sizeof why, "InitProducerId failed: %s%s%s", kfk_err_name(err),
                 resp->errstr ? ": " : "", resp->errstr ? resp->errstr : "");
        kfk_sender_fatal(p, KFK_ERR_FATAL, why);
        return 0;
    }
    kfk_sender_run(p);
    return resp->err == 0 && err == KFK_ERR_MALFORMED ? err : 0;
}

int64_t kfk_pid_step(kfk_producer *p, int64_t now) {
    /* A transactional producer's id is the transaction manager's. */
    if (!p->conf.idempotent || p->conf.transactional_id || p->stopping || p->pid_state == KFK_PID_ASKING ||
        atomic_load(&p->fatal_err))
        return INT64_MAX;
    if (p->pid_state == KFK_PID_OK && !p->need_bump) return INT64_MAX;
    if (p->need_bump && p->requests > 0) return INT64_MAX; /* each response runs us again */
    if (now < p->pid_retry_at) return p->pid_retry_at;
    kfk_init_producer_id_request_init(&p->pid_msg);
    p->pid_msg.transactional_id = (kfk_str){NULL, -1};
    p->pid_msg.transaction_timeout_ms = INT32_MAX;
    if (p->pid >= 0 && !p->pid_fresh) {
        p->pid_msg.producer_id = p->pid;
        p->pid_msg.producer_epoch = p->epoch;
    }
    p->pid_req = (kfk_core_req){.dest = KFK_DEST_ANY};
    p->pid_req.req = (kfk_request){.api_key = KFK_API_INIT_PRODUCER_ID, .min_version = 0,
                                   .max_version = -1, .msg = &p->pid_msg, .cb = on_pid,
                                   .opaque = p};
    KFK_DBG(p->log, KFK_DBG_EOS, NULL, "idempotence: InitProducerId%s",
            p->pid >= 0 && !p->pid_fresh ? " (epoch bump)" : "");
    kfk_pid_state_set(p, KFK_PID_ASKING);
    if (kfk_core_send(p->core, &p->pid_req)) kfk_pid_state_set(p, KFK_PID_NONE);
    return INT64_MAX;
}

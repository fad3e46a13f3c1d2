/* Share-session epochs and partition lists (share_session.h). */
#include "share/share_session.h"

#include <string.h>

#include "core/alloc.h"
#include "kfk.h"

int32_t kfk_share_epoch_next(int32_t e) {
    return e <= 0 || e == INT32_MAX ? 1 : e + 1;
}

static int has(const kfk_share_tp *v, int n, const kfk_share_tp *t) {
    for (int i = 0; i < n; i++)
        if (v[i].partition == t->partition && !memcmp(&v[i].topic_id, &t->topic_id, 16)) return 1;
    return 0;
}

void kfk_share_session_plan(const kfk_share_session *s, const kfk_share_tp *want, int n,
                            kfk_share_tp *add, int *nadd, kfk_share_tp *forget, int *nforget) {
    *nadd = *nforget = 0;
    for (int i = 0; i < n; i++)
        if (s->epoch == 0 || !has(s->in, s->nin, &want[i])) add[(*nadd)++] = want[i];
    if (s->epoch == 0) return;
    for (int i = 0; i < s->nin; i++)
        if (!has(want, n, &s->in[i])) forget[(*nforget)++] = s->in[i];
}

int kfk_share_session_error(int err) {
    return err == KFK_ERR_SHARE_SESSION_NOT_FOUND || err == KFK_ERR_INVALID_SHARE_SESSION_EPOCH ||
           err == KFK_ERR_SHARE_SESSION_LIMIT_REACHED;
}

int kfk_share_session_answered(kfk_share_session *s, const kfk_share_tp *want, int n, int err) {
    if (err) {
        /* Any failure may have left the broker's session elsewhere than
         * ours: a new one is opened (the old one times out broker-side). */
        s->epoch = 0;
        s->nin = 0;
        return 0;
    }
    kfk_share_tp *in = n > 0 ? kfk_malloc((size_t)n * sizeof *in) : NULL;
    if (n > 0 && !in) {
        s->epoch = 0;
        s->nin = 0;
        return KFK_ERR_NOMEM;
    }
    if (n > 0) memcpy(in, want, (size_t)n * sizeof *in);
    kfk_free(s->in);
    s->in = in;
    s->nin = n;
    s->epoch = kfk_share_epoch_next(s->epoch);
    return 0;
}

void kfk_share_session_acked(kfk_share_session *s, int err) {
    if (!err) s->epoch = kfk_share_epoch_next(s->epoch);
    else if (kfk_share_session_error(err)) {
        s->epoch = 0;
        s->nin = 0;
    }
}

void kfk_share_session_free(kfk_share_session *s) {
    kfk_free(s->in);
    s->in = NULL;
    s->nin = 0;
}

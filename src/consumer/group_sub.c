/* Subscriptions: topic names and ^regular expressions, matched against
 * metadata, and the subscribe / unsubscribe / subscription API. */
#include <stdlib.h>
#include <string.h>

#include "consumer/consumer_int.h"
#include "core/alloc.h"

void kfk_gsub_unref(kfk_gsub *s) {
    if (!s || atomic_fetch_sub(&s->refs, 1) != 1) return;
    for (int i = 0; i < s->n; i++) {
        if (s->names[i][0] == '^') regfree(&s->re[i]);
        kfk_free(s->names[i]);
    }
    kfk_free(s->names);
    kfk_free(s->re);
    kfk_free(s);
}

kfk_gsub *kfk_gsub_new(const char *const *topics, int n, int *err) {
    kfk_gsub *s = kfk_calloc(1, sizeof *s);
    if (s) {
        s->names = kfk_calloc((size_t)n, sizeof *s->names);
        s->re = kfk_calloc((size_t)n, sizeof *s->re);
    }
    *err = KFK_ERR_NOMEM;
    if (!s || !s->names || !s->re) {
        if (s) {
            kfk_free(s->names);
            kfk_free(s->re);
        }
        kfk_free(s);
        return NULL;
    }
    atomic_store(&s->refs, 1);
    for (; s->n < n; s->n++) {
        const char *t = topics[s->n];
        if (!t || !*t) {
            *err = KFK_ERR_INVALID_ARG;
            break;
        }
        s->names[s->n] = kfk_strndup(t, strlen(t));
        if (!s->names[s->n]) break;
        if (t[0] == '^' && regcomp(&s->re[s->n], t, REG_EXTENDED | REG_NOSUB)) {
            kfk_free(s->names[s->n]); /* not counted in n: not regfree'd */
            *err = KFK_ERR_INVALID_ARG;
            break;
        }
    }
    if (s->n < n) {
        kfk_gsub_unref(s);
        return NULL;
    }
    atomic_store(&s->refs, 2);
    *err = 0;
    return s;
}

static int matches(const kfk_gsub *s, const kfk_md_topic *t) {
    for (int i = 0; i < s->n; i++) {
        if (s->names[i][0] != '^') {
            if (!strcmp(s->names[i], t->name)) return 1;
        } else if (!t->internal && !regexec(&s->re[i], t->name, 0, NULL, 0)) {
            return 1;
        }
    }
    return 0;
}

static int str_sort(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int kfk_group_match(kfk_group *g, const kfk_metadata *md) {
    int cap = md->ntopics + g->sub->n, n = 0;
    char **names = kfk_calloc((size_t)cap, sizeof *names);
    int32_t *np = kfk_calloc((size_t)cap, sizeof *np);
    if (!names || !np) goto nomem;
    /* Named topics count even before they exist (0 partitions): their
     * creation then changes the match. */
    for (int i = 0; i < g->sub->n; i++)
        if (g->sub->names[i][0] != '^') names[n++] = g->sub->names[i];
    for (int32_t i = 0; i < md->ntopics; i++)
        if (matches(g->sub, &md->topics[i])) names[n++] = (char *)md->topics[i].name;
    qsort(names, (size_t)n, sizeof *names, str_sort);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!k || strcmp(names[k - 1], names[i])) names[k++] = names[i];
    n = k;
    int changed = n != g->ntopics;
    for (int i = 0; i < n; i++) {
        const kfk_md_topic *t = kfk_metadata_topic(md, names[i]);
        np[i] = t && !t->err ? t->npartitions : 0;
        if (!changed) changed = strcmp(names[i], g->topics[i]) || np[i] != g->nparts[i];
    }
    if (!changed) {
        kfk_free(names);
        kfk_free(np);
        return 0;
    }
    for (int i = 0; i < n; i++) {
        names[i] = kfk_strndup(names[i], strlen(names[i]));
        if (!names[i]) {
            while (i--) kfk_free(names[i]);
            goto nomem;
        }
    }
    for (int i = 0; i < g->ntopics; i++) kfk_free(g->topics[i]);
    kfk_free(g->topics);
    kfk_free(g->nparts);
    g->topics = names;
    g->nparts = np;
    g->ntopics = n;
    return 1;
nomem:
    kfk_free(names);
    kfk_free(np);
    return KFK_ERR_NOMEM;
}

kfk_partition_list *kfk_plist_minus(const kfk_partition_list *a, const kfk_partition_list *b) {
    kfk_partition_list *l = kfk_partition_list_new(a ? a->count : 0);
    for (int i = 0; l && a && i < a->count; i++) {
        const kfk_partition *e = &a->elems[i];
        if (b && kfk_partition_list_find(b, e->topic, e->partition)) continue;
        if (!kfk_partition_list_add(l, e->topic, e->partition)) {
            kfk_partition_list_destroy(l);
            return NULL;
        }
    }
    return l;
}

kfk_partition_list *kfk_plist_nonempty(kfk_partition_list *l) {
    if (l && !l->count) {
        kfk_partition_list_destroy(l);
        return NULL;
    }
    return l;
}

/* ------------------------------------------------------------------- API */

/* I/O thread: takes in the application's new subscription (or none). */
typedef struct sub_task {
    kfk_task task;
    kfk_consumer *c;
    kfk_gsub *sub;
} sub_task;

static void leave_done(kfk_consumer *c) {
    pthread_mutex_lock(&c->lock);
    c->group.left_done = 1;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

static void take_sub(kfk_io *io, kfk_task *t, int err) {
    sub_task *st = KFK_CONTAINER_OF(t, sub_task, task);
    kfk_consumer *c = st->c;
    kfk_group *g = &c->group;
    if (!err) {
        kfk_gsub_unref(g->sub);
        g->sub = st->sub;
        st->sub = NULL;
        if (!g->sub) {
            /* Unsubscribed: the application gave the partitions up already. */
            int member = g->member_id && g->state != KFK_G_FATAL && g->state != KFK_G_LEFT;
            kfk_partition_list_destroy(g->owned);
            g->owned = NULL;
            kfk_cgroup_reset(g);
            g->state = KFK_G_NONE;
            c->rebalance_start_us = 0; /* a rebalance under way is not timed */
            g->epoch++;
            g->sub_epoch++;
            g->app_pending = g->join_after = g->rejoin = 0;
            if (member && !c->cc.instance_id)
                kfk_group_send_leave(c, leave_done);
            else
                leave_done(c);
            kfk_group_set_generation(c, -1);
            kfk_group_set_member_id(g, (kfk_str){NULL, -1});
        } else {
            kfk_metadata *md = kfk_core_metadata(c->core);
            if (md) kfk_group_match(g, md);
            kfk_metadata_unref(md);
            g->next_regex = 0;
            if (g->ntopics)
                kfk_core_metadata_refresh(c->core, (const char *const *)g->topics, g->ntopics);
            if (g->state == KFK_G_NONE) {
                g->state = KFK_G_JOIN;
                g->next_join = 0;
            } else {
                kfk_group_request_rejoin(c, "the subscription changed");
            }
        }
        kfk_group_run(c);
    }
    kfk_gsub_unref(st->sub);
    kfk_free(st);
}

int kfk_group_post_sub(kfk_consumer *c, kfk_gsub *sub) {
    sub_task *st = kfk_calloc(1, sizeof *st);
    if (!st) return KFK_ERR_NOMEM;
    st->c = c;
    st->sub = sub;
    st->task.fn = take_sub;
    if (kfk_io_post(c->io, &st->task)) {
        kfk_gsub_unref(sub);
        kfk_free(st);
        return KFK_ERR_DESTROYED;
    }
    return 0;
}

int kfk_consumer_subscribe(kfk_consumer *c, const char *const *topics, int n) {
    if (!c->cc.group_id || !topics || n <= 0) return KFK_ERR_INVALID_ARG;
    int err;
    kfk_gsub *s = kfk_gsub_new(topics, n, &err);
    if (!s) return err;
    pthread_mutex_lock(&c->lock);
    kfk_gsub *old = c->group.app_sub;
    c->group.app_sub = s;
    pthread_mutex_unlock(&c->lock);
    kfk_gsub_unref(old);
    atomic_store(&c->group.last_poll, kfk_io_clock());
    return kfk_group_post_sub(c, s);
}

kfk_partition_list *kfk_consumer_subscription(kfk_consumer *c) {
    pthread_mutex_lock(&c->lock);
    kfk_gsub *s = c->group.app_sub;
    kfk_partition_list *l = s ? kfk_partition_list_new(s->n) : NULL;
    for (int i = 0; l && i < s->n; i++) {
        kfk_partition *e = kfk_partition_list_add(l, s->names[i], -1);
        if (!e) {
            kfk_partition_list_destroy(l);
            l = NULL;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return l;
}

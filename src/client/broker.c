#include "client/broker.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "kfk.h"
#include "net/backoff.h"

static int parse_one(const char *s, size_t len, kfk_hostport *hp) {
    while (len && isspace((unsigned char)*s)) s++, len--;
    while (len && isspace((unsigned char)s[len - 1])) len--;
    const char *scheme = memchr(s, ':', len);
    if (scheme && (size_t)(scheme - s) + 3 <= len && memcmp(scheme, "://", 3) == 0) {
        len -= (size_t)(scheme + 3 - s);
        s = scheme + 3;
    }
    const char *host = s, *colon;
    size_t hostlen;
    if (len && *s == '[') { /* [IPv6]:port */
        const char *close = memchr(s, ']', len);
        if (!close || close + 1 >= s + len || close[1] != ':') return -1;
        host = s + 1;
        hostlen = (size_t)(close - host);
        colon = close + 1;
    } else {
        colon = NULL;
        for (const char *p = s; p < s + len; p++)
            if (*p == ':') colon = p;
        if (!colon) return -1;
        hostlen = (size_t)(colon - s);
        if (memchr(s, ':', hostlen)) return -1; /* bare IPv6 needs brackets */
    }
    if (hostlen == 0 || hostlen >= sizeof hp->host) return -1;
    long port = 0;
    const char *p = colon + 1;
    if (p >= s + len) return -1;
    for (; p < s + len; p++) {
        if (!isdigit((unsigned char)*p)) return -1;
        port = port * 10 + (*p - '0');
        if (port > 65535) return -1;
    }
    if (port == 0) return -1;
    memcpy(hp->host, host, hostlen);
    hp->host[hostlen] = '\0';
    hp->port = (int)port;
    return 0;
}

int kfk_bootstrap_parse(const char *list, kfk_hostport **out, char *errstr, size_t errlen) {
    int n = 1;
    for (const char *p = list; *p; p++) n += *p == ',';
    kfk_hostport *v = kfk_calloc((size_t)n, sizeof *v);
    if (!v) {
        snprintf(errstr, errlen, "bootstrap.servers: out of memory");
        return KFK_ERR_NOMEM;
    }
    int count = 0;
    for (const char *s = list;;) {
        const char *end = strchr(s, ',');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (parse_one(s, len, &v[count]) != 0) {
            snprintf(errstr, errlen,
                     "bootstrap.servers: invalid entry \"%.*s\" (expected host:port)",
                     (int)(len > 100 ? 100 : len), s);
            kfk_free(v);
            return KFK_ERR_CONFIG;
        }
        count++;
        if (!end) break;
        s = end + 1;
    }
    *out = v;
    return count;
}

/* Links to the bootstrap servers, ids -n..-1 in list order (which keeps the
 * set sorted by id); NULL when one cannot be made. */
static kfk_broker *bootstrap_links(kfk_io *io, const kfk_hostport *servers, int n) {
    kfk_broker *v = kfk_calloc((size_t)n, sizeof *v);
    for (int i = 0; v && i < n; i++) {
        int32_t id = i - n;
        v[i] = (kfk_broker){id, kfk_io_link_new(io, id, servers[i].host, servers[i].port)};
        if (v[i].link) continue;
        while (i-- > 0) kfk_io_link_release(v[i].link);
        kfk_free(v);
        v = NULL;
    }
    return v;
}

int kfk_brokers_init(kfk_brokers *b, kfk_io *io, const kfk_hostport *servers, int n) {
    *b = (kfk_brokers){.io = io, .bootstrap = 1};
    b->servers = kfk_malloc((size_t)n * sizeof *servers);
    if (!b->servers) return KFK_ERR_NOMEM;
    memcpy(b->servers, servers, (size_t)n * sizeof *servers);
    b->nservers = n;
    b->v = bootstrap_links(io, servers, n);
    if (!b->v) {
        kfk_brokers_release(b);
        return KFK_ERR_NOMEM;
    }
    b->n = b->cap = n;
    return 0;
}

static void release_links(kfk_broker *v, int n) {
    for (int i = 0; i < n; i++)
        if (v[i].link) kfk_io_link_release(v[i].link);
    kfk_free(v);
}

void kfk_brokers_release(kfk_brokers *b) {
    release_links(b->v, b->n);
    kfk_free(b->servers);
    *b = (kfk_brokers){.io = b->io};
}

int kfk_brokers_rebootstrap(kfk_brokers *b) {
    kfk_broker *v = bootstrap_links(b->io, b->servers, b->nservers);
    if (!v) return KFK_ERR_NOMEM;
    release_links(b->v, b->n);
    b->v = v;
    b->n = b->cap = b->nservers;
    b->bootstrap = 1;
    return 0;
}

int kfk_brokers_unreachable(const kfk_brokers *b) {
    for (int i = 0; i < b->n; i++) {
        const kfk_link *l = b->v[i].link;
        if (kfk_io_link_state(l) == KFK_LINK_UP || kfk_io_link_failures(l) < 2) return 0;
    }
    return b->n > 0;
}

static int cmp_id(const void *key, const void *elem) {
    int32_t x = *(const int32_t *)key, y = ((const kfk_broker *)elem)->id;
    return (x > y) - (x < y);
}

kfk_link *kfk_brokers_get(const kfk_brokers *b, int32_t id) {
    const kfk_broker *e = bsearch(&id, b->v, (size_t)b->n, sizeof *b->v, cmp_id);
    return e ? e->link : NULL;
}

static int same_addr(const kfk_link *l, const kfk_md_broker *mb) {
    return kfk_io_link_port(l) == mb->port && strcmp(kfk_io_link_host(l), mb->host) == 0;
}

/* A bootstrap server that is also an advertised broker keeps its
 * connection (already negotiated) instead of opening a second one. */
static kfk_link *find_addr(const kfk_brokers *b, const kfk_md_broker *mb) {
    for (int i = 0; i < b->n; i++) {
        kfk_link *l = b->v[i].link;
        if (kfk_io_link_node_id(l) < 0 && same_addr(l, mb)) return l;
    }
    return NULL;
}

int kfk_brokers_update(kfk_brokers *b, const kfk_metadata *md) {
    if (md->nbrokers == 0) return 0; /* keep what works rather than nothing */
    kfk_broker *v = kfk_calloc((size_t)md->nbrokers, sizeof *v);
    if (!v) return KFK_ERR_NOMEM;
    int n = 0, rc = 0;
    for (int32_t i = 0; i < md->nbrokers; i++) {
        const kfk_md_broker *mb = &md->brokers[i];
        if (n && v[n - 1].id == mb->node_id) continue;
        kfk_link *l = b->bootstrap ? find_addr(b, mb) : kfk_brokers_get(b, mb->node_id);
        if (l && !same_addr(l, mb)) l = NULL; /* moved: the old link is released below */
        if (!l) l = kfk_io_link_new(b->io, mb->node_id, mb->host, mb->port);
        if (!l) {
            rc = KFK_ERR_NOMEM;
            continue;
        }
        if (kfk_io_link_set_node(l, mb->node_id, md->cluster_id) != 0) rc = KFK_ERR_NOMEM;
        v[n++] = (kfk_broker){mb->node_id, l};
    }
    /* Release the links the new set does not carry over. */
    for (int i = 0; i < b->n; i++) {
        int kept = 0;
        for (int j = 0; j < n && !kept; j++) kept = v[j].link == b->v[i].link;
        if (!kept) kfk_io_link_release(b->v[i].link);
    }
    kfk_free(b->v);
    b->v = v;
    b->n = b->cap = n;
    b->bootstrap = 0;
    return rc;
}

kfk_link *kfk_brokers_least_loaded(const kfk_brokers *b, uint64_t *rng) {
    if (b->n == 0) return NULL;
    int start = (int)(kfk_rand_next(rng) % (uint64_t)b->n);
    kfk_link *best = NULL;
    int64_t best_score = INT64_MAX;
    for (int k = 0; k < b->n; k++) {
        kfk_link *l = b->v[(start + k) % b->n].link;
        int64_t score, pending = kfk_io_link_pending(l);
        /* Ready beats connecting beats backing off; pending load breaks ties
         * within a class, the end of the backoff among backing-off ones. */
        if (kfk_io_link_ready(l))
            score = pending;
        else if (kfk_io_link_state(l) != KFK_LINK_BACKOFF)
            score = ((int64_t)1 << 32) + pending;
        else
            score = ((int64_t)1 << 40) + kfk_io_link_backoff_until(l);
        if (score < best_score) {
            best = l;
            best_score = score;
        }
    }
    return best;
}

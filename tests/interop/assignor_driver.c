/* Runs kfk's assignors on the cases AssignorCheck.java reads (stdin) and
 * prints its output format, so tests/interop/run can diff the two. Each
 * member's subscription goes through ConsumerProtocol bytes, as in Java. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assign/assignor.h"
#include "core/alloc.h"
#include "kfk.h"

enum { MAX_ITEMS = 4096, LINE_MAX_LEN = 1 << 20 };

typedef struct kcase {
    kfk_arena a; /* everything a case allocates */
    const kfk_assignor *as;
    kfk_assign_topic topics[MAX_ITEMS];
    int32_t ntopics;
    kfk_assign_member members[MAX_ITEMS];
    int32_t nmembers;
    char *sub_hex[MAX_ITEMS];
} kcase;

static char *dup_arena(kfk_arena *a, const char *s, size_t n) {
    char *d = kfk_arena_alloc(a, n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

static kfk_str mkstr(kfk_arena *a, const char *s) {
    if (strcmp(s, "-") == 0) return (kfk_str){NULL, -1};
    return (kfk_str){dup_arena(a, s, strlen(s)), (int32_t)strlen(s)};
}

/* Splits s at sep into arena strings; returns the count. */
static int32_t split(kfk_arena *a, const char *s, char sep, kfk_str **out) {
    int32_t n = 1;
    for (const char *p = s; *p; p++) n += *p == sep;
    *out = kfk_arena_array(a, (size_t)n, sizeof **out);
    int32_t k = 0;
    const char *start = s;
    for (const char *p = s;; p++)
        if (*p == sep || !*p) {
            (*out)[k++] = (kfk_str){dup_arena(a, start, (size_t)(p - start)), (int32_t)(p - start)};
            if (!*p) break;
            start = p + 1;
        }
    return n;
}

static void parse_topic(kcase *c, char *name, int32_t n, char *racks) {
    kfk_assign_topic *t = &c->topics[c->ntopics++];
    t->name = mkstr(&c->a, name);
    t->partitions = n;
    t->racks = NULL;
    if (strcmp(racks, "-") == 0) return;
    kfk_str *per;
    int32_t np = split(&c->a, racks, ';', &per);
    kfk_assign_racks *r = kfk_arena_array(&c->a, (size_t)np, sizeof *r);
    for (int32_t p = 0; p < np; p++) {
        r[p].count = 0;
        if (strcmp(per[p].ptr, "_") != 0) r[p].count = split(&c->a, per[p].ptr, '|', (kfk_str **)&r[p].racks);
    }
    t->racks = r;
}

static void hexify(const uint8_t *p, size_t n, char *out) {
    if (n == 0) strcpy(out, "-");
    for (size_t i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", p[i]);
}

static kfk_assign_owned *parse_owned(kfk_arena *a, const char *s, int32_t *n) {
    *n = 0;
    if (strcmp(s, "-") == 0) return NULL;
    kfk_str *groups;
    *n = split(a, s, '/', &groups);
    kfk_assign_owned *o = kfk_arena_array(a, (size_t)*n, sizeof *o);
    for (int32_t i = 0; i < *n; i++) {
        const char *colon = strchr(groups[i].ptr, ':');
        o[i].topic = (kfk_str){groups[i].ptr, (int32_t)(colon - groups[i].ptr)};
        kfk_str *ps;
        o[i].count = split(a, colon + 1, ',', &ps);
        int32_t *v = kfk_arena_array(a, (size_t)o[i].count, sizeof *v);
        for (int32_t k = 0; k < o[i].count; k++) v[k] = atoi(ps[k].ptr);
        o[i].partitions = v;
    }
    return o;
}

static void parse_member(kcase *c, char **f) {
    kfk_arena *a = &c->a;
    kfk_subscription s = {0};
    s.generation = atoi(f[4]);
    s.rack = mkstr(a, f[3]);
    s.user_data = (kfk_bytes){NULL, -1};
    if (strcmp(f[5], "empty") == 0) {
        s.user_data = (kfk_bytes){(const uint8_t *)"", 0};
    } else if (strcmp(f[5], "-") != 0) {
        size_t n = strlen(f[5]) / 2;
        uint8_t *u = kfk_arena_alloc(a, n + 1);
        for (size_t i = 0; i < n; i++) sscanf(f[5] + 2 * i, "%2hhx", &u[i]);
        s.user_data = (kfk_bytes){u, (int32_t)n};
    }
    kfk_str *topics = NULL;
    if (strcmp(f[7], "-") != 0) s.ntopics = split(a, f[7], ',', &topics);
    s.topics = topics;
    s.owned = parse_owned(a, f[8], &s.nowned);
    kfk_wbuf w = {0};
    if (kfk_subscription_encode(&w, (int16_t)atoi(f[6]), &s, a)) abort();
    int32_t m = c->nmembers++;
    c->sub_hex[m] = kfk_arena_alloc(a, 2 * w.len + 2);
    hexify(w.data, w.len, c->sub_hex[m]);
    uint8_t *wire = kfk_arena_alloc(a, w.len);
    memcpy(wire, w.data, w.len);
    kfk_subscription *seen = kfk_arena_alloc(a, sizeof *seen);
    if (kfk_subscription_decode(wire, w.len, a, seen)) abort();
    kfk_assign_member_from_subscription(&c->members[m], mkstr(a, f[1]), mkstr(a, f[2]), seen);
    kfk_wbuf_free(&w);
}

static void print_tps(const kcase *c, const kfk_member_assignment *m) {
    if (m->count == 0) fputs("-", stdout);
    for (int32_t i = 0; i < m->count; i++) {
        const kfk_assign_tp *tp = &m->partitions[i];
        if (i == 0 || tp->topic != m->partitions[i - 1].topic)
            printf("%s%.*s:%d", i ? ";" : "", c->topics[tp->topic].name.len, c->topics[tp->topic].name.ptr,
                   tp->partition);
        else
            printf(",%d", tp->partition);
    }
}

static void run_case(kcase *c, int n) {
    kfk_assign_input in = {c->topics, c->ntopics, c->members, c->nmembers};
    kfk_member_assignment *out = kfk_arena_array(&c->a, (size_t)c->nmembers + 1, sizeof *out);
    printf("case %d\n", n);
    int rc = c->as->assign(&in, &c->a, out);
    for (int32_t m = 0; rc == 0 && m < c->nmembers; m++) {
        printf("%.*s ", c->members[m].member_id.len, c->members[m].member_id.ptr);
        print_tps(c, &out[m]);
        putchar('\n');
    }
    if (rc) printf("error\n");
    for (int32_t m = 0; m < c->nmembers; m++)
        printf("sub %.*s %s\n", c->members[m].member_id.len, c->members[m].member_id.ptr, c->sub_hex[m]);
    for (int32_t m = 0; rc == 0 && m < c->nmembers; m++) {
        kfk_wbuf w = {0};
        static char hex[1 << 20];
        if (kfk_assignment_encode(&w, 3, c->topics, &out[m], (kfk_bytes){NULL, -1})) abort();
        hexify(w.data, w.len, hex);
        printf("asg %.*s %s\n", c->members[m].member_id.len, c->members[m].member_id.ptr, hex);
        kfk_wbuf_free(&w);
    }
}

int main(void) {
    static char line[LINE_MAX_LEN];
    kcase *c = calloc(1, sizeof *c);
    int n = 0;
    while (fgets(line, sizeof line, stdin)) {
        char *f[16] = {0};
        int nf = 0;
        for (char *tok = strtok(line, " \n"); tok && nf < 16; tok = strtok(NULL, " \n")) f[nf++] = tok;
        if (nf == 0) continue;
        if (strcmp(f[0], "case") == 0) {
            kfk_arena_reset(&c->a);
            c->ntopics = c->nmembers = 0;
            c->as = kfk_assignor_find(f[1], strlen(f[1]));
            if (!c->as) abort();
        } else if (strcmp(f[0], "topic") == 0 && nf == 4) {
            parse_topic(c, f[1], atoi(f[2]), f[3]);
        } else if (strcmp(f[0], "member") == 0 && nf == 9) {
            parse_member(c, f);
        } else if (strcmp(f[0], "end") == 0) {
            run_case(c, n++);
        }
    }
    kfk_arena_reset(&c->a);
    free(c);
    return 0;
}

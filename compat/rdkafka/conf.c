/* librdkafka's configuration objects on kfk: rd_kafka_conf_* and
 * rd_kafka_topic_conf_* keep librdkafka's properties as strings (set,
 * get, dump, dup and their error texts behave as librdkafka 2.0.2's);
 * conf_build.c translates them into a kfk_conf when a client is made.
 * The property table, with what kfk does with each, is conf_props.c;
 * the built-in partitioners are partitioner.c. */
#include <ctype.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf_props.h"
#include "core/portable.h"
#include "rdk_int.h"

static rdk_props *props_new(void) {
    return calloc(1, sizeof(struct rdk_props) +
                         (size_t)(rdk_props_cnt - 1) * sizeof(struct rdk_prop_val));
}

static void props_free(rdk_props *p) {
    if (!p) return;
    for (int i = 0; i < rdk_props_cnt; i++) {
        /* secrets do not linger in freed memory */
        if (p->e[i].v && (rdk_props_table[i].flags & RDK_F_SENSITIVE))
            kfk_wipe(p->e[i].v, strlen(p->e[i].v));
        free(p->e[i].v);
    }
    free(p);
}

void rdk_seterr(char *errstr, size_t size, const char *fmt, ...) {
    if (!errstr || !size) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errstr, size, fmt, ap);
    va_end(ap);
}

int rdk_prop_find(int scope, const char *name) {
    for (int i = 0; i < rdk_props_cnt; i++) {
        const rdk_prop *p = &rdk_props_table[i];
        if (!(p->flags & scope) || strcmp(p->name, name)) continue;
        if (p->type == RDK_ALIAS) return rdk_prop_find(scope, p->values);
        return i;
    }
    return -1;
}

const char *rdk_prop_value(const rdk_props *props, int i) {
    if (props && props->e[i].set) return props->e[i].v ? props->e[i].v : rdk_props_table[i].def;
    return rdk_props_table[i].def;
}

/* ---------------------------------------------------- enums and flags */

/* The n-th value of a values list ("a|a2,b,!c"): its synonyms span [*s, *e). */
static int value_item(const char *values, int n, const char **s, const char **e) {
    const char *p = values;
    for (int k = 0; k < n; k++) {
        p = strchr(p, ',');
        if (!p) return 0;
        p++;
    }
    *s = p;
    *e = strchr(p, ',');
    if (!*e) *e = p + strlen(p);
    return 1;
}

/* Which value item the token [s, s+len) names (case-insensitive); -1: none.
 * *unsup is set when that value is one kfk lacks. */
static int value_lookup(const char *values, const char *s, size_t len, int *unsup) {
    const char *is, *ie;
    for (int n = 0; value_item(values, n, &is, &ie); n++) {
        const char *p = is;
        int bang = (*p == '!');
        if (bang) p++;
        while (p < ie) {
            const char *q = memchr(p, '|', (size_t)(ie - p));
            if (!q) q = ie;
            if ((size_t)(q - p) == len && !strncasecmp(p, s, len)) {
                *unsup = bang;
                return n;
            }
            p = q + 1;
        }
    }
    return -1;
}

/* The first name of value item n, into buf. */
static void value_name(const char *values, int n, char *buf, size_t size) {
    const char *s, *e;
    if (!value_item(values, n, &s, &e)) {
        buf[0] = '\0';
        return;
    }
    if (*s == '!') s++;
    const char *bar = memchr(s, '|', (size_t)(e - s));
    if (bar) e = bar;
    snprintf(buf, size, "%.*s", (int)(e - s), s);
}

static int value_count(const char *values) {
    int n = 1;
    for (const char *p = values; *p; p++) n += (*p == ',');
    return n;
}

/* Flag n's bits: the last item of "debug" ("all") is every bit. */
static uint32_t flag_bits(const rdk_prop *p, int n, int cnt) {
    return (!strcmp(p->name, "debug") && n == cnt - 1) ? ((1u << cnt) - 1) : (1u << n);
}

/* CSV flags as a bit mask. */
static uint32_t flags_mask(const rdk_prop *p, const char *str) {
    uint32_t m = 0;
    int cnt = value_count(p->values);
    while (str && *str) {
        const char *e = strchr(str, ',');
        size_t len = e ? (size_t)(e - str) : strlen(str);
        int unsup, n = value_lookup(p->values, str, len, &unsup);
        if (n >= 0) m |= flag_bits(p, n, cnt);
        str = e ? e + 1 : NULL;
    }
    return m;
}

/* The names of mask's flags, joined by sep; "all" only when every bit is set. */
static void flags_str(const rdk_prop *p, uint32_t mask, const char *sep, int every, char *buf,
                      size_t size) {
    int cnt = value_count(p->values);
    size_t of = 0;
    buf[0] = '\0';
    for (int n = 0; n < cnt; n++) {
        uint32_t bit = flag_bits(p, n, cnt);
        const char *s, *e;
        value_item(p->values, n, &s, &e);
        if (*s == '!' && !every) continue;
        if (!every && (mask & bit) != bit) continue;
        char name[64];
        value_name(p->values, n, name, sizeof name);
        int r = snprintf(buf + of, size - of, "%s%s", of ? sep : "", name);
        if (r < 0 || (size_t)r >= size - of) break;
        of += (size_t)r;
    }
}

/* ------------------------------------------------------- setting */

static int validate_str(const rdk_prop *p, const char *v) {
    if (!strcmp(p->name, "sasl.mechanisms")) return v && !strchr(v, ',') && !strchr(v, ' ');
    if (!strcmp(p->name, "partitioner")) return v && rdk_partitioner_by_name(v) != NULL;
    if (!strcmp(p->name, "broker.version.fallback"))
        return v && strncmp(v, "0.7.", 4) && strncmp(v, "0.6.", 4);
    return 1;
}

static int patlist_check(const char *v, char *errstr, size_t size) {
    while (v && *v) {
        const char *e = strchr(v, ',');
        size_t len = e ? (size_t)(e - v) : strlen(v);
        char pat[512];
        snprintf(pat, sizeof pat, "%.*s", (int)len, v);
        regex_t re;
        int r = regcomp(&re, pat, REG_EXTENDED | REG_NOSUB);
        if (r) {
            char why[256];
            regerror(r, &re, why, sizeof why);
            rdk_seterr(errstr, size, "Failed to parse pattern \"%s\": %s", pat, why);
            return 0;
        }
        regfree(&re);
        v = e ? e + 1 : NULL;
    }
    return 1;
}

/* Keeps v as property i's value; INVALID (the old value kept) when out
 * of memory. */
static rd_kafka_conf_res_t store(rdk_props *props, int i, const char *v, char *errstr,
                                     size_t size) {
    char *copy = v ? strdup(v) : NULL;
    if (v && !copy) {
        rdk_seterr(errstr, size, "Out of memory setting \"%s\"", rdk_props_table[i].name);
        return RD_KAFKA_CONF_INVALID;
    }
    free(props->e[i].v);
    props->e[i].v = copy;
    props->e[i].set = 1;
    return RD_KAFKA_CONF_OK;
}


static rd_kafka_conf_res_t set_prop(rdk_props *props, int i, const char *value, char *errstr,
                                    size_t size) {
    const rdk_prop *p = &rdk_props_table[i];
    char buf[512];

    if (p->unsupported) {
        rdk_seterr(errstr, size, "Configuration property \"%s\" not supported in this build: %s",
               p->name, p->unsupported);
        return RD_KAFKA_CONF_INVALID;
    }
    switch ((enum rdk_ptype)p->type) {
    case RDK_STR:
    case RDK_KSTR:
        if (value && p->type == RDK_STR)
            while (isspace((unsigned char)*value)) value++;
        if (!validate_str(p, value)) {
            rdk_seterr(errstr, size, "Invalid value for configuration property \"%s\": %s", p->name,
                   value ? value : "(null)");
            return RD_KAFKA_CONF_INVALID;
        }
        return store(props, i, value, errstr, size);
    case RDK_PATLIST:
        if (value && !patlist_check(value, errstr, size)) return RD_KAFKA_CONF_INVALID;
        return store(props, i, value, errstr, size);
    case RDK_PTR:
        if (!(p->flags & RDK_F_HIDDEN)) {
            rdk_seterr(errstr, size,
                   "Property \"%s\" must be set through dedicated .._set_..() function", p->name);
            return RD_KAFKA_CONF_INVALID;
        }
        return store(props, i, value, errstr, size);
    case RDK_BOOL:
        if (!value) {
            rdk_seterr(errstr, size, "Bool configuration property \"%s\" cannot be set to empty value",
                   p->name);
            return RD_KAFKA_CONF_INVALID;
        }
        if (!strcasecmp(value, "true") || !strcasecmp(value, "t") || !strcmp(value, "1"))
            return store(props, i, "true", errstr, size);
        if (!strcasecmp(value, "false") || !strcasecmp(value, "f") || !strcmp(value, "0"))
            return store(props, i, "false", errstr, size);
        rdk_seterr(errstr, size, "Expected bool value for \"%s\": true or false", p->name);
        return RD_KAFKA_CONF_INVALID;
    case RDK_INT: {
        if (!value) {
            rdk_seterr(errstr, size,
                   "Integer configuration property \"%s\" cannot be set to empty value", p->name);
            return RD_KAFKA_CONF_INVALID;
        }
        char *end;
        int ival = (int)strtol(value, &end, 0);
        if (end == value) {
            /* named values: "all=-1" */
            const char *nv = p->values;
            size_t len = strlen(value);
            const char *eq = nv ? strchr(nv, '=') : NULL;
            if (!eq || (size_t)(eq - nv) != len || strncasecmp(nv, value, len)) {
                rdk_seterr(errstr, size, "Invalid value for configuration property \"%s\"", p->name);
                return RD_KAFKA_CONF_INVALID;
            }
            ival = atoi(eq + 1);
        }
        if (ival < p->vmin || ival > p->vmax) {
            rdk_seterr(errstr, size,
                   "Configuration property \"%s\" value %i is outside allowed range %i..%i\n",
                   p->name, ival, p->vmin, p->vmax);
            return RD_KAFKA_CONF_INVALID;
        }
        snprintf(buf, sizeof buf, "%i", ival);
        return store(props, i, buf, errstr, size);
    }
    case RDK_DBL: {
        if (!value) {
            rdk_seterr(errstr, size,
                   "Float configuration property \"%s\" cannot be set to empty value", p->name);
            return RD_KAFKA_CONF_INVALID;
        }
        char *end;
        double d = strtod(value, &end);
        if (end == value) {
            rdk_seterr(errstr, size, "Invalid value for configuration property \"%s\"", p->name);
            return RD_KAFKA_CONF_INVALID;
        }
        if (d < p->vmin || d > p->vmax) {
            rdk_seterr(errstr, size,
                   "Configuration property \"%s\" value %g is outside allowed range %g..%g\n",
                   p->name, d, (double)p->vmin, (double)p->vmax);
            return RD_KAFKA_CONF_INVALID;
        }
        snprintf(buf, sizeof buf, "%g", d);
        return store(props, i, buf, errstr, size);
    }
    case RDK_S2I:
    case RDK_S2F: {
        if (!value) {
            rdk_seterr(errstr, size, "Configuration property \"%s\" cannot be set to empty value",
                   p->name);
            return RD_KAFKA_CONF_INVALID;
        }
        uint32_t mask = p->type == RDK_S2F ? flags_mask(p, rdk_prop_value(props, i)) : 0;
        int changed = 0;
        for (const char *next = value; next && *next;) {
            const char *s = next, *t;
            int add = 1;
            if (p->type == RDK_S2F && (t = strchr(s, ','))) {
                next = t + 1;
            } else {
                t = s + strlen(s);
                next = NULL;
            }
            /* librdkafka trims only the left side */
            while (s < t && isspace((unsigned char)*s)) s++;
            if (p->type == RDK_S2F && (*s == '+' || *s == '-')) add = (*s++ == '+');
            if (s == t) continue;
            int unsup, n = value_lookup(p->values, s, (size_t)(t - s), &unsup);
            if (n < 0) {
                rdk_seterr(errstr, size, "Invalid value \"%.*s\" for configuration property \"%s\"",
                       (int)(t - s), s, p->name);
                return RD_KAFKA_CONF_INVALID;
            }
            if (unsup) {
                rdk_seterr(errstr, size,
                       "Unsupported value \"%.*s\" for configuration property \"%s\": %s",
                       (int)(t - s), s, p->name, "not supported by kfk");
                return RD_KAFKA_CONF_INVALID;
            }
            if (p->type == RDK_S2I) {
                value_name(p->values, n, buf, sizeof buf);
                return store(props, i, buf, errstr, size);
            }
            uint32_t bit = flag_bits(p, n, value_count(p->values));
            mask = add ? (mask | bit) : (mask & ~bit);
            changed = 1;
        }
        if (!changed) return RD_KAFKA_CONF_OK;
        flags_str(p, mask, ",", 0, buf, sizeof buf);
        return store(props, i, buf, errstr, size);
    }
    case RDK_INTERNAL:
        rdk_seterr(errstr, size, "Internal property \"%s\" not settable", p->name);
        return RD_KAFKA_CONF_INVALID;
    case RDK_INVALID:
        rdk_seterr(errstr, size, "%s", p->values);
        return RD_KAFKA_CONF_INVALID;
    case RDK_ALIAS:
        break;
    }
    return RD_KAFKA_CONF_INVALID;
}

static rd_kafka_conf_res_t any_set(int scope, rdk_props *props, const char *name,
                                   const char *value, char *errstr, size_t size) {
    if (value && !*value) value = NULL;
    int i = rdk_prop_find(scope, name);
    if (i < 0) {
        rdk_seterr(errstr, size, "No such configuration property: \"%s\"", name);
        return RD_KAFKA_CONF_UNKNOWN;
    }
    return set_prop(props, i, value, errstr, size);
}

/* ------------------------------------------------------- the objects */

rd_kafka_conf_t *rd_kafka_conf_new(void) {
    rd_kafka_conf_t *conf = calloc(1, sizeof *conf);
    if (!conf) return NULL;
    if (!(conf->props = props_new())) {
        free(conf);
        return NULL;
    }
    return conf;
}

void rd_kafka_conf_destroy(rd_kafka_conf_t *conf) {
    if (!conf) return;
    rdk_ic_conf_destroy(conf);
    rdk_plugins_unload(conf); /* after on_conf_destroy: it may be theirs */
    if (conf->topic_conf) rd_kafka_topic_conf_destroy(conf->topic_conf);
    props_free(conf->props);
    free(conf);
}

rd_kafka_topic_conf_t *rd_kafka_topic_conf_new(void) {
    rd_kafka_topic_conf_t *tc = calloc(1, sizeof *tc);
    if (!tc) return NULL;
    if (!(tc->props = props_new())) {
        free(tc);
        return NULL;
    }
    return tc;
}

void rd_kafka_topic_conf_destroy(rd_kafka_topic_conf_t *topic_conf) {
    if (!topic_conf) return;
    props_free(topic_conf->props);
    free(topic_conf);
}

rd_kafka_conf_res_t rd_kafka_topic_conf_set(rd_kafka_topic_conf_t *conf, const char *name,
                                            const char *value, char *errstr,
                                            size_t errstr_size) {
    if (!strncmp(name, "topic.", 6)) name += 6;
    return any_set(RDK_F_TOPIC, conf->props, name, value, errstr, errstr_size);
}

rd_kafka_conf_res_t rd_kafka_conf_set(rd_kafka_conf_t *conf, const char *name,
                                      const char *value, char *errstr, size_t errstr_size) {
    /* as librdkafka, an interceptor may claim any name first (and its
     * errstr stands when it does) */
    if (conf->ic) {
        rd_kafka_conf_res_t r = rdk_ic_on_conf_set(conf, name, value, errstr, errstr_size);
        if (r != RD_KAFKA_CONF_UNKNOWN) return r;
    }
    if (!strcmp(name, "plugin.library.paths")) {
        /* loaded now, as librdkafka's, then kept as the property's value */
        rd_kafka_conf_res_t r = rdk_plugins_set(conf, value, errstr, errstr_size);
        if (r != RD_KAFKA_CONF_OK) return r;
    }
    rd_kafka_conf_res_t r = any_set(RDK_F_GLOBAL, conf->props, name, value, errstr, errstr_size);
    if (r == RD_KAFKA_CONF_OK && !strcmp(name, "enabled_events"))
        conf->enabled_events = atoi(rdk_prop_value(conf->props, rdk_prop_find(RDK_F_GLOBAL, name)));
    if (r != RD_KAFKA_CONF_UNKNOWN) return r;
    /* Not a global property: librdkafka tries the default topic conf,
     * creating it (and leaves the first error text in errstr on success). */
    if (!conf->topic_conf) {
        rd_kafka_topic_conf_t *tc = rd_kafka_topic_conf_new();
        if (!tc) return RD_KAFKA_CONF_INVALID;
        rd_kafka_conf_set_default_topic_conf(conf, tc);
    }
    return rd_kafka_topic_conf_set(conf->topic_conf, name, value, errstr, errstr_size);
}

/* Application pointers the dedicated setters store, by property name. */
static void *fnptr(void (*fn)(void)) {
    void *p;
    memcpy(&p, &fn, sizeof p);
    return p;
}

#define FN(f) fnptr((void (*)(void))(f))

static void *conf_ptr(const rd_kafka_conf_t *c, const char *name) {
    if (!strcmp(name, "dr_cb")) return FN(c->dr_cb);
    if (!strcmp(name, "dr_msg_cb")) return FN(c->dr_msg_cb);
    if (!strcmp(name, "consume_cb")) return FN(c->consume_cb);
    if (!strcmp(name, "rebalance_cb")) return FN(c->rebalance_cb);
    if (!strcmp(name, "offset_commit_cb")) return FN(c->offset_commit_cb);
    if (!strcmp(name, "error_cb")) return FN(c->error_cb);
    if (!strcmp(name, "throttle_cb")) return FN(c->throttle_cb);
    if (!strcmp(name, "log_cb")) return FN(c->log_cb);
    if (!strcmp(name, "stats_cb")) return FN(c->stats_cb);
    if (!strcmp(name, "background_event_cb")) return FN(c->background_event_cb);
    if (!strcmp(name, "oauthbearer_token_refresh_cb")) return FN(c->oauthbearer_token_refresh_cb);
    if (!strcmp(name, "opaque")) return c->opaque;
    if (!strcmp(name, "default_topic_conf")) return c->topic_conf;
    return NULL;
}

static void *topic_ptr(const rd_kafka_topic_conf_t *c, const char *name) {
    if (!strcmp(name, "partitioner_cb")) return FN(c->partitioner);
    if (!strcmp(name, "msg_order_cmp")) return FN(c->msg_order_cmp);
    if (!strcmp(name, "opaque")) return c->opaque;
    return NULL;
}

/* obj is the rd_kafka_conf_t (scope global) or rd_kafka_topic_conf_t. */
static void *prop_ptr(int scope, const void *obj, const rdk_prop *p) {
    if (p->type != RDK_PTR) return NULL;
    return scope == RDK_F_GLOBAL ? conf_ptr(obj, p->name) : topic_ptr(obj, p->name);
}

/* Property i's value as rd_kafka_conf_get shows it, into tmp when made;
 * NULL when it has none (then get goes on as librdkafka's does). */
static const char *shown(const rdk_props *props, int i, void *ptr, char *tmp, size_t size) {
    const rdk_prop *p = &rdk_props_table[i];
    switch ((enum rdk_ptype)p->type) {
    case RDK_PTR:
        if (p->flags & RDK_F_HIDDEN) {
            const char *v = rdk_prop_value(props, i);
            if (!v) return NULL;
            snprintf(tmp, size, "%p", (const void *)v);
            return tmp;
        }
        if (!ptr) return NULL;
        snprintf(tmp, size, "%p", ptr);
        return tmp;
    case RDK_INTERNAL:
    case RDK_INVALID:
    case RDK_ALIAS:
        return NULL;
    default:
        return rdk_prop_value(props, i);
    }
}

static rd_kafka_conf_res_t put(const char *val, char *dest, size_t *dest_size) {
    size_t len = strlen(val);
    if (dest && *dest_size > 0) {
        size_t n = len < *dest_size - 1 ? len : *dest_size - 1;
        memcpy(dest, val, n);
        dest[n] = '\0';
    }
    *dest_size = len + 1;
    return RD_KAFKA_CONF_OK;
}

static rd_kafka_conf_res_t any_get(int scope, const rdk_props *props, const void *obj,
                                   const char *name, char *dest, size_t *dest_size) {
    for (int i = 0; i < rdk_props_cnt; i++) {
        const rdk_prop *p = &rdk_props_table[i];
        if (!(p->flags & scope) || strcmp(p->name, name)) continue;
        if (p->type == RDK_ALIAS) return any_get(scope, props, obj, p->values, dest, dest_size);
        char tmp[64];
        const char *v = shown(props, i, prop_ptr(scope, obj, p), tmp, sizeof tmp);
        if (v) return put(v, dest, dest_size);
    }
    return RD_KAFKA_CONF_UNKNOWN;
}

rd_kafka_conf_res_t rd_kafka_topic_conf_get(const rd_kafka_topic_conf_t *conf, const char *name,
                                            char *dest, size_t *dest_size) {
    return any_get(RDK_F_TOPIC, conf->props, conf, name, dest, dest_size);
}

rd_kafka_conf_res_t rd_kafka_conf_get(const rd_kafka_conf_t *conf, const char *name, char *dest,
                                      size_t *dest_size) {
    rd_kafka_conf_res_t r = any_get(RDK_F_GLOBAL, conf->props, conf, name, dest, dest_size);
    if (r != RD_KAFKA_CONF_UNKNOWN || !conf->topic_conf) return r;
    return rd_kafka_topic_conf_get(conf->topic_conf, name, dest, dest_size);
}

/* NULL (and *cntp 0) when out of memory. */
static const char **any_dump(int scope, const rdk_props *props, const void *obj, size_t *cntp) {
    const char **arr = calloc((size_t)rdk_props_cnt * 2 + 1, sizeof *arr);
    size_t cnt = 0;
    if (!arr) {
        *cntp = 0;
        return NULL;
    }
    for (int i = 0; i < rdk_props_cnt; i++) {
        const rdk_prop *p = &rdk_props_table[i];
        if (!(p->flags & scope) || p->type == RDK_ALIAS || p->type == RDK_INVALID) continue;
        char tmp[64];
        const char *v = shown(props, i, prop_ptr(scope, obj, p), tmp, sizeof tmp);
        if (!v) continue;
        arr[cnt++] = strdup(p->name);
        arr[cnt++] = strdup(v);
        if (!arr[cnt - 2] || !arr[cnt - 1]) {
            rd_kafka_conf_dump_free(arr, cnt);
            *cntp = 0;
            return NULL;
        }
    }
    *cntp = cnt;
    return arr;
}

const char **rd_kafka_conf_dump(rd_kafka_conf_t *conf, size_t *cntp) {
    return any_dump(RDK_F_GLOBAL, conf->props, conf, cntp);
}

const char **rd_kafka_topic_conf_dump(rd_kafka_topic_conf_t *conf, size_t *cntp) {
    return any_dump(RDK_F_TOPIC, conf->props, conf, cntp);
}

void rd_kafka_conf_dump_free(const char **arr, size_t cnt) {
    if (!arr) return;
    for (size_t i = 0; i < cnt; i++) free((char *)arr[i]);
    free(arr);
}

static int filtered(const char *name, size_t filter_cnt, const char **filter) {
    for (size_t f = 0; f < filter_cnt; f++)
        if (!strncmp(filter[f], name, strlen(filter[f]))) return 1;
    return 0;
}

/* Copies the properties src has set, except names starting with a filter.
 * -1: out of memory. */
static int copy_props(rdk_props *dst, const rdk_props *src, size_t filter_cnt,
                      const char **filter) {
    for (int i = 0; i < rdk_props_cnt; i++) {
        if (!src->e[i].set || filtered(rdk_props_table[i].name, filter_cnt, filter)) continue;
        if (store(dst, i, src->e[i].v, NULL, 0) != RD_KAFKA_CONF_OK) return -1;
    }
    return 0;
}

rd_kafka_conf_t *rd_kafka_conf_dup_filter(const rd_kafka_conf_t *conf, size_t filter_cnt,
                                          const char **filter) {
    rd_kafka_conf_t *n = rd_kafka_conf_new();
    if (!n) return NULL;
    /* as librdkafka: the interceptors re-add themselves to the copy (their
     * on_conf_dup), then get back the properties they claimed */
    if (conf->ic) rdk_ic_on_conf_dup(n, conf, filter_cnt, filter);
    if (copy_props(n->props, conf->props, filter_cnt, filter)) {
        rd_kafka_conf_destroy(n);
        return NULL;
    }
#define COPY(field, name)                                                                         \
    if (!filtered(name, filter_cnt, filter)) n->field = conf->field
    COPY(opaque, "opaque");
    COPY(enabled_events, "enabled_events");
    COPY(background_event_cb, "background_event_cb");
    COPY(dr_cb, "dr_cb");
    COPY(dr_msg_cb, "dr_msg_cb");
    COPY(consume_cb, "consume_cb");
    COPY(rebalance_cb, "rebalance_cb");
    COPY(offset_commit_cb, "offset_commit_cb");
    COPY(error_cb, "error_cb");
    COPY(throttle_cb, "throttle_cb");
    COPY(log_cb, "log_cb");
    COPY(stats_cb, "stats_cb");
    COPY(oauthbearer_token_refresh_cb, "oauthbearer_token_refresh_cb");
    COPY(sasl_queue, "enable_sasl_queue");
#undef COPY
    if (conf->topic_conf && !filtered("default_topic_conf", filter_cnt, filter)) {
        if (!(n->topic_conf = rd_kafka_topic_conf_dup(conf->topic_conf))) {
            rd_kafka_conf_destroy(n);
            return NULL;
        }
    }
    /* the copy loads the plugins again (their conf_init on it), errors
     * ignored, as librdkafka's copy setting the property */
    int pl = rdk_prop_find(RDK_F_GLOBAL, "plugin.library.paths");
    if (conf->plugins && !filtered("plugin.library.paths", filter_cnt, filter))
        rdk_plugins_set(n, rdk_prop_value(n->props, pl), NULL, 0);
    if (conf->ic) rdk_ic_copy_claimed(n, conf, filter_cnt, filter);
    return n;
}

rd_kafka_conf_t *rd_kafka_conf_dup(const rd_kafka_conf_t *conf) {
    return rd_kafka_conf_dup_filter(conf, 0, NULL);
}

rd_kafka_topic_conf_t *rd_kafka_topic_conf_dup(const rd_kafka_topic_conf_t *conf) {
    rd_kafka_topic_conf_t *n = rd_kafka_topic_conf_new();
    if (!n) return NULL;
    if (copy_props(n->props, conf->props, 0, NULL)) {
        rd_kafka_topic_conf_destroy(n);
        return NULL;
    }
    n->partitioner = conf->partitioner;
    n->opaque = conf->opaque;
    n->msg_order_cmp = conf->msg_order_cmp;
    return n;
}

rd_kafka_topic_conf_t *rd_kafka_default_topic_conf_dup(rd_kafka_t *rk) {
    if (rk->conf && rk->conf->topic_conf) return rd_kafka_topic_conf_dup(rk->conf->topic_conf);
    return rd_kafka_topic_conf_new();
}

const rd_kafka_conf_t *rd_kafka_conf(rd_kafka_t *rk) {
    return rk->conf;
}

const char *rd_kafka_get_debug_contexts(void) {
    return RD_KAFKA_DEBUG_CONTEXTS;
}

/* ------------------------------------------- the dedicated setters */

void rd_kafka_conf_set_events(rd_kafka_conf_t *conf, int events) {
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%d", events);
    /* out of memory: the events still apply, only get shows the old value */
    store(conf->props, rdk_prop_find(RDK_F_GLOBAL, "enabled_events"), tmp, NULL, 0);
    conf->enabled_events = events;
}

void rd_kafka_conf_set_background_event_cb(rd_kafka_conf_t *conf,
                                           void (*event_cb)(rd_kafka_t *rk,
                                                            rd_kafka_event_t *rkev,
                                                            void *opaque)) {
    conf->background_event_cb = event_cb;
}

void rd_kafka_conf_set_dr_cb(rd_kafka_conf_t *conf,
                             void (*dr_cb)(rd_kafka_t *rk, void *payload, size_t len,
                                           rd_kafka_resp_err_t err, void *opaque,
                                           void *msg_opaque)) {
    conf->dr_cb = dr_cb;
}

void rd_kafka_conf_set_dr_msg_cb(rd_kafka_conf_t *conf,
                                 void (*dr_msg_cb)(rd_kafka_t *rk,
                                                   const rd_kafka_message_t *rkmessage,
                                                   void *opaque)) {
    conf->dr_msg_cb = dr_msg_cb;
}

void rd_kafka_conf_set_consume_cb(rd_kafka_conf_t *conf,
                                  void (*consume_cb)(rd_kafka_message_t *rkmessage,
                                                     void *opaque)) {
    conf->consume_cb = consume_cb;
}

void rd_kafka_conf_set_rebalance_cb(
    rd_kafka_conf_t *conf,
    void (*rebalance_cb)(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *partitions, void *opaque)) {
    conf->rebalance_cb = rebalance_cb;
}

void rd_kafka_conf_set_offset_commit_cb(
    rd_kafka_conf_t *conf,
    void (*offset_commit_cb)(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                             rd_kafka_topic_partition_list_t *offsets, void *opaque)) {
    conf->offset_commit_cb = offset_commit_cb;
}

void rd_kafka_conf_set_error_cb(rd_kafka_conf_t *conf,
                                void (*error_cb)(rd_kafka_t *rk, int err, const char *reason,
                                                 void *opaque)) {
    conf->error_cb = error_cb;
}

void rd_kafka_conf_set_throttle_cb(rd_kafka_conf_t *conf,
                                   void (*throttle_cb)(rd_kafka_t *rk, const char *broker_name,
                                                       int32_t broker_id, int throttle_time_ms,
                                                       void *opaque)) {
    conf->throttle_cb = throttle_cb;
}

static void log_nothing(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    (void)rk, (void)level, (void)fac, (void)buf;
}

/* In librdkafka NULL turns logging off; in the conf NULL is the default
 * (stderr), so off is a callback that drops the line. */
void rd_kafka_conf_set_log_cb(rd_kafka_conf_t *conf,
                              void (*log_cb)(const rd_kafka_t *rk, int level, const char *fac,
                                             const char *buf)) {
    conf->log_cb = log_cb ? log_cb : log_nothing;
}

void rd_kafka_conf_set_stats_cb(rd_kafka_conf_t *conf,
                                int (*stats_cb)(rd_kafka_t *rk, char *json, size_t json_len,
                                                void *opaque)) {
    conf->stats_cb = stats_cb;
}

void rd_kafka_conf_set_oauthbearer_token_refresh_cb(
    rd_kafka_conf_t *conf,
    void (*oauthbearer_token_refresh_cb)(rd_kafka_t *rk, const char *oauthbearer_config,
                                         void *opaque)) {
    conf->oauthbearer_token_refresh_cb = oauthbearer_token_refresh_cb;
}

void rd_kafka_conf_set_opaque(rd_kafka_conf_t *conf, void *opaque) {
    conf->opaque = opaque;
}

void rd_kafka_conf_set_default_topic_conf(rd_kafka_conf_t *conf, rd_kafka_topic_conf_t *tconf) {
    if (conf->topic_conf && conf->topic_conf != tconf)
        rd_kafka_topic_conf_destroy(conf->topic_conf);
    conf->topic_conf = tconf;
}

rd_kafka_topic_conf_t *rd_kafka_conf_get_default_topic_conf(rd_kafka_conf_t *conf) {
    return conf->topic_conf;
}

void rd_kafka_topic_conf_set_opaque(rd_kafka_topic_conf_t *conf, void *rkt_opaque) {
    conf->opaque = rkt_opaque;
}

void rd_kafka_topic_conf_set_partitioner_cb(
    rd_kafka_topic_conf_t *topic_conf,
    int32_t (*partitioner)(const rd_kafka_topic_t *rkt, const void *keydata, size_t keylen,
                           int32_t partition_cnt, void *rkt_opaque, void *msg_opaque)) {
    topic_conf->partitioner = partitioner;
}

void rd_kafka_topic_conf_set_msg_order_cmp(rd_kafka_topic_conf_t *topic_conf,
                                           int (*msg_order_cmp)(const rd_kafka_message_t *a,
                                                                const rd_kafka_message_t *b)) {
    topic_conf->msg_order_cmp = msg_order_cmp;
}

/* ------------------------------------------------ properties_show */

/* Every name of a values list, synonyms too, joined by ", ". */
static void all_names(const char *values, char *buf, size_t size) {
    size_t of = 0;
    buf[0] = '\0';
    for (const char *p = values; *p && of + 3 < size;) {
        size_t len = strcspn(p, ",|");
        if (*p == '!') p++, len--;
        int r = snprintf(buf + of, size - of, "%s%.*s", of ? ", " : "", (int)len, p);
        if (r < 0 || (size_t)r >= size - of) break;
        of += (size_t)r;
        p += len;
        if (*p) p++;
    }
}

void rd_kafka_conf_properties_show(FILE *fp) {
    static const char dash[] = "----------------------------------------";
    int last = 0;
    char tmp[512];
    for (int i = 0; i < rdk_props_cnt; i++) {
        const rdk_prop *p0 = &rdk_props_table[i], *p = p0;
        const char *typeinfo = "";
        if ((p->flags & RDK_F_HIDDEN) || p->type == RDK_INVALID) continue;
        int scope = p->flags & (RDK_F_GLOBAL | RDK_F_TOPIC);
        if (scope != last) {
            fprintf(fp, "%s## %s configuration properties\n\n", last ? "\n\n" : "",
                    scope == RDK_F_GLOBAL ? "Global" : "Topic");
            fprintf(fp,
                    "%-40s | %3s | %-15s | %13s | %-10s | %-25s\n"
                    "%.*s-|-%.*s-|-%.*s-|-%.*s:|-%.*s-| -%.*s\n",
                    "Property", "C/P", "Range", "Default", "Importance", "Description", 40, dash,
                    3, dash, 15, dash, 13, dash, 10, dash, 25, dash);
            last = scope;
        }
        fprintf(fp, "%-40s | ", p->name);
        /* as librdkafka, an alias finds its target by all its scope bits */
        if (p->type == RDK_ALIAS) p = &rdk_props_table[rdk_prop_find(p->flags, p->values)];
        int prod = !!(p->flags & RDK_F_PRODUCER), cons = !!(p->flags & RDK_F_CONSUMER);
        fprintf(fp, "%3s | ", prod == cons ? " * " : prod ? " P " : " C ");
        const char *def = p->def ? p->def : "";
        switch ((enum rdk_ptype)p->type) {
        case RDK_STR:
        case RDK_KSTR:
        case RDK_PATLIST:
            typeinfo = p->type == RDK_PATLIST ? "pattern list" : "string";
            fprintf(fp, "%-15s | %13s", "", def);
            break;
        case RDK_BOOL:
            typeinfo = "boolean";
            fprintf(fp, "%-15s | %13s", "true, false", def);
            break;
        case RDK_INT:
            typeinfo = "integer";
            snprintf(tmp, sizeof tmp, "%d .. %d", p->vmin, p->vmax);
            fprintf(fp, "%-15s | %13s", tmp, def);
            break;
        case RDK_DBL:
            typeinfo = "float";
            snprintf(tmp, sizeof tmp, "%g .. %g", (double)p->vmin, (double)p->vmax);
            fprintf(fp, "%-15s | %13s", tmp, def);
            break;
        case RDK_S2I:
            typeinfo = "enum value";
            all_names(p->values, tmp, sizeof tmp);
            fprintf(fp, "%-15s | %13s", tmp, def);
            break;
        case RDK_S2F:
            typeinfo = "CSV flags";
            if (!strcmp(p->name, "builtin.features"))
                tmp[0] = '\0';
            else
                flags_str(p, 0, ", ", 1, tmp, sizeof tmp);
            fprintf(fp, "%-15s | ", tmp);
            flags_str(p, flags_mask(p, p->def), ", ", 0, tmp, sizeof tmp);
            fprintf(fp, "%13s", tmp);
            break;
        case RDK_PTR:
        case RDK_INTERNAL:
            typeinfo = "see dedicated API";
            fprintf(fp, "%-15s | %-13s", "", " ");
            break;
        case RDK_INVALID:
        case RDK_ALIAS:
            fprintf(fp, "%-15s | %-13s", "", " ");
            break;
        }
        fprintf(fp, " | %-10s | ",
                (p->flags & RDK_F_HIGH) ? "high" : (p->flags & RDK_F_MED) ? "medium" : "low");
        if (p->flags & RDK_F_EXPERIMENTAL)
            fprintf(fp, "**EXPERIMENTAL**: subject to change or removal. ");
        if (p->flags & RDK_F_DEPRECATED) fprintf(fp, "**DEPRECATED** ");
        if (p0->type == RDK_ALIAS) fprintf(fp, "Alias for `%s`: ", p0->values);
        fprintf(fp, "%s <br>*Type: %s*\n", p->desc, typeinfo);
    }
    fprintf(fp, "\n### C/P legend: C = Consumer, P = Producer, * = both\n");
}

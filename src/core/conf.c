#include "core/conf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"

typedef struct conf_key {
    const char *name;
    kfk_conf_type type;
    const char *default_value;
    int64_t min, max;
    const char *allowed;
    const char *doc;
} conf_key;

static const conf_key keys[KFK_CONF_COUNT] = {
#define KFK_CONF_ENTRY(id, name, type, def, min, max, allowed, doc) \
    {name, type, def, min, max, allowed, doc},
    KFK_CONF_KEYS(KFK_CONF_ENTRY)
#undef KFK_CONF_ENTRY
};

static const struct {
    const char *alias, *name;
} aliases[] = {
#define KFK_CONF_ALIAS(alias, name) {alias, name},
    KFK_CONF_ALIASES(KFK_CONF_ALIAS)
#undef KFK_CONF_ALIAS
};

/* Values are kept both as the string set (for kfk_conf_get and dup) and
 * parsed, so hot paths read an integer without parsing. */
struct kfk_conf {
    kfk_stats_cb stats_cb;
    void *stats_opaque;
    char *str[KFK_CONF_COUNT]; /* NULL: default */
    int64_t num[KFK_CONF_COUNT];
    kfk_oauthbearer_token_cb token_cb;
    void *token_opaque;
    kfk_log_line_cb log_cb;
    void *log_opaque;
};

static int find_key(const char *name) {
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcmp(aliases[i].alias, name) == 0) name = aliases[i].name;
    for (int i = 0; i < KFK_CONF_COUNT; i++)
        if (strcmp(keys[i].name, name) == 0) return i;
    return -1;
}

static int fail(char *errstr, size_t size, const char *fmt, ...) {
    if (errstr && size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(errstr, size, fmt, ap);
        va_end(ap);
    }
    return KFK_ERR_CONFIG;
}

/* Index of value in a '|'-separated list, or -1. */
static int enum_index(const char *allowed, const char *value) {
    size_t len = strlen(value);
    int index = 0;
    for (const char *p = allowed; *p; index++) {
        const char *end = strchr(p, '|');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && strncasecmp(p, value, n) == 0) return index;
        if (!end) break;
        p = end + 1;
    }
    return -1;
}

/* A comma-separated set of allowed values (spaces around names ignored):
 * bit i for the i-th, every bit for "all". */
static int parse_flags(const conf_key *k, const char *value, int64_t *out, char *errstr,
                       size_t size) {
    int64_t bits = 0;
    int all = enum_index(k->allowed, "all");
    const char *p = value;
    while (*p) {
        while (*p == ' ' || *p == ',') p++;
        const char *end = p;
        while (*end && *end != ',') end++;
        const char *last = end;
        while (last > p && last[-1] == ' ') last--;
        if (last > p) {
            char name[32];
            size_t n = (size_t)(last - p);
            int index = -1;
            if (n < sizeof name) {
                memcpy(name, p, n);
                name[n] = '\0';
                index = enum_index(k->allowed, name);
            }
            if (index < 0)
                return fail(errstr, size,
                            "Invalid value \"%s\" for configuration \"%s\": unknown context "
                            "\"%.*s\" (expected a comma-separated list of %s)",
                            value, k->name, (int)n, p, k->allowed);
            bits |= index == all ? ((int64_t)1 << all) - 1 : (int64_t)1 << index;
        }
        p = end;
    }
    *out = bits;
    return 0;
}

static int parse(const conf_key *k, const char *value, int64_t *out, char *errstr, size_t size) {
    switch (k->type) {
    case KFK_CONF_STRING:
        *out = 0;
        return 0;
    case KFK_CONF_INT: {
        char *end;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (errno || end == value || *end || v < k->min || v > k->max)
            return fail(errstr, size,
                        "Invalid value \"%s\" for configuration \"%s\": expected an integer "
                        "from %lld to %lld",
                        value, k->name, (long long)k->min, (long long)k->max);
        *out = v;
        return 0;
    }
    case KFK_CONF_BOOL:
        if (strcasecmp(value, "true") == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(value, "false") == 0) {
            *out = 0;
            return 0;
        }
        return fail(errstr, size,
                    "Invalid value \"%s\" for configuration \"%s\": expected true or false",
                    value, k->name);
    case KFK_CONF_ENUM: {
        int index = enum_index(k->allowed, value);
        if (index < 0)
            return fail(errstr, size,
                        "Invalid value \"%s\" for configuration \"%s\": expected one of %s",
                        value, k->name, k->allowed);
        *out = index;
        return 0;
    }
    case KFK_CONF_FLAGS:
        return parse_flags(k, value, out, errstr, size);
    }
    return fail(errstr, size, "Configuration \"%s\" has an unknown type", k->name);
}

kfk_conf *kfk_conf_new(void) {
    kfk_conf *conf = kfk_calloc(1, sizeof *conf);
    if (!conf) return NULL;
    for (int i = 0; i < KFK_CONF_COUNT; i++) {
        int err = parse(&keys[i], keys[i].default_value, &conf->num[i], NULL, 0);
        if (err) {
            /* A default that fails its own check is a bug in conf_keys.h. */
            fprintf(stderr, "kfk: bad default for %s\n", keys[i].name);
            abort();
        }
    }
    return conf;
}

kfk_conf *kfk_conf_dup(const kfk_conf *conf) {
    kfk_conf *copy = kfk_calloc(1, sizeof *copy);
    if (!copy) return NULL;
    memcpy(copy->num, conf->num, sizeof copy->num);
    copy->stats_cb = conf->stats_cb;
    copy->stats_opaque = conf->stats_opaque;
    copy->token_cb = conf->token_cb;
    copy->token_opaque = conf->token_opaque;
    copy->log_cb = conf->log_cb;
    copy->log_opaque = conf->log_opaque;
    for (int i = 0; i < KFK_CONF_COUNT; i++) {
        if (!conf->str[i]) continue;
        copy->str[i] = kfk_strndup(conf->str[i], strlen(conf->str[i]));
        if (!copy->str[i]) {
            kfk_conf_destroy(copy);
            return NULL;
        }
    }
    return copy;
}

void kfk_conf_destroy(kfk_conf *conf) {
    if (!conf) return;
    for (int i = 0; i < KFK_CONF_COUNT; i++) kfk_free(conf->str[i]);
    kfk_free(conf);
}

int kfk_conf_set(kfk_conf *conf, const char *key, const char *value, char *errstr,
                 size_t errstr_size) {
    if (errstr && errstr_size) errstr[0] = '\0';
    if (!conf || !key || !value)
        return fail(errstr, errstr_size, "Configuration key and value must not be NULL");
    int i = find_key(key);
    if (i < 0) return fail(errstr, errstr_size, "Unknown configuration \"%s\"", key);
    int64_t num = 0;
    int err = parse(&keys[i], value, &num, errstr, errstr_size);
    if (err) return err;
    char *copy = kfk_strndup(value, strlen(value));
    if (!copy) return fail(errstr, errstr_size, "Out of memory setting \"%s\"", key);
    kfk_free(conf->str[i]);
    conf->str[i] = copy;
    conf->num[i] = num;
    return 0;
}

const char *kfk_conf_get(const kfk_conf *conf, const char *key) {
    int i = find_key(key);
    if (i < 0) return NULL;
    return conf->str[i] ? conf->str[i] : keys[i].default_value;
}

void kfk_conf_keys(kfk_conf_key_fn fn, void *opaque) {
    for (int i = 0; i < KFK_CONF_COUNT; i++)
        if (fn(opaque, keys[i].name, keys[i].default_value, keys[i].allowed ? keys[i].allowed : "",
               keys[i].doc))
            return;
}

const char *kfk_conf_str(const kfk_conf *conf, kfk_conf_id id) {
    return conf->str[id] ? conf->str[id] : keys[id].default_value;
}

int64_t kfk_conf_int(const kfk_conf *conf, kfk_conf_id id) { return conf->num[id]; }

int kfk_conf_bool(const kfk_conf *conf, kfk_conf_id id) { return conf->num[id] != 0; }

int kfk_conf_enum(const kfk_conf *conf, kfk_conf_id id) { return (int)conf->num[id]; }

int kfk_conf_is_set(const kfk_conf *conf, kfk_conf_id id) { return conf->str[id] != NULL; }

int kfk_conf_set_oauthbearer_token_cb(kfk_conf *conf, kfk_oauthbearer_token_cb cb, void *opaque) {
    if (!conf) return KFK_ERR_INVALID_ARG;
    conf->token_cb = cb;
    conf->token_opaque = opaque;
    return 0;
}

kfk_oauthbearer_token_cb kfk_conf_token_cb(const kfk_conf *conf, void **opaque) {
    *opaque = conf->token_opaque;
    return conf->token_cb;
}

int kfk_conf_set_stats_cb(kfk_conf *conf, kfk_stats_cb cb, void *opaque) {
    if (!conf) return KFK_ERR_INVALID_ARG;
    conf->stats_cb = cb;
    conf->stats_opaque = opaque;
    return 0;
}

kfk_stats_cb kfk_conf_stats_cb(const kfk_conf *conf, void **opaque) {
    *opaque = conf->stats_opaque;
    return conf->stats_cb;
}

int kfk_conf_set_log_cb(kfk_conf *conf, kfk_log_line_cb cb, void *opaque) {
    if (!conf) return KFK_ERR_INVALID_ARG;
    conf->log_cb = cb;
    conf->log_opaque = opaque;
    return 0;
}

kfk_log_line_cb kfk_conf_log_cb(const kfk_conf *conf, void **opaque) {
    *opaque = conf->log_opaque;
    return conf->log_cb;
}

/* Config resources and entries; DescribeConfigs, and AlterConfigs with
 * librdkafka's (Kafka's AlterConfigs) meaning: a resource's dynamic configs
 * become exactly the ones given. kfk alters incrementally, so the call
 * describes the resources first, then sets the given configs and deletes
 * the other dynamic ones of the resource's own level. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_int.h"

struct rd_kafka_ConfigEntry_s {
    char *name;
    char *value; /* NULL: none or sensitive */
    rd_kafka_ConfigSource_t source;
    int is_read_only, is_default, is_sensitive, is_synonym;
    rd_kafka_ConfigEntry_t **synonyms;
    size_t nsynonyms;
};

struct rd_kafka_ConfigResource_s {
    rd_kafka_ResourceType_t restype;
    char *name;
    rd_kafka_ConfigEntry_t **configs;
    size_t n;
    rd_kafka_resp_err_t err;
    char *errstr;
};

static const char *const source_names[] = {
    "UNKNOWN_CONFIG",        "DYNAMIC_TOPIC_CONFIG",  "DYNAMIC_BROKER_CONFIG",
    "DYNAMIC_DEFAULT_BROKER_CONFIG", "STATIC_BROKER_CONFIG", "DEFAULT_CONFIG",
};

const char *rd_kafka_ConfigSource_name(rd_kafka_ConfigSource_t confsource) {
    if ((unsigned)confsource >= (unsigned)RD_KAFKA_CONFIG_SOURCE__CNT) return "UNSUPPORTED";
    return source_names[confsource];
}

const char *rd_kafka_ResourceType_name(rd_kafka_ResourceType_t restype) {
    static const char *const names[] = {"UNKNOWN", "ANY", "TOPIC", "GROUP", "BROKER"};
    if ((unsigned)restype >= (unsigned)RD_KAFKA_RESOURCE__CNT) return "UNSUPPORTED";
    return names[restype];
}

const char *rd_kafka_ResourcePatternType_name(rd_kafka_ResourcePatternType_t resource_pattern_type) {
    static const char *const names[] = {"UNKNOWN", "ANY", "MATCH", "LITERAL", "PREFIXED"};
    if ((unsigned)resource_pattern_type >= (unsigned)RD_KAFKA_RESOURCE_PATTERN_TYPE__CNT)
        return "UNSUPPORTED";
    return names[resource_pattern_type];
}

/* ---------------------------------------------------------------- entries */

static void entry_free(rd_kafka_ConfigEntry_t *e) {
    if (!e) return;
    for (size_t i = 0; i < e->nsynonyms; i++) entry_free(e->synonyms[i]);
    free(e->synonyms);
    free(e->name);
    free(e->value);
    free(e);
}

static rd_kafka_ConfigEntry_t *entry_new(const char *name, const char *value) {
    rd_kafka_ConfigEntry_t *e = calloc(1, sizeof(*e));
    if (!e) return NULL;
    e->name = strdup(name ? name : "");
    e->value = value ? strdup(value) : NULL;
    if (!e->name || (value && !e->value)) {
        entry_free(e);
        return NULL;
    }
    return e;
}

/* kfk's sources are Kafka's codes; librdkafka 2.0.2 knows 0..5. */
static rd_kafka_ConfigSource_t source_of(int ksource) {
    return ksource >= 0 && ksource < RD_KAFKA_CONFIG_SOURCE__CNT ? (rd_kafka_ConfigSource_t)ksource
                                                                 : RD_KAFKA_CONFIG_SOURCE_UNKNOWN_CONFIG;
}

const char *rd_kafka_ConfigEntry_name(const rd_kafka_ConfigEntry_t *entry) {
    return entry->name;
}
const char *rd_kafka_ConfigEntry_value(const rd_kafka_ConfigEntry_t *entry) {
    return entry->value;
}
rd_kafka_ConfigSource_t rd_kafka_ConfigEntry_source(const rd_kafka_ConfigEntry_t *entry) {
    return entry->source;
}
int rd_kafka_ConfigEntry_is_read_only(const rd_kafka_ConfigEntry_t *entry) {
    return entry->is_read_only;
}
int rd_kafka_ConfigEntry_is_default(const rd_kafka_ConfigEntry_t *entry) {
    return entry->is_default;
}
int rd_kafka_ConfigEntry_is_sensitive(const rd_kafka_ConfigEntry_t *entry) {
    return entry->is_sensitive;
}
int rd_kafka_ConfigEntry_is_synonym(const rd_kafka_ConfigEntry_t *entry) {
    return entry->is_synonym;
}
const rd_kafka_ConfigEntry_t **rd_kafka_ConfigEntry_synonyms(const rd_kafka_ConfigEntry_t *entry,
                                                             size_t *cntp) {
    *cntp = entry->nsynonyms;
    return (const rd_kafka_ConfigEntry_t **)entry->synonyms;
}

/* -------------------------------------------------------------- resources */

rd_kafka_ConfigResource_t *rd_kafka_ConfigResource_new(rd_kafka_ResourceType_t restype,
                                                       const char *resname) {
    if (!resname || !*resname || (int)restype < 0) return NULL;
    rd_kafka_ConfigResource_t *r = calloc(1, sizeof(*r));
    if (!r || !(r->name = strdup(resname))) {
        free(r);
        return NULL;
    }
    r->restype = restype;
    return r;
}

void rd_kafka_ConfigResource_destroy(rd_kafka_ConfigResource_t *config) {
    if (!config) return;
    for (size_t i = 0; i < config->n; i++) entry_free(config->configs[i]);
    free(config->configs);
    free(config->name);
    free(config->errstr);
    free(config);
}

static void resource_free(void *p) {
    rd_kafka_ConfigResource_destroy(p);
}

void rd_kafka_ConfigResource_destroy_array(rd_kafka_ConfigResource_t **config,
                                           size_t config_cnt) {
    for (size_t i = 0; i < config_cnt; i++) rd_kafka_ConfigResource_destroy(config[i]);
}

static int resource_add(rd_kafka_ConfigResource_t *r, rd_kafka_ConfigEntry_t *e) {
    rd_kafka_ConfigEntry_t **c = realloc(r->configs, (r->n + 1) * sizeof(*c));
    if (!c) return -1;
    r->configs = c;
    c[r->n++] = e;
    return 0;
}

rd_kafka_resp_err_t rd_kafka_ConfigResource_set_config(rd_kafka_ConfigResource_t *config,
                                                       const char *name, const char *value) {
    if (!name || !*name || !value) return RD_KAFKA_RESP_ERR__INVALID_ARG;
    rd_kafka_ConfigEntry_t *e = entry_new(name, value);
    if (!e || resource_add(config, e)) {
        entry_free(e);
        return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    }
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

const rd_kafka_ConfigEntry_t **rd_kafka_ConfigResource_configs(
    const rd_kafka_ConfigResource_t *config, size_t *cntp) {
    *cntp = config->n;
    return (const rd_kafka_ConfigEntry_t **)config->configs;
}

rd_kafka_ResourceType_t rd_kafka_ConfigResource_type(const rd_kafka_ConfigResource_t *config) {
    return config->restype;
}

const char *rd_kafka_ConfigResource_name(const rd_kafka_ConfigResource_t *config) {
    return config->name;
}

rd_kafka_resp_err_t rd_kafka_ConfigResource_error(const rd_kafka_ConfigResource_t *config) {
    return config->err;
}

const char *rd_kafka_ConfigResource_error_string(const rd_kafka_ConfigResource_t *config) {
    if (!config->err) return NULL;
    return config->errstr ? config->errstr : rd_kafka_err2str(config->err);
}

/* librdkafka's resource types as Kafka's ConfigResource types. */
static int ktype_of(rd_kafka_ResourceType_t t) {
    switch (t) {
    case RD_KAFKA_RESOURCE_TOPIC: return KFK_CONFIG_TOPIC;
    case RD_KAFKA_RESOURCE_BROKER: return KFK_CONFIG_BROKER;
    case RD_KAFKA_RESOURCE_GROUP: return KFK_CONFIG_GROUP;
    default: return (int)t;
    }
}

/* A result resource for a requested one: its type and name, kfk's error. */
static rd_kafka_ConfigResource_t *result_resource(const rd_kafka_ConfigResource_t *req, int kerr,
                                                  const char *kerrstr) {
    rd_kafka_ConfigResource_t *r = rd_kafka_ConfigResource_new(req->restype, req->name);
    if (!r) return NULL;
    if (kerr) {
        r->err = rdk_err(kerr);
        r->errstr = rdk_admin_errstr(kerr, kerrstr);
        if (!r->errstr) {
            rd_kafka_ConfigResource_destroy(r);
            return NULL;
        }
    }
    return r;
}

/* The checks librdkafka makes before sending: one BROKER resource at most,
 * named by a broker id. 0, or the error (errstr set). */
static rd_kafka_resp_err_t check_resources(rd_kafka_ConfigResource_t **configs, size_t n,
                                           char *errstr, size_t errstr_size) {
    if (n == 0) {
        snprintf(errstr, errstr_size, "No config resources specified");
        return RD_KAFKA_RESP_ERR__INVALID_ARG;
    }
    int brokers = 0;
    for (size_t i = 0; i < n; i++) {
        if (configs[i]->restype != RD_KAFKA_RESOURCE_BROKER) continue;
        if (brokers++) {
            snprintf(errstr, errstr_size, "Only one ConfigResource of type BROKER is allowed per call");
            return RD_KAFKA_RESP_ERR__CONFLICT;
        }
        char *end;
        errno = 0;
        long id = strtol(configs[i]->name, &end, 10);
        if (end == configs[i]->name || errno || id < 0 || id > INT32_MAX) {
            snprintf(errstr, errstr_size,
                     "Expected an int32 broker_id for ConfigResource(type=BROKER, name=%s)",
                     configs[i]->name);
            return RD_KAFKA_RESP_ERR__INVALID_ARG;
        }
    }
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

/* The requested resources, copied (type and name; configs for alter). */
typedef struct cfg_ctx {
    rd_kafka_ConfigResource_t **req;
    size_t n;
    kfk_admin *a;
    kfk_admin_options ko;
    rd_kafka_ConfigResource_t **out; /* alter: results so far */
} cfg_ctx;

static void cfg_ctx_free(void *p) {
    cfg_ctx *x = p;
    if (!x) return;
    for (size_t i = 0; i < x->n; i++) {
        rd_kafka_ConfigResource_destroy(x->req[i]);
        if (x->out) rd_kafka_ConfigResource_destroy(x->out[i]);
    }
    free(x->req);
    free(x->out);
    free(x);
}

static cfg_ctx *cfg_ctx_new(rd_kafka_ConfigResource_t **configs, size_t n, int with_configs) {
    cfg_ctx *x = calloc(1, sizeof(*x));
    if (!x || !(x->req = calloc(n, sizeof(*x->req)))) {
        free(x);
        return NULL;
    }
    x->n = n;
    for (size_t i = 0; i < n; i++) {
        x->req[i] = rd_kafka_ConfigResource_new(configs[i]->restype, configs[i]->name);
        if (!x->req[i]) goto fail;
        for (size_t j = 0; with_configs && j < configs[i]->n; j++)
            if (rd_kafka_ConfigResource_set_config(x->req[i], configs[i]->configs[j]->name,
                                                   configs[i]->configs[j]->value))
                goto fail;
    }
    return x;
fail:
    cfg_ctx_free(x);
    return NULL;
}

/* kfk resources to describe: every config, or those set on the resource. */
static kfk_config_resource *describe_args(rd_kafka_ConfigResource_t **configs, size_t n,
                                          int with_keys) {
    kfk_config_resource *kr = calloc(n, sizeof(*kr));
    if (!kr) return NULL;
    for (size_t i = 0; i < n; i++) {
        kr[i].type = ktype_of(configs[i]->restype);
        kr[i].name = configs[i]->name;
        if (with_keys && configs[i]->n) {
            const char **keys = calloc(configs[i]->n, sizeof(*keys));
            if (!keys) {
                for (size_t j = 0; j < i; j++) free((void *)kr[j].keys);
                free(kr);
                return NULL;
            }
            for (size_t j = 0; j < configs[i]->n; j++) keys[j] = configs[i]->configs[j]->name;
            kr[i].keys = keys;
            kr[i].nkeys = (int)configs[i]->n;
        }
    }
    return kr;
}

static void describe_args_free(kfk_config_resource *kr, size_t n) {
    for (size_t i = 0; kr && i < n; i++) free((void *)kr[i].keys);
    free(kr);
}

/* ------------------------------------------------------- DescribeConfigs */

static rd_kafka_ConfigEntry_t *entry_from(const kfk_config_entry *ke) {
    rd_kafka_ConfigEntry_t *e = entry_new(ke->name, ke->value);
    if (!e) return NULL;
    e->source = source_of(ke->source);
    e->is_read_only = ke->read_only;
    e->is_default = ke->is_default || ke->source == KFK_CONFIG_SOURCE_DEFAULT;
    e->is_sensitive = ke->sensitive;
    if (ke->nsynonyms) {
        e->synonyms = calloc((size_t)ke->nsynonyms, sizeof(*e->synonyms));
        if (!e->synonyms) goto fail;
        for (int i = 0; i < ke->nsynonyms; i++) {
            rd_kafka_ConfigEntry_t *s = entry_new(ke->synonyms[i].name, ke->synonyms[i].value);
            if (!s) goto fail;
            s->source = source_of(ke->synonyms[i].source);
            s->is_synonym = 1;
            e->synonyms[e->nsynonyms++] = s;
        }
    }
    return e;
fail:
    entry_free(e);
    return NULL;
}

static int fill_describe(rdk_admin_call *c, const kfk_admin_result *kr, rdk_admin_res *res) {
    cfg_ctx *x = c->ctx;
    if (rdk_admin_res_items(res, x->n, resource_free)) return -1;
    for (size_t i = 0; i < x->n && i < (size_t)kr->nconfigs; i++) {
        const kfk_config_resource *kc = &kr->configs[i];
        rd_kafka_ConfigResource_t *r = result_resource(x->req[i], kc->err, kc->errstr);
        if (!r) return -1;
        res->items[i] = r;
        for (int j = 0; j < kc->nentries; j++) {
            rd_kafka_ConfigEntry_t *e = entry_from(&kc->entries[j]);
            if (!e || resource_add(r, e)) {
                entry_free(e);
                return -1;
            }
        }
    }
    return 0;
}

void rd_kafka_DescribeConfigs(rd_kafka_t *rk, rd_kafka_ConfigResource_t **configs,
                              size_t config_cnt, const rd_kafka_AdminOptions_t *options,
                              rd_kafka_queue_t *rkqu) {
    kfk_admin_options ko;
    rdk_admin_call *c = rdk_admin_call_new(rk, RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT, options,
                                           rkqu, fill_describe, &ko);
    if (!c) return;
    char errstr[512];
    rd_kafka_resp_err_t err = check_resources(configs, config_cnt, errstr, sizeof(errstr));
    if (err) {
        rdk_admin_call_fail(c, err, "%s", errstr);
        return;
    }
    cfg_ctx *x = cfg_ctx_new(configs, config_cnt, 0);
    kfk_config_resource *kr = describe_args(configs, config_cnt, 1);
    if (!x || !kr) {
        cfg_ctx_free(x);
        describe_args_free(kr, config_cnt);
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE, "Out of memory");
        return;
    }
    c->ctx = x;
    c->ctx_free = cfg_ctx_free;
    kfk_admin *a = rdk_admin_call_client(c);
    if (a) kfk_admin_describe_configs(a, kr, (int)config_cnt, &ko, rdk_admin_call_done, c);
    describe_args_free(kr, config_cnt);
}

const rd_kafka_ConfigResource_t **rd_kafka_DescribeConfigs_result_resources(
    const rd_kafka_DescribeConfigs_result_t *result, size_t *cntp) {
    return (const rd_kafka_ConfigResource_t **)rdk_admin_items(result, cntp);
}

/* ---------------------------------------------------------- AlterConfigs */

/* The source of configs set at the resource's own level: those a full
 * replacement removes when not given. */
static int own_source(const rd_kafka_ConfigResource_t *r) {
    switch (r->restype) {
    case RD_KAFKA_RESOURCE_TOPIC: return KFK_CONFIG_SOURCE_DYNAMIC_TOPIC;
    case RD_KAFKA_RESOURCE_BROKER:
        return *r->name ? KFK_CONFIG_SOURCE_DYNAMIC_BROKER
                        : KFK_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER;
    default: return 8; /* Kafka's DYNAMIC_GROUP_CONFIG */
    }
}

static int given(const rd_kafka_ConfigResource_t *r, const char *name) {
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->configs[i]->name, name) == 0) return 1;
    return 0;
}

/* Results so far into the event: every resource answered. */
static int fill_alter(rdk_admin_call *c, const kfk_admin_result *kr, rdk_admin_res *res) {
    (void)kr;
    cfg_ctx *x = c->ctx;
    if (rdk_admin_res_items(res, x->n, resource_free)) return -1;
    for (size_t i = 0; i < x->n; i++) {
        res->items[i] = x->out[i];
        x->out[i] = NULL;
        if (!res->items[i]) return -1;
    }
    return 0;
}

/* Second step: kfk's items are the resources altered, in order. */
static void altered(kfk_admin_result *kr, void *arg) {
    rdk_admin_call *c = arg;
    cfg_ctx *x = c->ctx;
    if (kr && (!kr->err || kr->err == KFK_ERR_PARTIAL)) {
        int k = 0;
        for (size_t i = 0; i < x->n; i++) {
            if (x->out[i]) continue; /* failed to describe, or nothing to change */
            if (k < kr->nitems)
                x->out[i] = result_resource(x->req[i], kr->items[k].err, kr->items[k].errstr);
            k++;
        }
    }
    rdk_admin_call_done(kr, c);
}

/* First step done: the ops that make each resource's dynamic configs the
 * given ones. */
static void described(kfk_admin_result *kr, void *arg) {
    rdk_admin_call *c = arg;
    cfg_ctx *x = c->ctx;
    if (!kr || (kr->err && kr->err != KFK_ERR_PARTIAL)) {
        rdk_admin_call_done(kr, c);
        return;
    }
    size_t nops = 0;
    for (size_t i = 0; i < x->n && i < (size_t)kr->nconfigs; i++)
        nops += x->req[i]->n + (size_t)kr->configs[i].nentries;
    kfk_config_op *ops = calloc(nops ? nops : 1, sizeof(*ops));
    if (!ops) {
        kfk_admin_result_destroy(kr);
        rdk_admin_call_done(NULL, c);
        return;
    }
    int n = 0, nomem = 0;
    for (size_t i = 0; i < x->n && i < (size_t)kr->nconfigs; i++) {
        const kfk_config_resource *kc = &kr->configs[i];
        const rd_kafka_ConfigResource_t *r = x->req[i];
        int first = n;
        if (kc->err) {
            x->out[i] = result_resource(r, kc->err, kc->errstr);
            nomem |= !x->out[i];
            continue;
        }
        for (size_t j = 0; j < r->n; j++)
            ops[n++] = (kfk_config_op){ktype_of(r->restype), r->name, r->configs[j]->name,
                                       r->configs[j]->value, KFK_CONFIG_SET};
        for (int j = 0; j < kc->nentries; j++) {
            const kfk_config_entry *e = &kc->entries[j];
            if (e->source == own_source(r) && !given(r, e->name))
                ops[n++] = (kfk_config_op){ktype_of(r->restype), r->name, e->name, NULL,
                                           KFK_CONFIG_DELETE};
        }
        if (n == first) { /* already as asked */
            x->out[i] = result_resource(r, 0, NULL);
            nomem |= !x->out[i];
        }
    }
    /* the names ops point to live in x, kr's in kr: kfk copies them */
    if (nomem) {
        free(ops);
        kfk_admin_result_destroy(kr);
        rdk_admin_call_done(NULL, c);
        return;
    }
    if (n == 0) {
        free(ops);
        rdk_admin_call_done(kr, c);
        return;
    }
    kfk_admin_alter_configs(x->a, ops, n, &x->ko, altered, c);
    free(ops);
    kfk_admin_result_destroy(kr);
}

void rd_kafka_AlterConfigs(rd_kafka_t *rk, rd_kafka_ConfigResource_t **configs, size_t config_cnt,
                           const rd_kafka_AdminOptions_t *options, rd_kafka_queue_t *rkqu) {
    kfk_admin_options ko;
    rdk_admin_call *c = rdk_admin_call_new(rk, RD_KAFKA_EVENT_ALTERCONFIGS_RESULT, options, rkqu,
                                           fill_alter, &ko);
    if (!c) return;
    char errstr[512];
    rd_kafka_resp_err_t err = check_resources(configs, config_cnt, errstr, sizeof(errstr));
    if (err) {
        rdk_admin_call_fail(c, err, "%s", errstr);
        return;
    }
    cfg_ctx *x = cfg_ctx_new(configs, config_cnt, 1);
    kfk_config_resource *kr = describe_args(configs, config_cnt, 0);
    if (x) x->out = calloc(config_cnt, sizeof(*x->out));
    if (!x || !x->out || !kr) {
        cfg_ctx_free(x);
        describe_args_free(kr, config_cnt);
        rdk_admin_call_fail(c, RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE, "Out of memory");
        return;
    }
    c->ctx = x;
    c->ctx_free = cfg_ctx_free;
    x->ko = ko;
    x->a = rdk_admin_call_client(c);
    if (x->a) {
        /* the describe itself must not be validate-only: it changes nothing */
        kfk_admin_options dko = ko;
        dko.validate_only = 0;
        kfk_admin_describe_configs(x->a, kr, (int)config_cnt, &dko, described, c);
    }
    describe_args_free(kr, config_cnt);
}

const rd_kafka_ConfigResource_t **rd_kafka_AlterConfigs_result_resources(
    const rd_kafka_AlterConfigs_result_t *result, size_t *cntp) {
    return (const rd_kafka_ConfigResource_t **)rdk_admin_items(result, cntp);
}

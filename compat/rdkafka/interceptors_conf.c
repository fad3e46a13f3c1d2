/* Interceptors kept on a configuration object: their lists (in the order
 * added, as librdkafka's), the properties on_conf_set claimed, and the
 * configuration-time calls (on_conf_set, on_conf_dup, on_conf_destroy).
 * The handle's calls are interceptors.c. */
#include <stdlib.h>
#include <string.h>

#include "rdk_int.h"

static rd_kafka_resp_err_t add(rd_kafka_conf_t *conf, int method, const char *ic_name,
                               void (*fn)(void), void *ic_opaque) {
    if (!conf || !ic_name || !fn) return RD_KAFKA_RESP_ERR__INVALID_ARG;
    if (!conf->ic && !(conf->ic = calloc(1, sizeof *conf->ic)))
        return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    rdk_ic **tail = &conf->ic->m[method];
    for (; *tail; tail = &(*tail)->next)
        /* as librdkafka: the same function of the same interceptor once,
         * so a dup's on_conf_dup re-adding it is refused; on_conf_destroy
         * alone takes repeats */
        if (method != RDK_IC_CONF_DESTROY && (*tail)->fn == fn && !strcmp((*tail)->name, ic_name))
            return RD_KAFKA_RESP_ERR__CONFLICT;
    size_t len = strlen(ic_name) + 1;
    rdk_ic *ic = malloc(sizeof *ic + len);
    if (!ic) return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    *ic = (rdk_ic){.fn = fn, .opaque = ic_opaque};
    memcpy(ic->name, ic_name, len);
    *tail = ic;
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

rd_kafka_resp_err_t rdk_ic_add(rd_kafka_conf_t *conf, int method, const char *ic_name,
                               void (*fn)(void), void *ic_opaque) {
    return add(conf, method, ic_name, fn, ic_opaque);
}

#define FN(f) ((void (*)(void))(f))

rd_kafka_resp_err_t rd_kafka_conf_interceptor_add_on_conf_set(
    rd_kafka_conf_t *conf, const char *ic_name, rd_kafka_interceptor_f_on_conf_set_t *on_conf_set,
    void *ic_opaque) {
    return add(conf, RDK_IC_CONF_SET, ic_name, FN(on_conf_set), ic_opaque);
}

rd_kafka_resp_err_t rd_kafka_conf_interceptor_add_on_conf_dup(
    rd_kafka_conf_t *conf, const char *ic_name, rd_kafka_interceptor_f_on_conf_dup_t *on_conf_dup,
    void *ic_opaque) {
    return add(conf, RDK_IC_CONF_DUP, ic_name, FN(on_conf_dup), ic_opaque);
}

rd_kafka_resp_err_t rd_kafka_conf_interceptor_add_on_conf_destroy(
    rd_kafka_conf_t *conf, const char *ic_name,
    rd_kafka_interceptor_f_on_conf_destroy_t *on_conf_destroy, void *ic_opaque) {
    return add(conf, RDK_IC_CONF_DESTROY, ic_name, FN(on_conf_destroy), ic_opaque);
}

rd_kafka_resp_err_t rd_kafka_conf_interceptor_add_on_new(rd_kafka_conf_t *conf,
                                                         const char *ic_name,
                                                         rd_kafka_interceptor_f_on_new_t *on_new,
                                                         void *ic_opaque) {
    return add(conf, RDK_IC_NEW, ic_name, FN(on_new), ic_opaque);
}

rd_kafka_conf_res_t rdk_ic_on_conf_set(rd_kafka_conf_t *conf, const char *name, const char *val,
                                       char *errstr, size_t errstr_size) {
    char none[1] = "";
    if (!errstr) errstr = none, errstr_size = 0;
    if (val && !*val) val = NULL;
    for (const rdk_ic *ic = conf->ic->m[RDK_IC_CONF_SET]; ic; ic = ic->next) {
        rd_kafka_conf_res_t res = ((rd_kafka_interceptor_f_on_conf_set_t *)ic->fn)(
            conf, name, val, errstr, errstr_size, ic->opaque);
        if (res == RD_KAFKA_CONF_UNKNOWN) continue;
        if (res == RD_KAFKA_CONF_OK) {
            /* kept so that a dup gives the interceptor the same setting */
            rdk_ic_cfg *c = calloc(1, sizeof *c);
            if (c && (c->name = strdup(name)) && (!val || (c->value = strdup(val)))) {
                rdk_ic_cfg **tail = &conf->ic->cfg;
                while (*tail) tail = &(*tail)->next;
                *tail = c;
            } else if (c) {
                free(c->name);
                free(c);
            }
        }
        return res;
    }
    return RD_KAFKA_CONF_UNKNOWN;
}

void rdk_ic_on_conf_dup(rd_kafka_conf_t *new_conf, const rd_kafka_conf_t *old_conf,
                        size_t filter_cnt, const char **filter) {
    /* their errors are ignored, as librdkafka's */
    for (const rdk_ic *ic = old_conf->ic->m[RDK_IC_CONF_DUP]; ic; ic = ic->next)
        ((rd_kafka_interceptor_f_on_conf_dup_t *)ic->fn)(new_conf, old_conf, filter_cnt, filter,
                                                          ic->opaque);
}

static int filtered(const char *name, size_t cnt, const char **filter) {
    for (size_t i = 0; i < cnt; i++)
        if (!strncmp(name, filter[i], strlen(filter[i]))) return 1;
    return 0;
}

void rdk_ic_copy_claimed(rd_kafka_conf_t *new_conf, const rd_kafka_conf_t *old_conf,
                         size_t filter_cnt, const char **filter) {
    for (const rdk_ic_cfg *c = old_conf->ic->cfg; c; c = c->next)
        if (!filtered(c->name, filter_cnt, filter))
            rd_kafka_conf_set(new_conf, c->name, c->value, NULL, 0);
}

static void free_list(rdk_ic *ic) {
    for (rdk_ic *next; ic; ic = next) {
        next = ic->next;
        free(ic);
    }
}

void rdk_ic_clear_handle(rd_kafka_conf_t *conf) {
    if (!conf->ic) return;
    for (int m = RDK_IC_DESTROY; m < RDK_IC__CNT; m++) {
        free_list(conf->ic->m[m]);
        conf->ic->m[m] = NULL;
    }
}

void rdk_ic_conf_destroy(rd_kafka_conf_t *conf) {
    struct rdk_ics *ics = conf->ic;
    if (!ics) return;
    for (const rdk_ic *ic = ics->m[RDK_IC_CONF_DESTROY]; ic; ic = ic->next)
        ((rd_kafka_interceptor_f_on_conf_destroy_t *)ic->fn)(ic->opaque);
    for (int m = 0; m < RDK_IC__CNT; m++) free_list(ics->m[m]);
    for (rdk_ic_cfg *c = ics->cfg, *next; c; c = next) {
        next = c->next;
        free(c->name);
        free(c->value);
        free(c);
    }
    free(ics);
    conf->ic = NULL;
}

/* A librdkafka plugin as monitoring plugins are written: conf_init adds an
 * on_conf_set claiming "testplugin.*" properties, an on_conf_dup carrying
 * itself to copies and an on_new adding on_send. testplugin_counts tells
 * a test (which dlopens the same file) what it saw. */
#include <librdkafka/rdkafka.h>
#include <string.h>

static int sends, claimed, inits;

void testplugin_counts(int *inits_out, int *claimed_out, int *sends_out);

void testplugin_counts(int *inits_out, int *claimed_out, int *sends_out) {
    *inits_out = inits;
    *claimed_out = claimed;
    *sends_out = sends;
}

static rd_kafka_resp_err_t on_send(rd_kafka_t *rk, rd_kafka_message_t *m, void *opaque) {
    (void)rk, (void)m, (void)opaque;
    sends++;
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

static rd_kafka_resp_err_t on_new(rd_kafka_t *rk, const rd_kafka_conf_t *conf, void *opaque,
                                  char *errstr, size_t errstr_size) {
    (void)conf, (void)opaque, (void)errstr, (void)errstr_size;
    return rd_kafka_interceptor_add_on_send(rk, "testplugin", on_send, NULL);
}

static rd_kafka_conf_res_t on_conf_set(rd_kafka_conf_t *conf, const char *name, const char *val,
                                       char *errstr, size_t errstr_size, void *opaque) {
    (void)conf, (void)opaque, (void)errstr, (void)errstr_size;
    (void)val;
    if (strncmp(name, "testplugin.", 11)) return RD_KAFKA_CONF_UNKNOWN;
    claimed++;
    return RD_KAFKA_CONF_OK;
}

static void add(rd_kafka_conf_t *conf);

static rd_kafka_resp_err_t on_conf_dup(rd_kafka_conf_t *new_conf, const rd_kafka_conf_t *old_conf,
                                       size_t filter_cnt, const char **filter, void *opaque) {
    (void)old_conf, (void)filter_cnt, (void)filter, (void)opaque;
    add(new_conf);
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

static void add(rd_kafka_conf_t *conf) {
    rd_kafka_conf_interceptor_add_on_conf_set(conf, "testplugin", on_conf_set, NULL);
    rd_kafka_conf_interceptor_add_on_conf_dup(conf, "testplugin", on_conf_dup, NULL);
    rd_kafka_conf_interceptor_add_on_new(conf, "testplugin", on_new, NULL);
}

rd_kafka_resp_err_t conf_init(rd_kafka_conf_t *conf, void **plug_opaque, char *errstr,
                              size_t errstr_size);

rd_kafka_resp_err_t conf_init(rd_kafka_conf_t *conf, void **plug_opaque, char *errstr,
                              size_t errstr_size) {
    (void)plug_opaque, (void)errstr, (void)errstr_size;
    inits++;
    add(conf);
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

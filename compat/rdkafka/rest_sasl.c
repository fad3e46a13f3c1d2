/* SASL extras: the SASL queue carrying OAUTHBEARER refresh events
 * (oauthbearer.c), and what kfk cannot do: it authenticates on its I/O
 * thread with the credentials the client was created with. */
#include "rdk_int.h"

void rd_kafka_conf_enable_sasl_queue(rd_kafka_conf_t *conf, int enable) {
    conf->sasl_queue = !!enable;
}

/* NULL when the SASL queue was not enabled, or no callback uses it. */
rd_kafka_queue_t *rd_kafka_queue_get_sasl(rd_kafka_t *rk) {
    return rk && rk->sasl_q ? rdk_queue_ref(rk->sasl_q) : NULL;
}

rd_kafka_error_t *rd_kafka_sasl_background_callbacks_enable(rd_kafka_t *rk) {
    rd_kafka_queue_t *sasl = rd_kafka_queue_get_sasl(rk);
    if (!sasl)
        return rdk_error_new(RD_KAFKA_RESP_ERR__NOT_CONFIGURED, 0, 0, 0,
                             "No SASL mechanism using callbacks is configured");
    rd_kafka_queue_t *bg = rd_kafka_queue_get_background(rk);
    if (!bg) {
        rd_kafka_queue_destroy(sasl);
        return rdk_error_new(RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE, 0, 0, 0,
                             "The background thread is not available");
    }
    rd_kafka_queue_forward(sasl, bg);
    rd_kafka_queue_destroy(sasl);
    rd_kafka_queue_destroy(bg);
    return NULL;
}

rd_kafka_error_t *rd_kafka_sasl_set_credentials(rd_kafka_t *rk, const char *username,
                                                const char *password) {
    (void)rk, (void)username, (void)password;
    return rdk_error_new(RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED, 0, 0, 0,
                         "rd_kafka_sasl_set_credentials: kfk does not implement changing "
                         "the SASL credentials of a client; set sasl.username and "
                         "sasl.password before rd_kafka_new");
}

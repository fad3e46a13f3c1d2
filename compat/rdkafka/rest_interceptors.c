/* Interceptors: kfk has no hooks where they would run, so adding one is
 * refused and the application knows its hook will not be called. */
#include "rdk_int.h"

rd_kafka_resp_err_t rd_kafka_conf_interceptor_add_on_conf_set(
    rd_kafka_conf_t *conf, const char *ic_name, rd_kafka_interceptor_f_on_conf_set_t *on_conf_set,
    void *ic_opaque) {
    (void)conf, (void)ic_name, (void)on_conf_set, (void)ic_opaque;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}

rd_kafka_resp_err_t rd_kafka_conf_interceptor_add_on_conf_dup(
    rd_kafka_conf_t *conf, const char *ic_name, rd_kafka_interceptor_f_on_conf_dup_t *on_conf_dup,
    void *ic_opaque) {
    (void)conf, (void)ic_name, (void)on_conf_dup, (void)ic_opaque;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}

rd_kafka_resp_err_t rd_kafka_conf_interceptor_add_on_conf_destroy(
    rd_kafka_conf_t *conf, const char *ic_name,
    rd_kafka_interceptor_f_on_conf_destroy_t *on_conf_destroy, void *ic_opaque) {
    (void)conf, (void)ic_name, (void)on_conf_destroy, (void)ic_opaque;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}

rd_kafka_resp_err_t rd_kafka_conf_interceptor_add_on_new(rd_kafka_conf_t *conf,
                                                         const char *ic_name,
                                                         rd_kafka_interceptor_f_on_new_t *on_new,
                                                         void *ic_opaque) {
    (void)conf, (void)ic_name, (void)on_new, (void)ic_opaque;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}

rd_kafka_resp_err_t rd_kafka_interceptor_add_on_destroy(
    rd_kafka_t *rk, const char *ic_name, rd_kafka_interceptor_f_on_destroy_t *on_destroy,
    void *ic_opaque) {
    (void)rk, (void)ic_name, (void)on_destroy, (void)ic_opaque;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}

rd_kafka_resp_err_t rd_kafka_interceptor_add_on_send(rd_kafka_t *rk, const char *ic_name,
                                                     rd_kafka_interceptor_f_on_send_t *on_send,
                                                     void *ic_opaque) {
    (void)rk, (void)ic_name, (void)on_send, (void)ic_opaque;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}

rd_kafka_resp_err_t rd_kafka_interceptor_add_on_acknowledgement(
    rd_kafka_t *rk, const char *ic_name,
    rd_kafka_interceptor_f_on_acknowledgement_t *on_acknowledgement, void *ic_opaque) {
    (void)rk, (void)ic_name, (void)on_acknowledgement, (void)ic_opaque;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}

rd_kafka_resp_err_t rd_kafka_interceptor_add_on_consume(
    rd_kafka_t *rk, const char *ic_name, rd_kafka_interceptor_f_on_consume_t *on_consume,
    void *ic_opaque) {
    (void)rk, (void)ic_name, (void)on_consume, (void)ic_opaque;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}

rd_kafka_resp_err_t rd_kafka_interceptor_add_on_commit(
    rd_kafka_t *rk, const char *ic_name, rd_kafka_interceptor_f_on_commit_t *on_commit,
    void *ic_opaque) {
    (void)rk, (void)ic_name, (void)on_commit, (void)ic_opaque;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}

rd_kafka_resp_err_t rd_kafka_interceptor_add_on_request_sent(
    rd_kafka_t *rk, const char *ic_name,
    rd_kafka_interceptor_f_on_request_sent_t *on_request_sent, void *ic_opaque) {
    (void)rk, (void)ic_name, (void)on_request_sent, (void)ic_opaque;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}

rd_kafka_resp_err_t rd_kafka_interceptor_add_on_response_received(
    rd_kafka_t *rk, const char *ic_name,
    rd_kafka_interceptor_f_on_response_received_t *on_response_received, void *ic_opaque) {
    (void)rk, (void)ic_name, (void)on_response_received, (void)ic_opaque;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}

rd_kafka_resp_err_t rd_kafka_interceptor_add_on_thread_start(
    rd_kafka_t *rk, const char *ic_name,
    rd_kafka_interceptor_f_on_thread_start_t *on_thread_start, void *ic_opaque) {
    (void)rk, (void)ic_name, (void)on_thread_start, (void)ic_opaque;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}

rd_kafka_resp_err_t rd_kafka_interceptor_add_on_thread_exit(
    rd_kafka_t *rk, const char *ic_name,
    rd_kafka_interceptor_f_on_thread_exit_t *on_thread_exit, void *ic_opaque) {
    (void)rk, (void)ic_name, (void)on_thread_exit, (void)ic_opaque;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}

rd_kafka_resp_err_t rd_kafka_interceptor_add_on_broker_state_change(
    rd_kafka_t *rk, const char *ic_name,
    rd_kafka_interceptor_f_on_broker_state_change_t *on_broker_state_change, void *ic_opaque) {
    (void)rk, (void)ic_name, (void)on_broker_state_change, (void)ic_opaque;
    return RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED;
}

/* The handle's interceptors: on_new/on_destroy around the handle's life,
 * on_send and on_acknowledgement around each produced message,
 * on_consume before the application gets a message, on_commit with each
 * offset commit's result. Those that need hooks inside kfk's I/O thread
 * (requests, responses, broker states, its thread start and exit) are
 * refused: the application knows they will not be called. */
#include <inttypes.h>

#include "rdk_int.h"

static void failed(rd_kafka_t *rk, const rdk_ic *ic, const char *method, rd_kafka_resp_err_t err,
                   const rd_kafka_message_t *m, const char *errstr) {
    if (m)
        rdk_log(rk, 4, "ICFAIL",
                "Interceptor %s failed %s for message on %s [%" PRId32 "] @ %" PRId64 ": %s%s%s",
                ic->name, method, m->rkt ? rd_kafka_topic_name(m->rkt) : "",
                m->partition, m->offset, rd_kafka_err2str(err), errstr ? ": " : "",
                errstr ? errstr : "");
    else
        rdk_log(rk, 4, "ICFAIL", "Interceptor %s failed %s: %s%s%s", ic->name, method,
                rd_kafka_err2str(err), errstr ? ": " : "", errstr ? errstr : "");
}

void rdk_ic_on_new(rd_kafka_t *rk) {
    if (!rk->conf->ic) return;
    char errstr[512];
    rk->ic_adding = 1;
    for (const rdk_ic *ic = rk->conf->ic->m[RDK_IC_NEW]; ic; ic = ic->next) {
        errstr[0] = '\0';
        rd_kafka_resp_err_t err = ((rd_kafka_interceptor_f_on_new_t *)ic->fn)(
            rk, rk->conf, ic->opaque, errstr, sizeof errstr);
        if (err) failed(rk, ic, "on_new", err, NULL, errstr);
    }
    rk->ic_adding = 0;
    rk->ic = rk->conf->ic;
}

void rdk_ic_on_destroy(rd_kafka_t *rk) {
    for (const rdk_ic *ic = rdk_ic_of(rk, RDK_IC_DESTROY); ic; ic = ic->next) {
        rd_kafka_resp_err_t err = ((rd_kafka_interceptor_f_on_destroy_t *)ic->fn)(rk, ic->opaque);
        if (err) failed(rk, ic, "on_destroy", err, NULL, NULL);
    }
}

#define MESSAGE_CALLS(fn_name, method, type, label)                                          \
    void fn_name(rd_kafka_t *rk, rd_kafka_message_t *m) {                                     \
        for (const rdk_ic *ic = rdk_ic_of(rk, method); ic; ic = ic->next) {                   \
            rd_kafka_resp_err_t err = ((type *)ic->fn)(rk, m, ic->opaque);                    \
            if (err) failed(rk, ic, label, err, m, NULL);                                     \
        }                                                                                     \
    }

MESSAGE_CALLS(rdk_ic_on_send, RDK_IC_SEND, rd_kafka_interceptor_f_on_send_t, "on_send")
MESSAGE_CALLS(rdk_ic_on_ack, RDK_IC_ACK, rd_kafka_interceptor_f_on_acknowledgement_t,
              "on_acknowledgement")
MESSAGE_CALLS(rdk_ic_on_consume, RDK_IC_CONSUME, rd_kafka_interceptor_f_on_consume_t,
              "on_consume")

void rdk_ic_on_commit(rd_kafka_t *rk, const rd_kafka_topic_partition_list_t *offsets,
                      rd_kafka_resp_err_t err) {
    /* as librdkafka: not for nothing to commit, nor at destroy */
    if (!offsets || offsets->cnt == 0 || err == RD_KAFKA_RESP_ERR__NO_OFFSET ||
        err == RD_KAFKA_RESP_ERR__DESTROY)
        return;
    for (const rdk_ic *ic = rdk_ic_of(rk, RDK_IC_COMMIT); ic; ic = ic->next) {
        rd_kafka_resp_err_t e =
            ((rd_kafka_interceptor_f_on_commit_t *)ic->fn)(rk, offsets, err, ic->opaque);
        if (e) failed(rk, ic, "on_commit", e, NULL, NULL);
    }
}

/* The handle's methods are added by on_new, before the handle is used
 * (librdkafka asserts that; here it is __STATE). */
static rd_kafka_resp_err_t add(rd_kafka_t *rk, int method, const char *ic_name, void (*fn)(void),
                               void *ic_opaque) {
    if (!rk) return RD_KAFKA_RESP_ERR__INVALID_ARG;
    if (!rk->ic_adding) return RD_KAFKA_RESP_ERR__STATE;
    return rdk_ic_add(rk->conf, method, ic_name, fn, ic_opaque);
}

#define FN(f) ((void (*)(void))(f))

rd_kafka_resp_err_t rd_kafka_interceptor_add_on_destroy(
    rd_kafka_t *rk, const char *ic_name, rd_kafka_interceptor_f_on_destroy_t *on_destroy,
    void *ic_opaque) {
    return add(rk, RDK_IC_DESTROY, ic_name, FN(on_destroy), ic_opaque);
}

rd_kafka_resp_err_t rd_kafka_interceptor_add_on_send(rd_kafka_t *rk, const char *ic_name,
                                                     rd_kafka_interceptor_f_on_send_t *on_send,
                                                     void *ic_opaque) {
    return add(rk, RDK_IC_SEND, ic_name, FN(on_send), ic_opaque);
}

rd_kafka_resp_err_t rd_kafka_interceptor_add_on_acknowledgement(
    rd_kafka_t *rk, const char *ic_name,
    rd_kafka_interceptor_f_on_acknowledgement_t *on_acknowledgement, void *ic_opaque) {
    return add(rk, RDK_IC_ACK, ic_name, FN(on_acknowledgement), ic_opaque);
}

rd_kafka_resp_err_t rd_kafka_interceptor_add_on_consume(
    rd_kafka_t *rk, const char *ic_name, rd_kafka_interceptor_f_on_consume_t *on_consume,
    void *ic_opaque) {
    return add(rk, RDK_IC_CONSUME, ic_name, FN(on_consume), ic_opaque);
}

rd_kafka_resp_err_t rd_kafka_interceptor_add_on_commit(
    rd_kafka_t *rk, const char *ic_name, rd_kafka_interceptor_f_on_commit_t *on_commit,
    void *ic_opaque) {
    return add(rk, RDK_IC_COMMIT, ic_name, FN(on_commit), ic_opaque);
}

/* kfk's I/O thread sends the requests, reads the responses, moves the
 * brokers' states and is kfk's own thread: nothing the layer sees. */
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

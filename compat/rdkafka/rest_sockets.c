/* Socket, file and name-resolution callbacks: kfk's I/O thread opens,
 * connects and closes its own sockets and resolves names itself, so these
 * setters are accepted (librdkafka's are void: nothing to refuse with) and
 * change nothing. */
#include "rdk_int.h"

void rd_kafka_conf_set_socket_cb(rd_kafka_conf_t *conf,
                                 int (*socket_cb)(int domain, int type, int protocol,
                                                  void *opaque)) {
    (void)conf, (void)socket_cb;
}

void rd_kafka_conf_set_connect_cb(rd_kafka_conf_t *conf,
                                  int (*connect_cb)(int sockfd, const struct sockaddr *addr,
                                                    int addrlen, const char *id, void *opaque)) {
    (void)conf, (void)connect_cb;
}

void rd_kafka_conf_set_closesocket_cb(rd_kafka_conf_t *conf,
                                      int (*closesocket_cb)(int sockfd, void *opaque)) {
    (void)conf, (void)closesocket_cb;
}

void rd_kafka_conf_set_open_cb(rd_kafka_conf_t *conf,
                               int (*open_cb)(const char *pathname, int flags, mode_t mode,
                                              void *opaque)) {
    (void)conf, (void)open_cb;
}

void rd_kafka_conf_set_resolve_cb(rd_kafka_conf_t *conf,
                                  int (*resolve_cb)(const char *node, const char *service,
                                                    const struct addrinfo *hints,
                                                    struct addrinfo **res, void *opaque)) {
    (void)conf, (void)resolve_cb;
}

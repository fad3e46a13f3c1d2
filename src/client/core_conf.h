/* The settings of the client core that producer, consumer and admin embed.
 * Names follow the Java client's keys; defaults are the Java client's. The
 * string-keyed configuration parser fills this struct. */
#ifndef KFK_CORE_CONF_H
#define KFK_CORE_CONF_H

#include <stdint.h>

#include "core/log.h"
#include "kfk.h"
#include "net/sasl.h"
#include "net/tls.h"

/* security.protocol, in the order of its allowed values. */
enum kfk_security_protocol {
    KFK_SEC_PLAINTEXT,
    KFK_SEC_SSL,
    KFK_SEC_SASL_PLAINTEXT,
    KFK_SEC_SASL_SSL,
};

/* Producers and admin clients read small responses: a little is kept. */
#define KFK_RX_POOL_BYTES (1 << 20)
/* A share consumer's most: twice fetch.queue.max.bytes' default. */
#define KFK_RX_POOL_FETCH_BYTES (32 << 20)

typedef struct kfk_core_conf {
    const char *bootstrap_servers; /* bootstrap.servers (required) */
    const char *client_id;         /* client.id */
    int32_t request_timeout_ms;    /* request.timeout.ms */
    int32_t reconnect_backoff_ms;  /* reconnect.backoff.ms */
    int32_t reconnect_backoff_max_ms;               /* reconnect.backoff.max.ms */
    int32_t socket_connection_setup_timeout_ms;     /* socket.connection.setup.timeout.ms */
    int32_t socket_connection_setup_timeout_max_ms; /* socket.connection.setup.timeout.max.ms */
    int32_t metadata_max_age_ms; /* metadata.max.age.ms */
    int rebootstrap;             /* metadata.recovery.strategy=rebootstrap */
    int32_t rebootstrap_trigger_ms; /* metadata.recovery.rebootstrap.trigger.ms */
    int32_t connections_max_idle_ms; /* connections.max.idle.ms */
    int32_t retry_backoff_ms;     /* retry.backoff.ms */
    int32_t retry_backoff_max_ms; /* retry.backoff.max.ms */
    int32_t max_in_flight;        /* max.in.flight.requests.per.connection */
    int32_t receive_message_max_bytes; /* receive.message.max.bytes (librdkafka) */
    /* Receive buffers kept for reuse (net/rxbuf.h), at most this many bytes:
     * KFK_RX_POOL_BYTES, or a consumer's prefetch bound. */
    int64_t rx_pool_bytes;
    int allow_auto_create_topics;      /* allow.auto.create.topics */
    enum kfk_security_protocol security_protocol; /* security.protocol */
    kfk_tls_conf tls;   /* ssl.*: used with SSL and SASL_SSL */
    kfk_sasl_conf sasl; /* sasl.*: used with SASL_PLAINTEXT and SASL_SSL */
    kfk_log log;        /* log_level, debug and the log callback */
} kfk_core_conf;

/* The Java client's defaults, as conf_keys.h lists them (a unit test keeps
 * the two equal). */
void kfk_core_conf_defaults(kfk_core_conf *conf);
/* The core's settings from a user's configuration. Strings point into conf,
 * which must outlive out (kfk_core_new copies them). */
void kfk_core_conf_from(kfk_core_conf *out, const kfk_conf *conf);

#endif

/* Every configuration key kfk knows:
 * X(id, name, type, default, min, max, allowed values, doc).
 * Names are the Java client's; librdkafka's where Java has none. min and max
 * bound integers; enums list their allowed values separated by '|', and
 * so do flags (a comma-separated set: bit i is the i-th value; "all", last,
 * sets every bit). */
#ifndef KFK_CONF_KEYS_H
#define KFK_CONF_KEYS_H

#include "core/conf_keys_consumer.h"
#include "core/conf_keys_producer.h"
#include "core/conf_keys_security.h"

/* clang-format off */
#define KFK_CONF_KEYS_COMMON(X) \
    X(BOOTSTRAP_SERVERS, "bootstrap.servers", KFK_CONF_STRING, "", 0, 0, NULL, \
      "Comma-separated host:port list of brokers to bootstrap from") \
    X(CLIENT_ID, "client.id", KFK_CONF_STRING, "kfk", 0, 0, NULL, \
      "Client name sent to brokers with every request") \
    X(STATISTICS_INTERVAL_MS, "statistics.interval.ms", KFK_CONF_INT, "0", 0, 86400000, NULL, \
      "Hand a statistics snapshot to the stats callback this often (0: off)") \
    X(REQUEST_TIMEOUT_MS, "request.timeout.ms", KFK_CONF_INT, "30000", 1, INT32_MAX, NULL, \
      "How long to wait for a broker's response before failing the request") \
    X(DEFAULT_API_TIMEOUT_MS, "default.api.timeout.ms", KFK_CONF_INT, "60000", 1, INT32_MAX, \
      NULL, "Default timeout of an admin operation or a consumer call that takes none (commit), retries included") \
    X(SOCKET_CONNECTION_SETUP_TIMEOUT_MS, "socket.connection.setup.timeout.ms", KFK_CONF_INT, \
      "10000", 1, INT32_MAX, NULL, "How long a TCP connect plus handshake may take") \
    X(RECONNECT_BACKOFF_MS, "reconnect.backoff.ms", KFK_CONF_INT, "50", 0, 3600000, NULL, \
      "First wait before reconnecting to a broker; doubles up to reconnect.backoff.max.ms") \
    X(RECONNECT_BACKOFF_MAX_MS, "reconnect.backoff.max.ms", KFK_CONF_INT, "1000", 0, 3600000, \
      NULL, "Longest wait between reconnect attempts") \
    X(RETRY_BACKOFF_MS, "retry.backoff.ms", KFK_CONF_INT, "100", 0, 3600000, NULL, \
      "First wait before retrying a failed request") \
    X(RETRY_BACKOFF_MAX_MS, "retry.backoff.max.ms", KFK_CONF_INT, "1000", 0, 3600000, NULL, \
      "Longest wait between retries of a failed request") \
    X(METADATA_MAX_AGE_MS, "metadata.max.age.ms", KFK_CONF_INT, "300000", 0, INT32_MAX, NULL, \
      "Refresh cluster metadata at least this often") \
    X(METADATA_RECOVERY_STRATEGY, "metadata.recovery.strategy", KFK_CONF_ENUM, "rebootstrap", 0, \
      0, "none|rebootstrap", \
      "When no known broker answers: start over from bootstrap.servers (rebootstrap) or keep trying the known ones") \
    X(METADATA_RECOVERY_REBOOTSTRAP_TRIGGER_MS, "metadata.recovery.rebootstrap.trigger.ms", \
      KFK_CONF_INT, "300000", 0, INT32_MAX, NULL, \
      "Rebootstrap too when metadata has failed to refresh for this long") \
    X(MAX_IN_FLIGHT, "max.in.flight.requests.per.connection", KFK_CONF_INT, "5", 1, 1000, NULL, \
      "Requests sent to one broker without waiting for their responses") \
    X(RECEIVE_MESSAGE_MAX_BYTES, "receive.message.max.bytes", KFK_CONF_INT, "100000000", 1000, \
      INT32_MAX, NULL, "Largest response accepted from a broker; larger ones close the connection") \
    X(SECURITY_PROTOCOL, "security.protocol", KFK_CONF_ENUM, "PLAINTEXT", 0, 0, \
      "PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL", "Protocol used to talk to brokers") \
    X(SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS, "socket.connection.setup.timeout.max.ms", \
      KFK_CONF_INT, "30000", 1, INT32_MAX, NULL, \
      "Longest connection setup timeout after repeated failures") \
    X(CONNECTIONS_MAX_IDLE_MS, "connections.max.idle.ms", KFK_CONF_INT, "540000", 0, \
      INT32_MAX, NULL, "Close a broker connection with no request for this long (0: never)") \
    X(ALLOW_AUTO_CREATE_TOPICS, "allow.auto.create.topics", KFK_CONF_BOOL, "true", 0, 0, NULL, \
      "Let metadata requests create missing topics where the broker allows it") \
    X(LOG_LEVEL, "log_level", KFK_CONF_INT, "6", 0, 7, NULL, \
      "Highest syslog level (0-7) logged; debug lines follow the debug key") \
    X(DEBUG, "debug", KFK_CONF_FLAGS, "", 0, 0, \
      "generic|broker|topic|metadata|protocol|msg|fetch|consumer|cgrp|security|eos|admin|all", \
      "Comma-separated debug contexts to log (librdkafka's names; consumer = cgrp)")

#define KFK_CONF_KEYS(X) \
    KFK_CONF_KEYS_COMMON(X) KFK_CONF_KEYS_SECURITY(X) KFK_CONF_KEYS_PRODUCER(X) \
    KFK_CONF_KEYS_CONSUMER(X)

/* Other clients' names for the same keys. */
#define KFK_CONF_ALIASES(X) \
    X("metadata.broker.list", "bootstrap.servers") \
    KFK_CONF_ALIASES_SECURITY(X) KFK_CONF_ALIASES_PRODUCER(X) KFK_CONF_ALIASES_CONSUMER(X)
/* clang-format on */

#endif

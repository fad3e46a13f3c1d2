/* The consumer's configuration keys, in the form of conf_keys.h. */
#ifndef KFK_CONF_KEYS_CONSUMER_H
#define KFK_CONF_KEYS_CONSUMER_H

/* clang-format off */
#define KFK_CONF_KEYS_CONSUMER(X) \
    X(GROUP_ID, "group.id", KFK_CONF_STRING, "", 0, 0, NULL, \
      "Consumer group whose committed offsets are read and written (empty: none)") \
    X(AUTO_OFFSET_RESET, "auto.offset.reset", KFK_CONF_ENUM, "latest", 0, 0, \
      "earliest|latest|none|smallest|largest", \
      "Where to start when nothing is committed or the offset is out of range; none: an " \
      "error; smallest and largest are the original names of earliest and latest") \
    X(ENABLE_AUTO_COMMIT, "enable.auto.commit", KFK_CONF_BOOL, "true", 0, 0, NULL, \
      "Commit stored offsets in the background (only with group.id)") \
    X(AUTO_COMMIT_INTERVAL_MS, "auto.commit.interval.ms", KFK_CONF_INT, "5000", 0, INT32_MAX, \
      NULL, "How often auto-commit commits (0: no timer, only by message count)") \
    X(AUTO_COMMIT_INTERVAL_MESSAGES, "auto.commit.interval.messages", KFK_CONF_INT, "0", 0, \
      INT32_MAX, NULL, \
      "Auto-commit also after this many messages (0: off): polled ones, or with " \
      "enable.auto.offset.store=false those marked done (kfk_consumer_task_done)") \
    X(ENABLE_AUTO_OFFSET_STORE, "enable.auto.offset.store", KFK_CONF_BOOL, "true", 0, 0, NULL, \
      "Store each polled message's offset for commit; false: only kfk_consumer_task_done and " \
      "kfk_consumer_store_offset*") \
    X(TOPIC_METADATA_PROPAGATION_MAX_MS, "topic.metadata.propagation.max.ms", KFK_CONF_INT, \
      "30000", 0, 3600000, NULL, \
      "How long an assigned topic or partition may be missing from metadata (a new topic " \
      "still spreading) before poll reports KFK_ERR_UNKNOWN_TOPIC_OR_PARTITION for it") \
    X(FETCH_MIN_BYTES, "fetch.min.bytes", KFK_CONF_INT, "1", 0, INT32_MAX, NULL, \
      "Bytes a broker waits for before answering a fetch") \
    X(FETCH_MAX_BYTES, "fetch.max.bytes", KFK_CONF_INT, "52428800", 1, INT32_MAX, NULL, \
      "Most bytes one fetch response may carry (at least one batch is always returned)") \
    X(FETCH_MAX_WAIT_MS, "fetch.max.wait.ms", KFK_CONF_INT, "500", 0, INT32_MAX, NULL, \
      "Longest a broker waits for fetch.min.bytes") \
    X(MAX_PARTITION_FETCH_BYTES, "max.partition.fetch.bytes", KFK_CONF_INT, "1048576", 1, \
      INT32_MAX, NULL, "Most bytes per partition in one fetch response") \
    X(ISOLATION_LEVEL, "isolation.level", KFK_CONF_ENUM, "read_uncommitted", 0, 0, \
      "read_uncommitted|read_committed", "read_committed: only committed transactional records") \
    X(CHECK_CRCS, "check.crcs", KFK_CONF_BOOL, "true", 0, 0, NULL, \
      "Verify each fetched batch's CRC32C") \
    X(CLIENT_RACK, "client.rack", KFK_CONF_STRING, "", 0, 0, NULL, \
      "Rack of this client, sent with fetches") \
    X(MAX_POLL_RECORDS, "max.poll.records", KFK_CONF_INT, "500", 1, INT32_MAX, NULL, \
      "Most messages kfk_consumer_poll_batch returns when max is 0") \
    X(FETCH_QUEUE_MAX_BYTES, "fetch.queue.max.bytes", KFK_CONF_INT, "16777216", 1, INT32_MAX, \
      NULL, "Prefetch bound: record bytes fetched but not yet polled, shared by the partitions") \
    X(ENABLE_PARTITION_EOF, "enable.partition.eof", KFK_CONF_BOOL, "false", 0, 0, NULL, \
      "Deliver a KFK_ERR_PARTITION_EOF message when a partition reaches its end") \
    X(ENABLE_FETCH_SESSIONS, "enable.fetch.sessions", KFK_CONF_BOOL, "true", 0, 0, NULL, \
      "Fetch sessions (KIP-227): fetches list only partitions that changed; false: every " \
      "fetch lists all (kfk's key: Java and librdkafka have none)") \
    X(GROUP_INSTANCE_ID, "group.instance.id", KFK_CONF_STRING, "", 0, 0, NULL, \
      "Static group membership: a restart with the same id keeps its partitions (empty: dynamic)") \
    X(SESSION_TIMEOUT_MS, "session.timeout.ms", KFK_CONF_INT, "45000", 1, INT32_MAX, NULL, \
      "A member silent this long is removed from the group") \
    X(HEARTBEAT_INTERVAL_MS, "heartbeat.interval.ms", KFK_CONF_INT, "3000", 1, INT32_MAX, NULL, \
      "How often a group member sends a heartbeat") \
    X(MAX_POLL_INTERVAL_MS, "max.poll.interval.ms", KFK_CONF_INT, "300000", 1, INT32_MAX, NULL, \
      "Longest time between polls before leaving the group; also the rebalance timeout") \
    X(PARTITION_ASSIGNMENT_STRATEGY, "partition.assignment.strategy", KFK_CONF_STRING, \
      "range,cooperative-sticky", 0, 0, NULL, \
      "Assignors in order of preference: range, roundrobin, cooperative-sticky") \
    X(SHARE_ACKNOWLEDGEMENT_MODE, "share.acknowledgement.mode", KFK_CONF_ENUM, "implicit", 0, \
      0, "implicit|explicit", \
      "Share consumer: implicit accepts what a poll returned at the next poll, commit or " \
      "close; explicit: each message is acknowledged with kfk_share_consumer_acknowledge") \
    X(GROUP_PROTOCOL, "group.protocol", KFK_CONF_ENUM, "classic", 0, 0, "classic|consumer", \
      "Group protocol: classic (JoinGroup/SyncGroup, client-side assignors) or consumer " \
      "(KIP-848: broker-side assignment through heartbeats; Kafka 4.0+)") \
    X(GROUP_REMOTE_ASSIGNOR, "group.remote.assignor", KFK_CONF_STRING, "", 0, 0, NULL, \
      "With group.protocol=consumer: the broker's assignor (uniform, range; empty: the " \
      "broker's default)")

/* librdkafka's names for the same settings. */
#define KFK_CONF_ALIASES_CONSUMER(X) \
    X("fetch.wait.max.ms", "fetch.max.wait.ms") \
    X("fetch.message.max.bytes", "max.partition.fetch.bytes")
/* clang-format on */

#endif

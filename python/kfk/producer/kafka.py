"""kfk.KafkaProducer: kafka-python's producer API on kfk's C producer.

send() is the C type's own method (serializers, headers and the future are
handled there); this class maps kafka-python's keywords onto kfk's
configuration and gives the rest of the API its kafka-python shape."""
import atexit
import itertools
import math
import time
from _weakref import ref as _weakref  # weakref.ref, without importing weakref

from kfk import _config
from kfk import _kfk
from kfk import errors as Errors
from kfk.producer.future import FutureRecordMetadata, RecordMetadata  # noqa: F401
from kfk.serializer import Serializer, SerializeWrapper
from kfk.structs import ConsumerGroupMetadata, OffsetAndMetadata

_client_ids = itertools.count(1)


class UnrecognizedConfigError(Errors.KafkaConfigurationError, ValueError):
    """An unknown keyword. A ValueError too, as kafka-python raises."""


# kafka-python keyword -> kfk key; values pass through as they are.
_DIRECT = {
    "transaction_timeout_ms": "transaction.timeout.ms",
    "delivery_timeout_ms": "delivery.timeout.ms",
    "batch_size": "batch.size",
    "linger_ms": "linger.ms",
    "max_block_ms": "max.block.ms",
    "max_request_size": "max.request.size",
    "allow_auto_create_topics": "allow.auto.create.topics",
    "buffer_memory": "buffer.memory",
    "ssl_ciphers": "ssl.cipher.suites",
    **_config.CLIENT_KEYS,
}

# Keys an admin client (for partitions_for) shares with the producer.
_ADMIN_KEYS = ("bootstrap.servers", "client.id", "request.timeout.ms", "metadata.max.age.ms",
               "retry.backoff.ms", "reconnect.backoff.ms", "reconnect.backoff.max.ms",
               "connections.max.idle.ms", "receive.message.max.bytes", "security.protocol",
               "ssl.ca.location", "ssl.certificate.location", "ssl.key.location",
               "ssl.key.password", "ssl.cipher.suites", "sasl.mechanism", "sasl.username",
               "sasl.password", "ssl.endpoint.identification.algorithm")

# Keywords that only work at their default here (kfk has no equivalent).
_DEFAULT_ONLY = ("ssl_context", "ssl_crlfile", "sasl_kerberos_name", "sasl_kerberos_domain_name",
                 "sasl_oauth_token_provider", "proxy_url", "socks5_proxy")

_COMPRESSION = {None: "none", "gzip": "gzip", "snappy": "snappy", "lz4": "lz4", "zstd": "zstd"}


class KafkaProducer(_kfk.Producer):
    """Publishes records to Kafka; kafka-python's KafkaProducer, on kfk.

    send() queues a record and returns a FutureRecordMetadata at once;
    delivery reports complete futures (and run their callbacks) on the
    calling thread, inside send, flush, poll, close and a future's get."""

    DEFAULT_CONFIG = {
        "bootstrap_servers": "localhost",
        "client_id": None,
        "key_serializer": None,
        "value_serializer": None,
        "enable_idempotence": True,
        "transactional_id": None,
        "transaction_timeout_ms": 60000,
        "delivery_timeout_ms": 120000,
        "acks": -1,
        "compression_type": None,
        "retries": float("inf"),
        "batch_size": 16384,
        "linger_ms": 0,
        "partitioner": None,
        "connections_max_idle_ms": 9 * 60 * 1000,
        "max_block_ms": 60000,
        "max_request_size": 1048576,
        "buffer_memory": 33554432,
        "allow_auto_create_topics": True,
        "metadata_max_age_ms": 300000,
        "client_dns_lookup": "use_all_dns_ips",
        "retry_backoff_ms": 100,
        "request_timeout_ms": 30000,
        "receive_message_max_bytes": 100_000_000,
        "receive_buffer_bytes": None,
        "send_buffer_bytes": None,
        "socket_options": None,
        "reconnect_backoff_ms": 50,
        "reconnect_backoff_max_ms": 30000,
        "max_in_flight_requests_per_connection": 5,
        "ssl_ciphers": None,
        "metrics_enabled": True,
        **_config.CLIENT_DEFAULTS,
    }

    def __init__(self, **configs):
        unknown = sorted(set(configs) - set(self.DEFAULT_CONFIG))
        if unknown:
            raise UnrecognizedConfigError("Unrecognized configs: %s" % ", ".join(unknown))
        self.config = dict(self.DEFAULT_CONFIG)
        self.config.update(configs)
        if self.config["client_id"] is None:
            self.config["client_id"] = "kfk-python-producer-%d" % next(_client_ids)
        if self.config["acks"] == "all":
            self.config["acks"] = -1
        conf = _kfk_conf(self.config, set(configs))
        admin_conf = {k: v for k, v in conf.items() if k in _ADMIN_KEYS}
        kser, vser, full = _serializers(self.config["key_serializer"],
                                        self.config["value_serializer"])
        super().__init__(conf, admin_conf, kser, vser, full, int(self.config["max_block_ms"]))
        # As kafka-python: at exit, what is still queued gets a second to go.
        self._atexit = _close_at_exit(_weakref(self))
        atexit.register(self._atexit)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()

    def __str__(self):
        return "<KafkaProducer client_id=%s transactional_id=%s>" % (
            self.config["client_id"], self.config["transactional_id"])

    def close(self, timeout=None, null_logger=False):
        """Sends what is queued (waiting up to timeout seconds, None: as long
        as it takes), then stops; records still unwritten fail. Calls after
        close raise KafkaError; closing again does nothing."""
        if self._closed:
            return
        atexit.unregister(self._atexit)
        super().close(timeout)
        for key in ("key_serializer", "value_serializer"):
            closer = getattr(self.config[key], "close", None)
            if closer is not None and isinstance(self.config[key], Serializer):
                closer()

    def bootstrap_connected(self):
        """True once a broker has answered this producer."""
        return not self._closed and self._api_version(3) >= 0

    def partitions_for(self, topic):
        """The set of partition ids of topic, waiting up to max_block_ms for
        its metadata (KafkaTimeoutError after that)."""
        max_block_ms = self.config["max_block_ms"]
        deadline = time.monotonic() + max_block_ms / 1000.0
        autocreate = bool(self.config["allow_auto_create_topics"])
        while True:
            left_ms = int((deadline - time.monotonic()) * 1000)
            if left_ms <= 0:
                raise Errors.KafkaTimeoutError(
                    "Failed to update metadata after %.1f secs." % (max_block_ms / 1000.0,))
            err, errstr, ids = self._partitions_for(topic, autocreate, left_ms)
            if err == 0 and ids:
                return set(ids)
            exc = Errors._from_kfk(err, errstr) if err else None
            if exc is not None and not exc.retriable and err != 3:
                raise exc
            time.sleep(min(0.1, max(left_ms, 0) / 1000.0))

    def metrics(self, raw=False):
        """kfk's producer counters, as {'producer-metrics': {name: value}}."""
        if not self.config["metrics_enabled"]:
            return None
        if self._closed:
            raise Errors.IllegalStateError("KafkaProducer already closed!")
        return {"producer-metrics": self._stats()}

    def _require_transactions(self, what):
        if not self.config["transactional_id"]:
            raise Errors.IllegalStateError(
                "Cannot %s without setting a transactional_id." % (what,))

    def init_transactions(self):
        """Gets the producer id for transactional_id, ending what an earlier
        producer with the same id left open; once, before the first
        transaction. KafkaTimeoutError after max_block_ms."""
        self._require_transactions("call init_transactions")
        self._init_transactions(int(self.config["max_block_ms"]))

    def begin_transaction(self):
        """Starts a transaction: what is sent until commit or abort is in it."""
        self._require_transactions("use transactional methods")
        self._begin_transaction()

    def send_offsets_to_transaction(self, offsets, group_metadata):
        """Commits offsets ({TopicPartition: OffsetAndMetadata or offset}) for
        the group (ConsumerGroupMetadata or a group id) with the current
        transaction."""
        self._require_transactions("use transactional methods")
        if isinstance(group_metadata, str):
            group_metadata = ConsumerGroupMetadata(group_metadata)
        items = []
        for tp, om in offsets.items():
            if not isinstance(om, OffsetAndMetadata):
                om = OffsetAndMetadata(int(om))
            epoch = om.leader_epoch if om.leader_epoch is not None else -1
            items.append((tp.topic, tp.partition, om.offset, om.metadata or None, epoch))
        gm = group_metadata
        self._send_offsets_to_transaction(items, gm.group_id, gm.generation_id,
                                          gm.member_id or None, gm.group_instance_id,
                                          int(self.config["max_block_ms"]))

    def commit_transaction(self):
        """Writes the transaction's records and commits it."""
        self._require_transactions("commit transaction")
        self._commit_transaction(int(self.config["max_block_ms"]))

    def abort_transaction(self):
        """Aborts the transaction: its records fail and are never read by
        read_committed consumers."""
        self._require_transactions("abort transaction")
        self._abort_transaction(int(self.config["max_block_ms"]))


def _close_at_exit(ref):
    def close():
        producer = ref()
        if producer is not None:
            producer.close(timeout=1)
    return close


def _serializers(key_ser, value_ser):
    """(key, value, takes_topic): plain callables as they are, or, when
    either is a Serializer, both as objects with serialize(topic, headers,
    data)."""
    for name, ser in (("key_serializer", key_ser), ("value_serializer", value_ser)):
        if ser is not None and not callable(ser) and not hasattr(ser, "serialize"):
            raise Errors.KafkaConfigurationError(
                "%s: %r is neither callable nor a Serializer" % (name, ser))
    if any(hasattr(s, "serialize") for s in (key_ser, value_ser)):
        wrap = [s if s is None or hasattr(s, "serialize") else SerializeWrapper(s)
                for s in (key_ser, value_ser)]
        return wrap[0], wrap[1], True
    return key_ser, value_ser, False


def _kfk_conf(config, given):
    """kfk's configuration for kafka-python keywords (given: the ones the
    caller set, so that defaults do not count as explicit choices)."""
    conf = _config.pass_through(config, _DIRECT,
                                {"bootstrap.servers": _config.servers(config["bootstrap_servers"])})
    _config.refuse(config, _DEFAULT_ONLY)
    if config["partitioner"] is not None:
        raise Errors.KafkaConfigurationError(
            "partitioner: kfk partitions with the default partitioner (murmur2 of the key,"
            " sticky for keyless records)")
    if not config["ssl_check_hostname"]:
        conf["ssl.endpoint.identification.algorithm"] = ""
    acks = config["acks"]
    if acks not in (0, 1, -1):
        raise Errors.KafkaConfigurationError("acks: %r is not 0, 1, -1 or 'all'" % (acks,))
    conf["acks"] = "all" if acks == -1 else str(acks)
    ct = config["compression_type"]
    if ct not in _COMPRESSION:
        raise ValueError("Not supported codec: {}".format(ct))
    conf["compression.type"] = _COMPRESSION[ct]
    retries = config["retries"]
    if "retries" in given:
        conf["retries"] = 2147483647 if math.isinf(retries) else int(retries)
    if config["transactional_id"]:
        if "enable_idempotence" in given and not config["enable_idempotence"]:
            raise Errors.KafkaConfigurationError(
                "Cannot set transactional_id without enable_idempotence.")
        conf["transactional.id"] = config["transactional_id"]
        conf["enable.idempotence"] = True
    elif "enable_idempotence" in given:
        conf["enable.idempotence"] = bool(config["enable_idempotence"])
    if "acks" not in given:
        del conf["acks"]
    return conf

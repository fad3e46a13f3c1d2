"""The original KafkaConsumer of kafka-python 0.9.x: its keyword names,
set_topic_partitions / fetch_messages / task_done / commit / offsets, and
its rule that a commit covers only the messages marked done. It runs on
kfk._kfk.Consumer with manual assignment (no group membership); the group
is only where offsets are committed, as in the original.

kfk.KafkaConsumer hands construction over to this class when it gets a
keyword or a topic form that only the original consumer has (wants_legacy),
and a new-style consumer turns into this one on set_topic_partitions
(become_legacy)."""
from collections import namedtuple
import time

from kfk import _kfk
from kfk import _log
from kfk.errors import (
    KafkaConfigurationError, KafkaError, UnknownTopicOrPartitionError, _from_kfk,
)

log = _log.Logger(__name__)

KafkaMessage = namedtuple("KafkaMessage", ["topic", "partition", "offset", "key", "value"])
OffsetsStruct = namedtuple("OffsetsStruct", ["fetch", "highwater", "commit", "task_done"])


class ConsumerTimeout(KafkaError):
    """No message came within consumer_timeout_ms (raised by next())."""


_LATEST, _EARLIEST, _AT_TIME = -1, -2, -1002

DEFAULT_CONFIG = {
    "client_id": "kfk.consumer.legacy",
    "group_id": None,
    "bootstrap_servers": [],
    "socket_timeout_ms": 30 * 1000,
    "fetch_message_max_bytes": 1024 * 1024,
    "auto_offset_reset": "largest",
    "fetch_min_bytes": 1,
    "fetch_wait_max_ms": 100,
    "refresh_leader_backoff_ms": 200,
    "deserializer_class": None,  # None: values as the broker gave them
    "auto_commit_enable": False,
    "auto_commit_interval_ms": 60 * 1000,
    "auto_commit_interval_messages": None,
    "consumer_timeout_ms": -1,
    # Accepted for compatibility; the original did not use them either.
    "socket_receive_buffer_bytes": 64 * 1024,
    "num_consumer_fetchers": 1,
    "default_fetcher_backoff_ms": 1000,
    "queued_max_message_chunks": 10,
    "rebalance_max_retries": 4,
    "rebalance_backoff_ms": 2000,
}

RENAMED = {"metadata_broker_list": "bootstrap_servers"}

# Keywords that only the original consumer has: any of them selects it.
LEGACY_ONLY = frozenset(set(DEFAULT_CONFIG) - {
    "client_id", "group_id", "bootstrap_servers", "fetch_min_bytes",
    "auto_offset_reset", "auto_commit_interval_ms", "consumer_timeout_ms",
}) | frozenset(RENAMED)

_RESETS = {"smallest": "smallest", "largest": "largest",
           "earliest": "smallest", "latest": "largest"}
_FOREVER = float("inf")
_OFFSET_GROUPS = ("fetch", "commit", "task_done", "highwater")
_META_TIMEOUT_MS = 10000


def wants_legacy(topics, configs):
    """True when KafkaConsumer(*topics, **configs) is written for the
    original consumer: an original-only keyword, or a topic given as a
    (topic, partition[, offset]) tuple, a dict or bytes."""
    return (not LEGACY_ONLY.isdisjoint(configs)
            or any(isinstance(t, (tuple, dict, bytes)) for t in topics))


def become_legacy(consumer, *topics):
    """Turns a kfk.KafkaConsumer built with the new keywords into the
    original consumer, for set_topic_partitions(*topics) called on it: its
    settings carry over under their original names."""
    configs = _from_new_config(getattr(consumer, "config", {}))
    consumer.close()
    consumer.__dict__.clear()
    consumer.__class__ = KafkaConsumer
    consumer._consumer = None
    consumer.configure(**configs)
    consumer.set_topic_partitions(*topics)


def _from_new_config(new):
    old = {}
    pairs = (("bootstrap_servers", "bootstrap_servers"), ("client_id", "client_id"),
             ("group_id", "group_id"), ("fetch_min_bytes", "fetch_min_bytes"),
             ("fetch_max_wait_ms", "fetch_wait_max_ms"),
             ("max_partition_fetch_bytes", "fetch_message_max_bytes"),
             ("request_timeout_ms", "socket_timeout_ms"),
             ("retry_backoff_ms", "refresh_leader_backoff_ms"),
             ("auto_offset_reset", "auto_offset_reset"),
             ("auto_commit_interval_ms", "auto_commit_interval_ms"))
    for new_key, old_key in pairs:
        if new.get(new_key) is not None:
            old[old_key] = new[new_key]
    if callable(new.get("value_deserializer")):
        old["deserializer_class"] = new["value_deserializer"]
    if old.get("auto_offset_reset") not in _RESETS:
        old.pop("auto_offset_reset", None)
    old["auto_commit_enable"] = bool(new.get("enable_auto_commit")) and bool(new.get("group_id"))
    if new.get("consumer_timeout_ms") is not None:
        old["consumer_timeout_ms"] = new["consumer_timeout_ms"]
    return old


def _topic_name(topic):
    if isinstance(topic, bytes):
        return topic.decode("utf-8")
    if isinstance(topic, str):
        return topic
    raise KafkaConfigurationError("a topic name is a str, not %s %r" % (type(topic).__name__, topic))


def _check_int(name, value, kinds=int):
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise KafkaConfigurationError("%s must be %s, not %r" % (
            name, "an int" if kinds is int else "a number", value))


class KafkaConsumer(object):
    """kafka-python 0.9's KafkaConsumer on kfk: consumes the partitions given
    to set_topic_partitions and commits, for group_id, the offsets of the
    messages marked with task_done."""

    DEFAULT_CONFIG = dict(DEFAULT_CONFIG)

    def __init__(self, *topics, **configs):
        self._consumer = None
        self.configure(**configs)
        self.set_topic_partitions(*topics)

    # ---------------------------------------------------------- settings

    def configure(self, **configs):
        """Sets every setting (the ones not given go back to their
        defaults) and reconnects; the partitions being consumed carry on
        from where they were."""
        for old, new in RENAMED.items():
            if old in configs:
                value = configs.pop(old)
                configs.setdefault(new, value)
        unknown = sorted(set(configs) - set(self.DEFAULT_CONFIG))
        if unknown:
            raise KafkaConfigurationError(
                "unknown keyword(s) for the original KafkaConsumer: %s" % unknown)
        config = dict(self.DEFAULT_CONFIG)
        config.update(configs)
        conf = self._kfk_conf(config)

        old = self._consumer
        self._config = config
        self._consumer = _kfk.Consumer(conf)
        if old is not None:
            old.close()
        self._deserializer = config["deserializer_class"]
        self._reset_auto_commit()
        if getattr(self, "_topics", None):
            self._buffer = []
            self._assign()
        else:
            self._topics = []
            self._offsets = OffsetsStruct({}, {}, {}, {})
            self._buffer = []
        self._msg_iter = None

    def _kfk_conf(self, config):
        """Checks config (making the ms settings kfk takes ints) and gives
        kfk's conf for it."""
        servers = config["bootstrap_servers"]
        if isinstance(servers, (list, tuple)):
            servers = ",".join(servers)
        if not servers or not isinstance(servers, str):
            raise KafkaConfigurationError(
                "bootstrap_servers (or metadata_broker_list) is required, got %r"
                % (config["bootstrap_servers"],))
        reset = config["auto_offset_reset"]
        if reset not in _RESETS:
            raise KafkaConfigurationError(
                "auto_offset_reset must be 'smallest' or 'largest', not %r" % (reset,))
        for key in ("fetch_message_max_bytes", "fetch_min_bytes", "auto_commit_interval_messages"):
            if config[key] is not None:
                _check_int(key, config[key])
        for key in ("socket_timeout_ms", "fetch_wait_max_ms", "refresh_leader_backoff_ms"):
            _check_int(key, config[key], (int, float))
            config[key] = int(config[key])
        for key in ("auto_commit_interval_ms", "consumer_timeout_ms"):
            if config[key] is not None:
                _check_int(key, config[key], (int, float))
        if config["deserializer_class"] is not None and not callable(config["deserializer_class"]):
            raise KafkaConfigurationError(
                "deserializer_class must be callable, not %r" % (config["deserializer_class"],))
        if config["auto_commit_enable"] and not config["group_id"]:
            raise KafkaConfigurationError("auto_commit_enable needs a group_id")
        conf = {
            "bootstrap.servers": servers,
            "client.id": config["client_id"],
            "auto.offset.reset": _RESETS[reset],
            "max.partition.fetch.bytes": config["fetch_message_max_bytes"],
            "fetch.min.bytes": config["fetch_min_bytes"],
            "fetch.max.wait.ms": config["fetch_wait_max_ms"],
            "retry.backoff.ms": config["refresh_leader_backoff_ms"],
            "request.timeout.ms": config["socket_timeout_ms"],
            # Commits happen here, on task_done, as the original did them.
            "enable.auto.commit": False,
        }
        if config["group_id"]:
            conf["group.id"] = config["group_id"]
        return conf

    # ------------------------------------------------------- partitions

    def set_topic_partitions(self, *topics):
        """Consumes exactly these, replacing what was set before: "topic"
        (all its partitions), ("topic", p), ("topic", p, offset),
        {"topic": p}, {"topic": [p, ...]}, {("topic", p): offset}, mixed."""
        self._check_open()
        wanted, start, known = [], {}, {}

        def partitions_of(topic):
            if topic not in known:
                known[topic] = self._partitions_of(topic)
            return known[topic]

        def add(topic, partition, offset=None):
            topic = _topic_name(topic)
            _check_int("partition", partition)
            if partition not in partitions_of(topic):
                raise UnknownTopicOrPartitionError(
                    "topic %r has no partition %d" % (topic, partition))
            if (topic, partition) not in wanted:
                wanted.append((topic, partition))
            if offset is not None:
                _check_int("offset", offset)
                start[(topic, partition)] = offset

        for arg in topics:
            if isinstance(arg, (str, bytes)):
                topic = _topic_name(arg)
                for partition in sorted(partitions_of(topic)):
                    add(topic, partition)
            elif isinstance(arg, tuple) and len(arg) in (2, 3):
                add(*arg)
            elif isinstance(arg, dict):
                for key, value in arg.items():
                    if isinstance(key, tuple) and len(key) == 2:
                        add(key[0], key[1], value)
                    elif isinstance(value, (list, tuple)):
                        for partition in value:
                            add(key, partition)
                    elif isinstance(value, int):
                        add(key, value)
                    else:
                        raise KafkaConfigurationError(
                            "set_topic_partitions: %r: %r: a dict maps a topic to a partition "
                            "or a list of them, or (topic, partition) to an offset"
                            % (key, value))
            else:
                raise KafkaConfigurationError(
                    "set_topic_partitions takes topics, (topic, partition[, offset]) tuples "
                    "and dicts, not %s %r" % (type(arg).__name__, arg))

        commit = dict.fromkeys(wanted)
        if self._config["group_id"] and wanted:
            commit.update(self._committed(wanted))
        fetch = {tp: start[tp] if tp in start else commit[tp] for tp in wanted}
        fetch.update(self._reset_offsets([tp for tp in wanted if fetch[tp] is None]))
        self._topics = wanted
        self._offsets = OffsetsStruct(fetch, dict.fromkeys(wanted), commit, dict.fromkeys(wanted))
        self._buffer = []
        self._msg_iter = None
        self._assign()

    def _partitions_of(self, topic):
        parts = self._consumer.metadata([topic], _META_TIMEOUT_MS).get(topic)
        if not parts:
            raise UnknownTopicOrPartitionError("topic %r is not in the cluster's metadata" % topic)
        return parts

    def _assign(self):
        self._consumer.assign([(t, p, self._offsets.fetch[(t, p)]) for t, p in self._topics])

    def _committed(self, tps):
        got = self._consumer.committed(list(tps), self._config["socket_timeout_ms"])
        return {(t, p): (off if off >= 0 else None) for t, p, off, _, _, _ in got}

    def _reset_offsets(self, tps):
        """{tp: its offset by auto_offset_reset}, one ListOffsets for all."""
        if not tps:
            return {}
        when = _EARLIEST if _RESETS[self._config["auto_offset_reset"]] == "smallest" else _LATEST
        got = self._consumer.list_offsets([(t, p, when) for t, p in tps],
                                          self._config["socket_timeout_ms"])
        out = {}
        for topic, partition, offset, _, _, err in got:
            if err:
                raise _from_kfk(err, "%s offset of %s:%d: %s" % (
                    self._config["auto_offset_reset"], topic, partition, _kfk.err_name(err)))
            out[(topic, partition)] = offset
        return out

    # --------------------------------------------------------- messages

    def fetch_messages(self):
        """A generator of the next KafkaMessages fetched from the partitions
        set (one fetch: it ends when they are given out); values go through
        deserializer_class."""
        self._check_open()
        if not self._topics:
            raise KafkaConfigurationError("no partitions to fetch: call set_topic_partitions")
        if not self._buffer:
            self._buffer = self._consumer.poll(self._config["fetch_wait_max_ms"])
            self._buffer.reverse()
            self._update_highwater()
        fetch = self._offsets.fetch
        while self._buffer:
            # A record: kafka-python 3.0's ConsumerRecord fields, as a tuple.
            # kfk drops records fetched before an assign; an offset below
            # the fetch offset comes after a reset by auto_offset_reset.
            r = self._buffer.pop()
            tp, offset = (r[0], r[1]), r[3]
            if tp not in fetch:
                continue
            value = r[7] if self._deserializer is None else self._deserializer(r[7])
            fetch[tp] = offset + 1
            yield KafkaMessage(r[0], r[1], offset, r[6], value)

    def _update_highwater(self):
        high = self._offsets.highwater
        for (topic, partition) in self._topics:
            hw = self._consumer.cached_watermarks(topic, partition)[1]
            if hw >= 0:
                high[(topic, partition)] = hw

    def __iter__(self):
        return self

    def __next__(self):
        return self.next()

    def next(self):
        """The next message, waiting up to consumer_timeout_ms (forever when
        negative); ConsumerTimeout when none came."""
        timeout = self._config["consumer_timeout_ms"]
        deadline = None
        if timeout is not None and 0 <= timeout < _FOREVER:
            deadline = time.monotonic() + timeout / 1000.0
        while True:
            if self._msg_iter is None:
                self._msg_iter = self.fetch_messages()
            try:
                return next(self._msg_iter)
            except StopIteration:
                self._msg_iter = None
            if deadline is not None and time.monotonic() >= deadline:
                raise ConsumerTimeout("no message within consumer_timeout_ms=%d" % timeout)

    # ----------------------------------------------------------- offsets

    def get_partition_offsets(self, topic, partition, request_time_ms, max_num_offsets):
        """Offsets of topic/partition from its leader, as a list: -1 the
        next offset to be written, -2 the earliest, else the first offset
        whose timestamp is >= request_time_ms (empty when none). Brokers
        since 0.10.1 give one offset, so the list has at most one."""
        self._check_open()
        topic = _topic_name(topic)
        _check_int("partition", partition)
        _check_int("request_time_ms", request_time_ms)
        _check_int("max_num_offsets", max_num_offsets)
        if max_num_offsets < 1:
            return []
        if request_time_ms in (_LATEST, _EARLIEST):
            query = (topic, partition, request_time_ms)
        else:
            query = (topic, partition, _AT_TIME, request_time_ms)
        (_, _, offset, _, _, err), = self._consumer.list_offsets(
            [query], self._config["socket_timeout_ms"])
        if err:
            raise _from_kfk(err, "get_partition_offsets(%s, %d): %s"
                            % (topic, partition, _kfk.err_name(err)))
        return [] if offset < 0 else [offset]

    def offsets(self, group=None):
        """Copies of the consumer's offsets: group "fetch" (next to give out),
        "commit" (committed for group_id), "task_done" (last message marked
        done) or "highwater" (end of the log at the last fetch), each a dict
        {(topic, partition): offset or None}; no group: all four by name."""
        if group is None:
            return {g: self.offsets(g) for g in _OFFSET_GROUPS}
        if group not in _OFFSET_GROUPS:
            raise ValueError("offsets group must be one of %s, not %r" % (_OFFSET_GROUPS, group))
        return dict(getattr(self._offsets, group))

    def task_done(self, message):
        """Marks message processed: the next commit() (or auto-commit) covers
        it. False (and a warning) when its partition is not being consumed."""
        tp = (message.topic, message.partition)
        if tp not in self._offsets.task_done:
            log.warning("task_done for %s:%d, a partition not being consumed", *tp)
            return False
        offset = message.offset
        prev = self._offsets.task_done[tp]
        if prev is not None and offset != prev + 1:
            log.warning("task_done out of order on %s:%d: %d after %d", tp[0], tp[1], offset, prev)
        committed = self._offsets.commit[tp]
        if committed is not None and offset + 1 <= committed:
            log.warning("task_done on %s:%d for offset %d, already committed (%d)",
                        tp[0], tp[1], offset, committed)
        self._offsets.task_done[tp] = offset
        if self._auto_commit_messages:
            self._uncommitted += 1
        if self._auto_commit_due():
            self.commit()
        return True

    def commit(self):
        """Commits, for group_id, the offset after the last message marked
        done on each partition where it moved. True when something was
        committed, False when there was nothing new."""
        self._check_open()
        if not self._config["group_id"]:
            raise KafkaConfigurationError("commit() needs a group_id")
        todo = []
        for tp, done in self._offsets.task_done.items():
            if done is not None and done + 1 != self._offsets.commit[tp]:
                todo.append((tp[0], tp[1], done + 1))
        if not todo:
            return False
        self._consumer.commit(todo)
        for topic, partition, offset in todo:
            self._offsets.commit[(topic, partition)] = offset
        self._reset_auto_commit()
        return True

    def _reset_auto_commit(self):
        config = self._config
        enabled = config["auto_commit_enable"]
        every_ms = config["auto_commit_interval_ms"]
        every_n = config["auto_commit_interval_messages"]
        self._auto_commit_messages = every_n if enabled and every_n and every_n > 0 else None
        self._next_auto_commit = (time.monotonic() + every_ms / 1000.0
                                  if enabled and every_ms and every_ms > 0 else None)
        self._uncommitted = 0

    def _auto_commit_due(self):
        if self._next_auto_commit is not None and time.monotonic() >= self._next_auto_commit:
            return True
        return (self._auto_commit_messages is not None
                and self._uncommitted >= self._auto_commit_messages)

    # ----------------------------------------------------------- closing

    def _check_open(self):
        if self._consumer is None:
            raise KafkaError("KafkaConsumer is closed")

    def close(self):
        """Disconnects; nothing is committed (call commit() first)."""
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None
        self._buffer = []

    def __repr__(self):
        return "<KafkaConsumer topics=(%s)>" % "|".join("%s-%d" % tp for tp in self._topics)

"""kfk.KafkaConsumer: kafka-python 3.0's KafkaConsumer (keywords, defaults,
methods, return types) over kfk._kfk.Consumer. Fetching, group membership
and commits run in kfk's C core; records are built there too."""
import collections
import collections.abc
import itertools
import operator
import time
from _weakref import ref as _weakref  # weakref.ref, without importing weakref

from kfk import _config
from kfk import _kfk
from kfk import _log
from kfk import errors as Errors
from kfk.consumer.fetcher import ConsumerRecord
from kfk.structs import (
    ConsumerGroupMetadata, MemberState, OffsetAndMetadata, OffsetAndTimestamp, TopicPartition,
)

log = _log.Logger(__name__)

_VERSION = "0.1.0"
_AT_TIME = -1002  # KFK_OFFSET_AT_TIME

# kafka-python 3.0.12's keywords and defaults. The values of keywords kfk
# has no use for (selector, metric_reporters, ...) are accepted and unused.
DEFAULT_CONFIG = {
    "bootstrap_servers": "localhost",
    "client_id": "kfk-python-" + _VERSION,
    "client_rack": "",
    "group_id": None,
    "group_instance_id": None,
    "key_deserializer": None,
    "value_deserializer": None,
    "enable_incremental_fetch_sessions": True,
    "fetch_max_wait_ms": 500,
    "fetch_min_bytes": 1,
    "fetch_max_bytes": 52428800,
    "max_partition_fetch_bytes": 1 * 1024 * 1024,
    "request_timeout_ms": 30000,
    "retry_backoff_ms": 100,
    "reconnect_backoff_ms": 50,
    "reconnect_backoff_max_ms": 30000,
    "max_in_flight_requests_per_connection": 5,
    "auto_offset_reset": "latest",
    "enable_auto_commit": True,
    "auto_commit_interval_ms": 5000,
    "default_offset_commit_callback": lambda offsets, response: True,
    "check_crcs": True,
    "isolation_level": "read_uncommitted",
    "allow_auto_create_topics": True,
    "metadata_max_age_ms": 5 * 60 * 1000,
    "client_dns_lookup": "use_all_dns_ips",
    "partition_assignment_strategy": ("range", "roundrobin"),
    "max_poll_records": 500,
    "max_poll_interval_ms": 300000,
    "session_timeout_ms": 45000,
    "heartbeat_interval_ms": 3000,
    "receive_buffer_bytes": None,
    "send_buffer_bytes": None,
    "receive_message_max_bytes": 100_000_000,
    # (socket.IPPROTO_TCP, socket.TCP_NODELAY, 1): importing socket (with
    # selectors and enum) would cost every consumer milliseconds of start.
    "socket_options": [(6, 1, 1)],
    "consumer_timeout_ms": float("inf"),
    "ssl_ciphers": None,
    "connections_max_idle_ms": 9 * 60 * 1000,
    "metrics_enabled": True,
    "metric_group_prefix": "consumer",
    "exclude_internal_topics": True,
    **_config.CLIENT_DEFAULTS,
}

# keyword -> kfk conf key, for values passed through as they are.
_DIRECT = {
    "fetch_max_wait_ms": "fetch.max.wait.ms",
    "fetch_min_bytes": "fetch.min.bytes",
    "fetch_max_bytes": "fetch.max.bytes",
    "max_partition_fetch_bytes": "max.partition.fetch.bytes",
    "auto_commit_interval_ms": "auto.commit.interval.ms",
    "check_crcs": "check.crcs",
    "allow_auto_create_topics": "allow.auto.create.topics",
    "max_poll_records": "max.poll.records",
    "max_poll_interval_ms": "max.poll.interval.ms",
    "session_timeout_ms": "session.timeout.ms",
    "heartbeat_interval_ms": "heartbeat.interval.ms",
    "enable_incremental_fetch_sessions": "enable.fetch.sessions",
    "ssl_ciphers": "ssl.cipher.suites",
    **_config.CLIENT_KEYS,
}

# kfk's prefetch bound (fetch.queue.max.bytes, 16 MiB in C): Python reads
# records about ten times slower than C, so a quarter of it still holds
# tens of milliseconds of reading, and the process keeps ~30 MB less
# memory and fetches and decodes less that it never reads (at close).
_PREFETCH_BYTES = 4 << 20

# Keywords kfk cannot honour: setting them is an error, not silently ignored.
_UNSUPPORTED = ("ssl_context", "ssl_crlfile", "sasl_oauth_token_provider", "proxy_url",
                "socks5_proxy")


def _servers(value):
    hosts = value.split(",") if isinstance(value, str) else list(value)
    out = []
    for h in hosts:
        h = h.strip()
        if not h:
            continue
        # kafka-python's default port when none is given.
        _, colon, port = h.rpartition(":")
        if not (colon and port.isdecimal()):
            h += ":9092"
        out.append(h)
    return ",".join(out)


def _assignor_names(strategy):
    names = []
    for a in strategy if isinstance(strategy, (list, tuple)) else (strategy,):
        name = a if isinstance(a, str) else getattr(a, "name", None)
        if not isinstance(name, str):
            raise Errors.KafkaConfigurationError(
                "partition_assignment_strategy: %r is not an assignor name or class" % (a,))
        names.append(name)
    return ",".join(names)


def _kfk_conf(config):
    _config.refuse(config, _UNSUPPORTED)
    # Offsets are stored as records are handed out (poll returns them,
    # iteration yields them), so commits never pass what was not seen.
    conf = {"bootstrap.servers": _servers(config["bootstrap_servers"]),
            "enable.auto.offset.store": False,
            "fetch.queue.max.bytes": _PREFETCH_BYTES}
    _config.pass_through(config, _DIRECT, conf)
    if config["client_rack"]:
        conf["client.rack"] = config["client_rack"]
    if config["group_id"] is not None:
        conf["group.id"] = config["group_id"]
        conf["enable.auto.commit"] = bool(config["enable_auto_commit"])
    else:
        conf["enable.auto.commit"] = False
    if config["group_instance_id"] is not None:
        if config["group_id"] is None:
            raise Errors.KafkaConfigurationError("group_instance_id requires group_id")
        conf["group.instance.id"] = config["group_instance_id"]
    reset = config["auto_offset_reset"]
    reset = {"smallest": "earliest", "largest": "latest"}.get(reset, reset)
    if reset not in ("earliest", "latest", "none"):
        raise Errors.KafkaConfigurationError(
            "auto_offset_reset=%r: must be 'earliest', 'latest' or 'none'" % (reset,))
    conf["auto.offset.reset"] = reset
    level = config["isolation_level"]
    if level not in ("read_uncommitted", "read_committed"):
        # Other spellings (an IsolationLevel, its value, its name in any
        # case) through the admin module's enum, imported only for them.
        from kfk.admin.types import IsolationLevel
        try:
            level = IsolationLevel.build_from(level).name.lower()
        except ValueError as e:
            raise Errors.KafkaConfigurationError("isolation_level: %s" % (e,)) from None
    conf["isolation.level"] = level
    conf["partition.assignment.strategy"] = _assignor_names(
        config["partition_assignment_strategy"])
    if not config["ssl_check_hostname"]:
        conf["ssl.endpoint.identification.algorithm"] = "none"
    return conf


def _tp(partition):
    if not isinstance(partition, TopicPartition):
        raise TypeError("partition must be a TopicPartition namedtuple")
    return partition


class _CommitFuture:
    """What commit_async returns: done once the commit's result came back
    (inside a later poll)."""

    def __init__(self, offsets, callback):
        self.offsets = offsets
        self.callback = callback
        self.is_done = False
        self.value = None
        self.exception = None
        self._callbacks = []
        self._errbacks = []

    def succeeded(self):
        return self.is_done and self.exception is None

    def failed(self):
        return self.is_done and self.exception is not None

    def retriable(self):
        return self.failed() and getattr(self.exception, "retriable", False)

    def add_callback(self, f, *args, **kwargs):
        if self.succeeded():
            f(*args, self.value, **kwargs)
        elif not self.is_done:
            self._callbacks.append((f, args, kwargs))
        return self

    def add_errback(self, f, *args, **kwargs):
        if self.failed():
            f(*args, self.exception, **kwargs)
        elif not self.is_done:
            self._errbacks.append((f, args, kwargs))
        return self

    def add_both(self, f, *args, **kwargs):
        self.add_callback(f, *args, **kwargs)
        self.add_errback(f, *args, **kwargs)
        return self

    def _complete(self, exception):
        self.is_done = True
        self.exception = exception
        self.callback(self.offsets, exception if exception is not None else self.value)
        for f, args, kwargs in (self._errbacks if exception is not None else self._callbacks):
            f(*args, exception if exception is not None else self.value, **kwargs)


def _on_commit(ref, err, results):
    self = ref()
    if self is not None:
        self._commit_done(err, results)


def _on_rebalance(ref, kind, partitions):
    self = ref()
    if self is not None:
        self._rebalance(kind, partitions)


def _batches(ref):
    """Iteration's batches, each an iterator over one poll's records (the
    records themselves are handed out by itertools.chain, in C). Holds the
    consumer weakly between batches, so that a consumer dropped
    mid-iteration is freed. Once it ends (timeout, error) the next
    iteration starts a new one."""
    try:
        while True:
            self = ref()
            if self is None or self._closed:
                return
            records = self._next_records()
            if not records:
                return
            it = iter(records)
            self._batch = (records, it)
            del self
            yield it
    finally:
        self = ref()
        if self is not None and self._batches is not None and self._batches.gi_running:
            self._iterator = self._batches = None


class KafkaConsumer:
    """Consumes records from Kafka: kafka-python 3.0's KafkaConsumer API
    (the same keywords and defaults) on kfk's C core."""

    DEFAULT_CONFIG = DEFAULT_CONFIG

    def __new__(cls, *topics, **configs):
        # The original (0.9) consumer's keywords or topic forms select it.
        # Only a keyword unknown here or a topic that is not a str can: the
        # module of the original is imported for those alone.
        if cls is KafkaConsumer and not (DEFAULT_CONFIG.keys() >= configs.keys()
                                         and all(isinstance(t, str) for t in topics)):
            from kfk.consumer import legacy
            if legacy.wants_legacy(topics, configs):
                return legacy.KafkaConsumer(*topics, **configs)
        return super().__new__(cls)

    def set_topic_partitions(self, *topics):
        """The original consumer's call: this consumer becomes one."""
        from kfk.consumer import legacy
        legacy.become_legacy(self, *topics)

    def __init__(self, *topics, **configs):
        extra = set(configs).difference(DEFAULT_CONFIG)
        if extra:
            raise Errors.KafkaConfigurationError("Unrecognized configs: %s" % (extra,))
        self.config = dict(DEFAULT_CONFIG)
        self.config.update(configs)
        self._closed = True
        c = self.config
        if not (c["fetch_max_wait_ms"] < c["request_timeout_ms"] < c["connections_max_idle_ms"]):
            raise Errors.KafkaConfigurationError(
                "connections_max_idle_ms (%s) must be larger than request_timeout_ms (%s) which "
                "must be larger than fetch_max_wait_ms (%s)."
                % (c["connections_max_idle_ms"], c["request_timeout_ms"],
                   c["fetch_max_wait_ms"]))
        self._key_fn = self._deserializer(c["key_deserializer"])
        self._value_fn = self._deserializer(c["value_deserializer"])
        self._slow_deserialize = (hasattr(c["key_deserializer"], "deserialize")
                                  or hasattr(c["value_deserializer"], "deserialize"))
        ref = _weakref(self)
        self._c = _kfk.Consumer(
            _kfk_conf(c),
            on_commit=lambda err, results: _on_commit(ref, err, results),
            on_rebalance=lambda kind, parts: _on_rebalance(ref, kind, parts))
        self._closed = False
        self._ref = ref
        self._iterator = None  # what iteration hands records out from
        self._batches = None  # the generator of its batches
        self._batch = None  # (records, iterator over them) of iteration
        self._subscribed = None  # set of names, or a compiled pattern
        self._listener = None
        self._user_assigned = False
        self._auto_next = None  # without a group: when to re-read the subscription's partitions
        self._paused = set()
        self._pending_commits = collections.deque()
        self._max_poll_records = c["max_poll_records"]
        if topics:
            self.subscribe(topics)

    @staticmethod
    def _deserializer(d):
        if d is None or hasattr(d, "deserialize"):
            return None
        if not callable(d):
            raise Errors.KafkaConfigurationError("deserializer %r is not callable" % (d,))
        return d

    def _check_open(self):
        if self._closed:
            raise Errors.IllegalStateError("KafkaConsumer is closed")

    # ----------------------------------------------------------- callbacks

    def _commit_done(self, err, results):
        offsets = {TopicPartition(t, p): o for t, p, o, _ in results}
        future = None
        for f in self._pending_commits:
            if f.offsets is None or set(f.offsets) == set(offsets):
                future = f
                break
        if future is None:
            return  # an auto-commit's result
        self._pending_commits.remove(future)
        if future.offsets is None:
            future.offsets = {tp: OffsetAndMetadata(o, "", -1) for tp, o in offsets.items()}
        exc = None
        if err:
            exc = Errors._from_kfk(err, "commit failed: %s" % (_kfk.err_name(err),))
        else:
            bad = [e for _, _, _, e in results if e]
            if bad:
                exc = Errors._from_kfk(bad[0], "commit failed: %s" % (_kfk.err_name(bad[0]),))
        try:
            future._complete(exc)
        except Exception:
            log.exception("Offset commit callback %s failed", future.callback)

    def _rebalance(self, kind, partitions):
        tps = [TopicPartition(t, p) for t, p in partitions]
        if kind != _kfk.REBALANCE_ASSIGNED:
            self._paused.difference_update(tps)
            self._drop_iterator()
        listener = self._listener
        if listener is None:
            return
        from kfk.consumer.subscription_state import call_listener
        try:
            if kind == _kfk.REBALANCE_ASSIGNED:
                call_listener(listener, "on_partitions_assigned", tps)
            elif kind == _kfk.REBALANCE_LOST:
                call_listener(listener, "on_partitions_lost", set(tps))
            else:
                call_listener(listener, "on_partitions_revoked", tps)
        except Exception:
            log.exception("User provided listener %s failed on partition %s", listener,
                          "assignment" if kind == _kfk.REBALANCE_ASSIGNED else "revocation")

    # --------------------------------------------------------- assignment

    def assign(self, partitions):
        """Consumes exactly these TopicPartitions (no group management),
        replacing any earlier assignment; empty: unsubscribe."""
        self._check_open()
        if not partitions:
            return self.unsubscribe()
        if self._subscribed is not None:
            raise Errors.IllegalStateError(
                "You must choose only one way to configure your consumer: subscribe or assign")
        tps = [_tp(p) for p in partitions]
        self._drop_iterator()
        self._c.assign([(tp.topic, tp.partition) for tp in tps])
        self._user_assigned = True
        self._paused.intersection_update(tps)

    def assignment(self):
        """The set of TopicPartitions assigned now."""
        self._check_open()
        return {TopicPartition(t, p) for t, p, _ in self._c.assignment()}

    def subscribe(self, topics=(), pattern=None, listener=None):
        """Joins group_id for these topics (or the topics matching pattern);
        the group shares their partitions. Replaces any subscription."""
        self._check_open()
        if not topics and not pattern:
            raise ValueError("Must provide topics or pattern")
        if topics and pattern:
            raise Errors.IllegalStateError(
                "You must choose only one way to configure your consumer: topics or pattern")
        if self._user_assigned:
            raise Errors.IllegalStateError(
                "You must choose only one way to configure your consumer: subscribe or assign")
        if listener is not None:
            # The listener classes' module is imported for a listener only.
            from kfk.consumer import subscription_state as ss
            if not isinstance(listener, (ss.ConsumerRebalanceListener,
                                         ss.AsyncConsumerRebalanceListener)):
                raise TypeError("listener must be a ConsumerRebalanceListener or "
                                "AsyncConsumerRebalanceListener")
        auto = self.config["group_id"] is None
        if pattern:
            if not isinstance(pattern, str):
                pattern = pattern.pattern
            regex = pattern if pattern.startswith("^") else "^" + pattern
            if not auto:
                self._c.subscribe([regex])
            import re  # only here: it costs every process milliseconds
            self._subscribed = re.compile(pattern)
        else:
            if isinstance(topics, str) or not isinstance(topics, collections.abc.Sequence):
                raise TypeError("Topics must be a list (or non-str sequence)")
            for t in topics:
                if not isinstance(t, str):
                    raise TypeError("All topics must be strings, got %r" % (t,))
                if not t:
                    raise ValueError("An empty topic name is not allowed")
            if not auto:
                self._c.subscribe(list(topics))
            self._subscribed = set(topics)
        self._listener = listener
        self._drop_iterator()
        if auto:
            self._auto_next = 0.0
            self._auto_assign()

    def _auto_assign(self):
        """Without a group, a subscription is every partition of its topics,
        as kafka-python does it: assigned here from metadata, and again after
        metadata_max_age_ms (every second while a subscribed name is
        missing). Partitions kept keep their positions."""
        now = time.monotonic()
        if now < self._auto_next:
            return
        wanted = self._subscribed
        if isinstance(wanted, set):
            found = self._c.metadata(list(wanted))
        else:
            internal = not self.config["exclude_internal_topics"]
            found = {t: parts for t, parts in self._c.metadata(None, internal=internal).items()
                     if wanted.match(t)}
        complete = isinstance(wanted, set) and len(found) == len(wanted)
        max_age = self.config["metadata_max_age_ms"] / 1000.0
        self._auto_next = now + (max_age if complete else min(1.0, max_age))
        target = {(t, p) for t, parts in found.items() for p in parts}
        current = {(t, p) for t, p, _ in self._c.assignment()}
        gone = sorted(current - target)
        new = sorted(target - current)
        if gone:
            self._c.incremental_unassign(gone)
            self._paused.difference_update(TopicPartition(t, p) for t, p in gone)
        if new:
            self._c.incremental_assign(new)

    def subscription(self):
        """The subscribed topic names (with a pattern: those of the
        assignment), or None when not subscribed."""
        self._check_open()
        if self._subscribed is None:
            return None
        if isinstance(self._subscribed, set):
            return set(self._subscribed)
        return {tp.topic for tp in self.assignment()}

    def unsubscribe(self):
        """Leaves the group (or drops the manual assignment)."""
        self._check_open()
        self._drop_iterator()
        if self._subscribed is not None and self.config["group_id"] is not None:
            self._c.unsubscribe()
        if self._user_assigned or (self._subscribed is not None
                                   and self.config["group_id"] is None):
            self._c.assign(None)
        self._subscribed = None
        self._auto_next = None
        self._listener = None
        self._user_assigned = False
        self._paused.clear()

    # -------------------------------------------------------------- poll

    def poll(self, timeout_ms=0, max_records=None, update_offsets=True):
        """Records fetched: {TopicPartition: [ConsumerRecord]}, waiting up to
        timeout_ms for the first. Rebalance listeners and commit callbacks
        run inside."""
        if timeout_ms < 0:
            raise ValueError("Timeout must not be negative")
        if max_records is None:
            max_records = self._max_poll_records
        if not isinstance(max_records, int):
            raise TypeError("max_records must be an integer")
        if max_records <= 0:
            raise ValueError("max_records must be positive")
        self._check_open()
        if self._auto_next is not None:
            self._auto_assign()
        try:
            out = self._c.poll(int(timeout_ms), max_records, ConsumerRecord, self._key_fn,
                               self._value_fn, TopicPartition, True)
        except Errors.OffsetOutOfRangeError as e:
            raise self._no_offset(e)
        if self._slow_deserialize:
            for tp, records in out.items():
                out[tp] = [self._deserialize(r) for r in records]
        return out

    @staticmethod
    def _no_offset(e):
        # With auto_offset_reset='none', kafka-python reports a partition
        # that has no committed offset as NoOffsetForPartitionError.
        if getattr(e, "offset", 0) < 0:
            return Errors.NoOffsetForPartitionError(str(e.args[0]) if e.args else str(e))
        return e

    def _fetch(self, timeout_ms, max_records):
        if self._auto_next is not None:
            self._auto_assign()
        try:
            records = self._c.poll(timeout_ms, max_records, ConsumerRecord, self._key_fn,
                                   self._value_fn)
        except Errors.OffsetOutOfRangeError as e:
            raise self._no_offset(e)
        if self._slow_deserialize and records:
            records = [self._deserialize(r) for r in records]
        return records

    def _deserialize(self, r):
        kd, vd = self.config["key_deserializer"], self.config["value_deserializer"]
        if hasattr(kd, "deserialize"):
            r = r._replace(key=kd.deserialize(r.topic, r.headers, r.key))
        if hasattr(vd, "deserialize"):
            r = r._replace(value=vd.deserialize(r.topic, r.headers, r.value))
        return r

    def _drop_iterator(self):
        """Ends iteration's batch (its records not yet yielded are dropped:
        kfk fetches them again from the new position)."""
        self._store_batch()
        self._batch = None
        self._iterator = self._batches = None

    def _store_batch(self):
        """Stores the offsets of the records iteration yielded so far."""
        batch = self._batch
        if batch is not None:
            records, it = batch
            n = len(records) - operator.length_hint(it)
            if n:
                self._c.store_records(records, n)
            if n == len(records):
                self._batch = None

    def _next_records(self):
        """Records for iteration, waiting up to consumer_timeout_ms; [] when
        none came in time."""
        self._store_batch()
        timeout = self.config["consumer_timeout_ms"]
        deadline = time.monotonic() + timeout / 1000.0 if timeout >= 0 else None
        while not self._closed:
            if deadline is None or deadline == float("inf"):
                wait = 1000
            else:
                wait = int(min(1000, max(0.0, deadline - time.monotonic()) * 1000))
            records = self._fetch(wait, self._max_poll_records)
            if records:
                return records
            if deadline is not None and time.monotonic() >= deadline:
                return []
        return []

    def _start_iterator(self):
        self._batches = _batches(self._ref)
        self._iterator = itertools.chain.from_iterable(self._batches)

    def __iter__(self):
        if self._iterator is None:
            self._start_iterator()
        return self._iterator

    def __next__(self):
        if self._closed:
            raise StopIteration("KafkaConsumer closed")
        if self._iterator is None:
            self._start_iterator()
        return next(self._iterator)

    # ------------------------------------------------------------ offsets

    def _assigned_or_raise(self, tps, exc=ValueError):
        assigned = self.assignment()
        for tp in tps:
            if tp not in assigned:
                raise exc("Unassigned partition: %s" % (tp,))

    def seek(self, partition, offset):
        """Fetches partition from offset on, at the next poll."""
        self._check_open()
        _tp(partition)
        if not isinstance(offset, int) or offset < 0:
            raise ValueError("Offset must be int >= 0")
        self._assigned_or_raise([partition])
        self._drop_iterator()
        self._c.seek(partition.topic, partition.partition, offset)

    def _seek_special(self, partitions, offset):
        self._check_open()
        for p in partitions:
            _tp(p)
        if not partitions:
            partitions = self.assignment()
            if not partitions:
                raise ValueError("No partitions are currently assigned")
        else:
            self._assigned_or_raise(partitions)
        self._drop_iterator()
        for tp in partitions:
            self._c.seek(tp.topic, tp.partition, offset)

    def seek_to_beginning(self, *partitions):
        """Moves the partitions (default: all assigned) to their first offset."""
        self._seek_special(partitions, _kfk.OFFSET_BEGINNING)

    def seek_to_end(self, *partitions):
        """Moves the partitions (default: all assigned) to their end."""
        self._seek_special(partitions, _kfk.OFFSET_END)

    def position(self, partition, timeout_ms=None):
        """The offset of the next record poll returns for partition, waiting
        up to timeout_ms (default: forever) for it to be known."""
        self._check_open()
        _tp(partition)
        self._assigned_or_raise([partition], Errors.IllegalStateError)
        deadline = None if timeout_ms is None else time.monotonic() + timeout_ms / 1000.0
        while True:
            _, _, offset, _, _ = self._c.position([(partition.topic, partition.partition)])[0]
            if offset >= 0:
                return offset
            if deadline is not None and time.monotonic() >= deadline:
                return None
            time.sleep(0.005)

    def highwater(self, partition):
        """The partition's high watermark from the last fetch, or None."""
        self._check_open()
        _tp(partition)
        self._assigned_or_raise([partition], Errors.IllegalStateError)
        _, high = self._c.cached_watermarks(partition.topic, partition.partition)
        return high if high >= 0 else None

    def committed(self, partition, metadata=False, timeout_ms=None):
        """The group's committed offset of partition (OffsetAndMetadata with
        metadata=True), or None."""
        self._check_open()
        if self.config["group_id"] is None:
            raise Errors.IllegalStateError("Requires group_id")
        _tp(partition)
        _, _, offset, md, epoch, err = self._c.committed(
            [(partition.topic, partition.partition)], timeout_ms=timeout_ms or 0)[0]
        if err:
            raise Errors._from_kfk(err, "committed(%s): %s" % (partition, _kfk.err_name(err)))
        if offset < 0:
            return None
        return OffsetAndMetadata(offset, md or "", epoch) if metadata else offset

    @staticmethod
    def _offset_list(offsets):
        out = []
        for tp, om in offsets.items():
            _tp(tp)
            if isinstance(om, int):
                out.append((tp.topic, tp.partition, om))
            else:
                out.append((tp.topic, tp.partition, om.offset, om.metadata or None,
                            om.leader_epoch if om.leader_epoch is not None else -1))
        return out

    def commit(self, offsets=None, timeout_ms=None):
        """Commits offsets ({TopicPartition: OffsetAndMetadata}; default:
        the positions of every assigned partition), waiting for the result."""
        self._check_open()
        if self.config["group_id"] is None:
            raise Errors.IllegalStateError("Requires group_id")
        if offsets is None:
            self._store_batch()
        self._c.commit(None if offsets is None else self._offset_list(offsets))

    def commit_async(self, offsets=None, callback=None):
        """Starts a commit; callback(offsets, response_or_exception) runs
        inside a later poll. Returns a future."""
        self._check_open()
        if self.config["group_id"] is None:
            raise Errors.IllegalStateError("Requires group_id")
        if callback is None:
            callback = self.config["default_offset_commit_callback"]
        if offsets is None:
            self._store_batch()
        future = _CommitFuture(dict(offsets) if offsets is not None else None, callback)
        try:
            self._c.commit(None if offsets is None else self._offset_list(offsets),
                           asynchronous=True)
        except Errors.KafkaError as e:
            future._complete(e)
            return future
        self._pending_commits.append(future)
        return future

    def pause(self, *partitions):
        """Stops fetching the partitions until resume()."""
        self._check_open()
        tps = [_tp(p) for p in partitions]
        for t, p, err in self._c.pause([(tp.topic, tp.partition) for tp in tps]):
            if not err:
                self._paused.add(TopicPartition(t, p))

    def paused(self):
        """The set of paused partitions."""
        return set(self._paused)

    def resume(self, *partitions):
        """Fetches the paused partitions again."""
        self._check_open()
        tps = [_tp(p) for p in partitions]
        self._c.resume([(tp.topic, tp.partition) for tp in tps])
        self._paused.difference_update(tps)

    def _list_offsets(self, partitions, offset, timeout_ms, timestamps=None):
        self._check_open()
        tps = [_tp(p) for p in partitions]
        if timeout_ms is None:
            timeout_ms = self.config["request_timeout_ms"]
        if timestamps is None:
            req = [(tp.topic, tp.partition, offset) for tp in tps]
        else:
            req = [(tp.topic, tp.partition, offset, timestamps[tp]) for tp in tps]
        out = {}
        for t, p, off, ts, epoch, err in self._c.list_offsets(req, timeout_ms=timeout_ms):
            if err:
                raise Errors._from_kfk(
                    err, "offsets of %s [%d]: %s" % (t, p, _kfk.err_name(err)))
            out[TopicPartition(t, p)] = (off, ts, epoch)
        return out

    def beginning_offsets(self, partitions, timeout_ms=None):
        """{TopicPartition: the first offset still in the log}."""
        return {tp: o for tp, (o, _, _) in
                self._list_offsets(partitions, _kfk.OFFSET_BEGINNING, timeout_ms).items()}

    def end_offsets(self, partitions, timeout_ms=None):
        """{TopicPartition: the offset the next record will get}."""
        return {tp: o for tp, (o, _, _) in
                self._list_offsets(partitions, _kfk.OFFSET_END, timeout_ms).items()}

    def offsets_for_times(self, timestamps, timeout_ms=None):
        """{TopicPartition: OffsetAndTimestamp of the first record at or after
        the timestamp (ms), or None when there is none}."""
        ts = {}
        for tp, t in timestamps.items():
            if t < 0:
                raise ValueError("The target time for partition %s is %s. The target time "
                                 "cannot be negative." % (tp, t))
            ts[tp] = int(t)
        found = self._list_offsets(list(ts), _AT_TIME, timeout_ms, ts)
        return {tp: (OffsetAndTimestamp(o, t, epoch if epoch >= 0 else None) if o >= 0 else None)
                for tp, (o, t, epoch) in found.items()}

    # ------------------------------------------------------ cluster, misc

    def topics(self):
        """The set of topic names in the cluster."""
        self._check_open()
        internal = not self.config["exclude_internal_topics"]
        return set(self._c.metadata(None, internal=internal))

    def partitions_for_topic(self, topic):
        """The set of partition ids of topic (empty when unknown)."""
        self._check_open()
        return set(self._c.metadata([topic]).get(topic, ()))

    def bootstrap_connected(self):
        """Whether a broker answered a metadata request."""
        self._check_open()
        try:
            self._c.metadata([], timeout_ms=self.config["request_timeout_ms"])
            return True
        except Errors.KafkaError:
            return False

    def bootstrap(self, timeout_ms=None, refresh=False):
        """Waits until a broker answers a metadata request (timeout_ms None:
        no limit), else KafkaTimeoutError. Each call asks anew, so refresh
        is always the case."""
        self._check_open()
        deadline = None if timeout_ms is None else time.monotonic() + timeout_ms / 1000
        while True:
            wait = self.config["request_timeout_ms"]
            if deadline is not None:
                wait = max(1, min(wait, int((deadline - time.monotonic()) * 1000)))
            try:
                self._c.metadata([], timeout_ms=wait)
                return
            except (Errors.KafkaTimeoutError, Errors.KafkaConnectionError) as e:
                if deadline is not None and time.monotonic() >= deadline:
                    raise Errors.KafkaTimeoutError(
                        "bootstrap not done in %s ms: %s" % (timeout_ms, e)) from None
            time.sleep(self.config["retry_backoff_ms"] / 1000)

    def group_metadata(self):
        """The ConsumerGroupMetadata for send_offsets_to_transaction."""
        self._check_open()
        if self.config["group_id"] is None:
            return ConsumerGroupMetadata(group_id=None)
        gm = self._c.group_metadata()
        if gm is None:
            return ConsumerGroupMetadata(group_id=self.config["group_id"])
        group_id, generation, member_id, instance_id = gm
        state = MemberState.STABLE if generation >= 0 else MemberState.UNJOINED
        return ConsumerGroupMetadata(group_id, generation, member_id, instance_id, state)

    def metrics(self, raw=False):
        """kfk's consumer counters as {group: {name: value}} (None when
        metrics_enabled is False)."""
        self._check_open()
        if not self.config["metrics_enabled"]:
            return None
        stats = self._c.stats()
        if raw:
            return dict(stats)
        return {self.config["metric_group_prefix"] + "-metrics": stats}

    def close(self, autocommit=True, timeout_ms=None):
        """Commits (with enable_auto_commit and autocommit), leaves the group
        and frees everything. Later calls raise KafkaError."""
        if self._closed:
            return
        self._store_batch()
        self._closed = True
        self._iterator = self._batches = None
        self._batch = None
        # Another thread may be inside poll (at most one iteration wait, 1 s,
        # or its poll timeout): it sees _closed and returns; then close.
        deadline = time.monotonic() + self.config["request_timeout_ms"] / 1000.0
        while True:
            try:
                self._c.close(commit=bool(autocommit))
                break
            except Errors.IllegalStateError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.01)
        for key in ("key_deserializer", "value_deserializer"):
            close = getattr(self.config[key], "close", None)
            if close is not None:
                close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()

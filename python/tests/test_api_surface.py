"""Moving from kafka-python changes `kafka` to `kfk` in the imports and
nothing else: kfk's modules are compared here with kafka-python 3.0.12's
(installed beside it) — every public name, the parameters of what users
construct and call, and the clients' DEFAULT_CONFIG — and the names kfk
added for that are exercised against the real broker."""
import asyncio
import importlib
import inspect
import time
import types
import uuid

import pytest
import kafka
import kafka.admin
from kafka.consumer.subscription_state import ConsumerRebalanceListener as KafkaListener

import kfk
import kfk.admin
import kfk.common
import kfk.consumer.fetcher
from kfk import errors as Errors
from kfk.structs import MemberState

MODULES = ["", ".errors", ".structs", ".admin", ".consumer", ".consumer.subscription_state",
           ".producer", ".producer.future", ".serializer", ".coordinator.assignors.abstract",
           ".coordinator.assignors.range", ".coordinator.assignors.roundrobin",
           ".coordinator.assignors.cooperative_sticky"]

_NO_TXN_ADMIN = ("kfk has no transaction admin (ListTransactions, DescribeTransactions, "
                 "DescribeProducers, WriteTxnMarkers)")
_NO_SCRAM = "kfk has no SCRAM credential admin (Describe/AlterUserScramCredentials)"

# Public names of kafka-python that kfk does not have, and why. Each must
# really be absent (test_exclusions_are_absent), so the list stays true.
EXCLUDED_NAMES = {
    "kafka.admin": {
        "UpdateFeatureType": "kfk has no feature admin (Describe/UpdateFeatures)",
        "MemberToRemove": "kfk has no remove_group_members (LeaveGroup on a group's behalf)",
        "AbortTransactionSpec": _NO_TXN_ADMIN, "PartitionProducerState": _NO_TXN_ADMIN,
        "ProducerState": _NO_TXN_ADMIN, "TransactionDescription": _NO_TXN_ADMIN,
        "TransactionListing": _NO_TXN_ADMIN, "TransactionState": _NO_TXN_ADMIN,
        "ScramMechanism": _NO_SCRAM, "UserScramCredentialDeletion": _NO_SCRAM,
        "UserScramCredentialUpsertion": _NO_SCRAM,
    },
    "kafka.consumer.subscription_state": {
        "SubscriptionState": "kafka-python's internal consumer state: kfk keeps it in C",
        "TopicPartitionState": "kafka-python's internal per-partition state: kfk keeps it in C",
    },
    "kafka.coordinator.assignors.abstract": {
        "AbstractPartitionAssignor": "the base of assignors written in Python: kfk's C core "
                                     "computes assignments (range, roundrobin, cooperative-sticky)",
    },
    "kafka.producer.future": {
        "FutureProduceResult": "kafka-python's internal per-batch future: kfk batches in C and "
                               "gives FutureRecordMetadata only",
    },
}

# Members of kafka-python's clients kfk's do not have, and why.
EXCLUDED_METHODS = {
    (kafka.KafkaProducer, "DEPRECATED_CONFIGS"):
        "kafka-python's (empty) list of keywords it drops with a warning: internal",
    (kafka.KafkaProducer, "max_usable_produce_magic"):
        "kafka-python's record format by api_version: kfk negotiates it in C",
    (kafka.KafkaConsumer, "DEFAULT_SESSION_TIMEOUT_MS_PRE_KIP_735"):
        "kafka-python lowers session_timeout_ms to it for api_version < (3, 0); kfk keeps "
        "the keyword's value (its brokers are 3.9+)",
    (kafka.KafkaAdminClient, "describe_log_dirs"): "kfk has no log-dir admin",
    (kafka.KafkaAdminClient, "alter_replica_log_dirs"): "kfk has no log-dir admin",
    (kafka.KafkaAdminClient, "describe_metadata_quorum"): "kfk has no DescribeQuorum",
    (kafka.KafkaAdminClient, "get_broker_version_data"):
        "kafka-python's per-broker ApiVersions cache; kfk negotiates versions in C",
    (kafka.KafkaAdminClient, "api_versions"):
        "kafka-python's per-broker ApiVersions cache; kfk negotiates versions in C",
    (kafka.KafkaAdminClient, "describe_features"): "kfk has no feature admin",
    (kafka.KafkaAdminClient, "update_features"): "kfk has no feature admin",
    (kafka.KafkaAdminClient, "list_config_resources"): "kfk has no ListConfigResources",
    (kafka.KafkaAdminClient, "remove_group_members"): "kfk has no remove_group_members",
    (kafka.KafkaAdminClient, "alter_partition_reassignments"): "kfk has no reassignment admin",
    (kafka.KafkaAdminClient, "list_partition_reassignments"): "kfk has no reassignment admin",
    (kafka.KafkaAdminClient, "describe_topic_partitions"):
        "kfk has no DescribeTopicPartitions (describe_topics gives the partitions)",
    (kafka.KafkaAdminClient, "list_transactions"): _NO_TXN_ADMIN,
    (kafka.KafkaAdminClient, "describe_transactions"): _NO_TXN_ADMIN,
    (kafka.KafkaAdminClient, "describe_producers"): _NO_TXN_ADMIN,
    (kafka.KafkaAdminClient, "abort_transaction"): _NO_TXN_ADMIN,
    (kafka.KafkaAdminClient, "find_hanging_transactions"): _NO_TXN_ADMIN,
    (kafka.KafkaAdminClient, "alter_user_scram_credentials"): _NO_SCRAM,
    (kafka.KafkaAdminClient, "describe_user_scram_credentials"): _NO_SCRAM,
}

_COMPLETED_IN_C = "kfk's C core completes the future; kafka-python's producer calls these"
# Members of kafka-python's FutureRecordMetadata (kafka.future.Future) kfk's
# C future lacks, and why.
EXCLUDED_FUTURE_MEMBERS = {
    "success": _COMPLETED_IN_C, "failure": _COMPLETED_IN_C,
    "chain": "completes another kafka-python Future from this one: used by its internals",
    "rebind": "re-points a record at a split batch's result: kafka-python internal",
    "args": "the arguments rebind keeps: kafka-python internal",
    "error_on_callbacks": "kafka-python's switch to raise callback errors (its own tests)",
}

_KAFKA_NET = "kafka-python's own network client classes; kfk's network layer is its C core"
# DEFAULT_CONFIG values that differ on purpose: {client: {key: reason}}.
DIFFERENT_DEFAULTS = {
    "KafkaProducer": {
        "kafka_client": _KAFKA_NET, "selector": _KAFKA_NET,
        "socket_options": "None: kfk's C core sets TCP_NODELAY (kafka-python's default list)",
        "partitioner": "None: kfk's C partitioner, murmur2 as kafka-python's default one",
    },
    "KafkaConsumer": {
        "kafka_client": _KAFKA_NET, "selector": _KAFKA_NET,
        "client_id": "names kfk ('kfk-python-<version>') rather than kafka-python",
        "partition_assignment_strategy":
            "the assignors' names, as kfk's C core assigns; kafka-python's classes are accepted",
    },
    "KafkaAdminClient": {
        "kafka_client": _KAFKA_NET, "selector": _KAFKA_NET,
        "socket_options": "None: kfk's C core sets TCP_NODELAY (kafka-python's default list)",
    },
}
# Keywords kfk accepts beyond kafka-python 3.0.12's: {client: {key: reason}}.
EXTRA_CONFIG = {
    "KafkaProducer": {"buffer_memory": "kafka-python 2.x's keyword, still honoured by kfk"},
}

SIGNATURE_CLASSES = [
    (kafka.KafkaProducer, kfk.KafkaProducer),
    (kafka.KafkaConsumer, kfk.KafkaConsumer),
    (kafka.KafkaAdminClient, kfk.KafkaAdminClient),
    (kafka.admin.NewTopic, kfk.admin.NewTopic),
    (kafka.admin.NewPartitions, kfk.admin.NewPartitions),
    (kafka.admin.ConfigResource, kfk.admin.ConfigResource),
    (kafka.admin.ACL, kfk.admin.ACL),
    (kafka.admin.ACLFilter, kfk.admin.ACLFilter),
    (kafka.admin.ResourcePattern, kfk.admin.ResourcePattern),
    (kafka.admin.ResourcePatternFilter, kfk.admin.ResourcePatternFilter),
    (kafka.TopicPartition, kfk.TopicPartition),
    (kafka.OffsetAndMetadata, kfk.OffsetAndMetadata),
    (kafka.ConsumerRebalanceListener, kfk.ConsumerRebalanceListener),
    (kafka.AsyncConsumerRebalanceListener, kfk.AsyncConsumerRebalanceListener),
    (kafka.DefaultSerializer, kfk.DefaultSerializer),
    (kafka.JsonSerializer, kfk.JsonSerializer),
]


def public_names(mod):
    """__all__, else what the module (a package: its submodules) defines
    without a leading _; names it imports from elsewhere, such as
    OrderedDict, are not its API."""
    if hasattr(mod, "__all__"):
        return set(mod.__all__)
    own = mod.__name__ + "." if hasattr(mod, "__path__") else mod.__name__
    return {n for n, v in vars(mod).items()
            if not n.startswith("_") and not isinstance(v, types.ModuleType)
            and (getattr(v, "__module__", mod.__name__).startswith(own)
                 or getattr(v, "__module__", None) == mod.__name__)}


@pytest.mark.parametrize("suffix", MODULES)
def test_module_has_every_public_name(suffix):
    theirs = importlib.import_module("kafka" + suffix)
    ours = importlib.import_module("kfk" + suffix)
    excluded = EXCLUDED_NAMES.get(theirs.__name__, {})
    names = public_names(theirs)
    assert names, theirs.__name__
    missing = sorted(n for n in names if n not in excluded and not hasattr(ours, n))
    assert missing == [], "%s lacks %s" % (ours.__name__, missing)
    if hasattr(theirs, "__all__"):
        assert set(ours.__all__) >= names - set(excluded), ours.__name__


def test_exclusions_are_absent():
    for modname, names in EXCLUDED_NAMES.items():
        theirs = importlib.import_module(modname)
        ours = importlib.import_module("kfk" + modname[len("kafka"):])
        for n in names:
            assert n in public_names(theirs), "%s.%s: not kafka-python's, drop it" % (modname, n)
            assert not hasattr(ours, n), "%s has %s now: drop its exclusion" % (ours.__name__, n)
    for (cls, meth) in EXCLUDED_METHODS:
        assert hasattr(cls, meth)
        assert not hasattr(getattr(kfk, cls.__name__), meth), "drop the exclusion of %s" % meth


def test_top_level_names_are_the_submodules_objects():
    assert kfk.AsyncConsumerRebalanceListener is \
        importlib.import_module("kfk.consumer.subscription_state").AsyncConsumerRebalanceListener
    assert kfk.JsonSerializer is importlib.import_module("kfk.serializer").JsonSerializer
    assert kfk.OffsetSpec is kfk.admin.OffsetSpec
    assert Errors.CorruptRecordException is Errors.CorruptRecordError
    # kafka.common is gone from kafka-python 3.0, so kfk.common (the 0.9
    # consumer's names) clashes with nothing; it still carries the errors.
    with pytest.raises(ImportError):
        importlib.import_module("kafka.common")
    assert kfk.common.KafkaError is Errors.KafkaError and kfk.common.ConsumerTimeout


def _params(fn):
    sig = inspect.signature(fn)
    # self may be positional-only in kfk's C-backed methods: same calls.
    return [(p.name, p.kind if p.name != "self" else None, p.default)
            for p in sig.parameters.values()]


def _members(cls):
    """The constructor and the public members of cls and its kafka bases."""
    names = {"__new__" if issubclass(cls, tuple) else "__init__"}
    for c in cls.__mro__:
        if c.__module__.startswith("kafka"):
            names.update(n for n in vars(c) if not n.startswith("_"))
    return sorted(names)


@pytest.mark.parametrize("theirs,ours", SIGNATURE_CLASSES, ids=lambda c: c.__name__)
def test_same_parameters(theirs, ours):
    checked = 0
    for name in _members(theirs):
        if (theirs, name) in EXCLUDED_METHODS:
            continue
        assert hasattr(ours, name), "%s.%s is missing" % (ours.__name__, name)
        if not inspect.isfunction(getattr(theirs, name)):
            continue  # a constant or property: being there is the API
        want, got = _params(getattr(theirs, name)), _params(getattr(ours, name))
        assert got == want, "%s.%s" % (ours.__name__, name)
        checked += 1
    assert checked > 0
    if issubclass(theirs, tuple):  # namedtuples: fields and defaults
        assert ours._fields == theirs._fields
        assert ours._field_defaults == theirs._field_defaults


def test_future_and_records():
    theirs = importlib.import_module("kafka.producer.future")
    ours = importlib.import_module("kfk.producer.future")
    assert ours.RecordMetadata._fields == theirs.RecordMetadata._fields
    members = {n for c in theirs.FutureRecordMetadata.__mro__ if c is not object
               for n in vars(c) if not n.startswith("_")}
    assert set(EXCLUDED_FUTURE_MEMBERS) <= members
    for name in sorted(members - set(EXCLUDED_FUTURE_MEMBERS)):
        assert hasattr(ours.FutureRecordMetadata, name), name
    for name in EXCLUDED_FUTURE_MEMBERS:
        assert not hasattr(ours.FutureRecordMetadata, name), "drop the exclusion of %s" % name
    # the C future's get is introspectable: same parameters
    assert _params(ours.FutureRecordMetadata.get) == _params(theirs.FutureRecordMetadata.get)
    fetcher = importlib.import_module("kafka.consumer.fetcher")
    assert kfk.consumer.fetcher.ConsumerRecord._fields == fetcher.ConsumerRecord._fields


@pytest.mark.parametrize("name", ["KafkaProducer", "KafkaConsumer", "KafkaAdminClient"])
def test_default_config(name):
    theirs = getattr(kafka, name).DEFAULT_CONFIG
    ours = getattr(kfk, name).DEFAULT_CONFIG
    extra = EXTRA_CONFIG.get(name, {})
    assert set(ours) - set(extra) == set(theirs)
    assert not set(extra) & set(theirs), "kafka-python has it now: drop it from EXTRA_CONFIG"
    differ = DIFFERENT_DEFAULTS[name]
    for key, value in theirs.items():
        if key in differ:
            assert ours[key] != value, "%s: same default now, drop it from the list" % key
        elif callable(value):  # default_offset_commit_callback: does the same
            assert ours[key]({}, None) == value({}, None), key
        else:
            assert ours[key] == value and type(ours[key]) is type(value), key


# ------------------------------------------------------------ what was added

def test_enums_match():
    from kafka.protocol.consumer import IsolationLevel, OffsetSpec
    for theirs, ours in ((IsolationLevel, kfk.IsolationLevel), (OffsetSpec, kfk.OffsetSpec)):
        assert {m.name: m.value for m in ours} == {m.name: m.value for m in theirs}
        assert ours.build_from("read-committed" if ours is kfk.IsolationLevel else "earliest") \
            is ours(1 if ours is kfk.IsolationLevel else -2)
    theirs = importlib.import_module("kafka.consumer.subscription_state").SubscriptionType
    ours = importlib.import_module("kfk.consumer.subscription_state").SubscriptionType
    assert {m.name: m.value for m in ours} == {m.name: m.value for m in theirs}
    from kafka.structs import MemberState as TheirState
    assert (MemberState.UNJOINED, MemberState.REBALANCING, MemberState.STABLE) == \
        (TheirState.UNJOINED, TheirState.REBALANCING, TheirState.STABLE)


@pytest.mark.parametrize("value", [
    None, "text é", b"raw", bytearray(b"ba"), {"a": [1, 2.5, None, True]}, [1, "x"], 7, "",
])
def test_serializers_as_kafka_python(value):
    for theirs, ours in ((kafka.DefaultSerializer("latin-1"), kfk.DefaultSerializer("latin-1")),
                         (kafka.JsonSerializer(), kfk.JsonSerializer())):
        if isinstance(theirs, kafka.JsonSerializer) and isinstance(value, (bytes, bytearray)):
            continue  # not JSON-able for either
        if not isinstance(theirs, kafka.JsonSerializer) and isinstance(value, (dict, list, int)):
            with pytest.raises(AttributeError):
                ours.serialize("t", [], value)
            continue
        data = ours.serialize("t", [], value)
        assert data == theirs.serialize("t", [], value)
        if data is not None and not isinstance(value, (bytes, bytearray)):
            assert ours.deserialize("t", [], data) == theirs.deserialize("t", [], data) == value
    assert kfk.JsonSerializer().deserialize("t", [], None) is None


def _make_topic(bootstrap, name, partitions=1):
    admin = kfk.KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([kfk.admin.NewTopic(name, partitions, 1)])
    finally:
        admin.close()


def test_json_serializer_end_to_end(bootstrap, topic_name):
    _make_topic(bootstrap, topic_name)
    values = [{"n": i, "s": "é%d" % i} for i in range(3)] + [None]
    with kfk.KafkaProducer(bootstrap_servers=bootstrap, value_serializer=kfk.JsonSerializer(),
                           key_serializer=kfk.DefaultSerializer()) as p:
        for i, v in enumerate(values):
            p.send(topic_name, v, key="k%d" % i)
        p.flush()
    # kafka-python reads what kfk's serializers wrote, and kfk reads it back.
    theirs = kafka.KafkaConsumer(topic_name, bootstrap_servers=bootstrap,
                                 auto_offset_reset="earliest", consumer_timeout_ms=10000,
                                 value_deserializer=kafka.JsonSerializer())
    try:
        got = [r.value for _, r in zip(values, theirs)]
    finally:
        theirs.close()
    assert got == values
    c = kfk.KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                          consumer_timeout_ms=10000, value_deserializer=kfk.JsonSerializer(),
                          key_deserializer=kfk.DefaultSerializer())
    c.assign([kfk.TopicPartition(topic_name, 0)])
    try:
        recs = [r for _, r in zip(values, c)]
    finally:
        c.close()
    assert [r.value for r in recs] == values
    assert [r.key for r in recs] == ["k%d" % i for i in range(len(values))]


def _read_all(bootstrap, topic, isolation_level, want):
    c = kfk.KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                          consumer_timeout_ms=5000, isolation_level=isolation_level)
    c.assign([kfk.TopicPartition(topic, 0)])
    try:
        return [r.value for _, r in zip(range(want), c)]
    finally:
        c.close()


def test_isolation_level_enum(bootstrap, topic_name):
    _make_topic(bootstrap, topic_name)
    with kfk.KafkaProducer(bootstrap_servers=bootstrap,
                           transactional_id="api-" + uuid.uuid4().hex[:8]) as p:
        p.init_transactions()
        p.begin_transaction()
        p.send(topic_name, b"aborted")
        p.flush()
        p.abort_transaction()
        p.begin_transaction()
        p.send(topic_name, b"committed")
        p.commit_transaction()
    # A last record outside transactions: every read ends on it, in no wait.
    with kfk.KafkaProducer(bootstrap_servers=bootstrap) as p:
        p.send(topic_name, b"last")
    assert _read_all(bootstrap, topic_name, kfk.IsolationLevel.READ_COMMITTED, 2) == \
        [b"committed", b"last"]
    assert _read_all(bootstrap, topic_name, kfk.IsolationLevel.READ_UNCOMMITTED, 3) == \
        [b"aborted", b"committed", b"last"]
    assert _read_all(bootstrap, topic_name, "read_committed", 2) == [b"committed", b"last"]
    with pytest.raises(Errors.KafkaConfigurationError, match="isolation_level"):
        kfk.KafkaConsumer(bootstrap_servers=bootstrap, isolation_level="serializable")
    admin = kfk.KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        tp = kfk.TopicPartition(topic_name, 0)
        offsets = admin.list_partition_offsets(
            {tp: kfk.OffsetSpec.LATEST}, isolation_level=kfk.IsolationLevel.READ_UNCOMMITTED)
    finally:
        admin.close()
    assert offsets[tp].offset == 5  # three records and two transaction markers


class _AsyncListener(kfk.AsyncConsumerRebalanceListener):
    def __init__(self, consumer):
        self.consumer = consumer
        self.events = []

    async def on_partitions_revoked(self, revoked):
        await asyncio.sleep(0.01)
        self.events.append(("revoked", sorted(revoked)))

    async def on_partitions_assigned(self, assigned):
        await asyncio.sleep(0.01)
        # Still inside the rebalance: the seek decides what poll returns.
        for tp in assigned:
            self.consumer.seek(tp, 1)
        self.events.append(("assigned", sorted(assigned)))


def _poll_until(consumer, want, timeout=20.0):
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < want and time.monotonic() < deadline:
        for recs in consumer.poll(timeout_ms=300).values():
            got.extend(recs)
    return got


@pytest.mark.parametrize("in_event_loop", [False, True])
def test_async_rebalance_listener(bootstrap, topic_name, in_event_loop):
    _make_topic(bootstrap, topic_name)
    with kfk.KafkaProducer(bootstrap_servers=bootstrap) as p:
        for i in range(3):
            p.send(topic_name, b"v%d" % i)
    c = kfk.KafkaConsumer(bootstrap_servers=bootstrap, group_id="api-" + uuid.uuid4().hex[:8],
                          auto_offset_reset="earliest")
    listener = _AsyncListener(c)
    c.subscribe([topic_name], listener=listener)
    tp = kfk.TopicPartition(topic_name, 0)
    try:
        if in_event_loop:
            # poll called from a coroutine: the listener runs on its own loop.
            async def main():
                return _poll_until(c, 2)
            got = asyncio.run(main())
        else:
            got = _poll_until(c, 2)
        assert [r.value for r in got] == [b"v1", b"v2"]
        assert listener.events == [("assigned", [tp])]
        assert c.group_metadata().state == MemberState.STABLE
        c.unsubscribe()
        assert listener.events[-1] == ("revoked", [tp])
    finally:
        c.close()
    with pytest.raises(TypeError, match="AsyncConsumerRebalanceListener"):
        kfk.KafkaConsumer(bootstrap_servers=bootstrap, group_id="g").subscribe(
            [topic_name], listener=object())


def test_async_listener_is_abstract_as_kafka_pythons():
    for cls in (kafka.AsyncConsumerRebalanceListener, kfk.AsyncConsumerRebalanceListener):
        with pytest.raises(TypeError):
            cls()
    assert inspect.iscoroutinefunction(kfk.AsyncConsumerRebalanceListener.on_partitions_lost)
    assert not issubclass(kfk.AsyncConsumerRebalanceListener, KafkaListener)


def test_consumer_bootstrap(bootstrap):
    c = kfk.KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        assert c.bootstrap(timeout_ms=10000) is None
        assert c.bootstrap() is None
    finally:
        c.close()
    # kafka-python's assignor classes (its default) are taken by name
    c = kfk.KafkaConsumer(bootstrap_servers=bootstrap, group_id="api-" + uuid.uuid4().hex[:8],
                          partition_assignment_strategy=kafka.KafkaConsumer.DEFAULT_CONFIG[
                              "partition_assignment_strategy"])
    c.close()
    c = kfk.KafkaConsumer(bootstrap_servers="127.0.0.1:1", request_timeout_ms=400,
                          fetch_max_wait_ms=100)
    try:
        start = time.monotonic()
        with pytest.raises(Errors.KafkaTimeoutError):
            c.bootstrap(timeout_ms=1000)
        assert time.monotonic() - start < 5
    finally:
        c.close()
    with pytest.raises(Errors.KafkaError):
        c.bootstrap()


@pytest.mark.parametrize("assignor,protocol", [
    ("range.RangePartitionAssignor", "EAGER"),
    ("roundrobin.RoundRobinPartitionAssignor", "EAGER"),
    ("cooperative_sticky.CooperativeStickyAssignor", "COOPERATIVE"),
])
def test_assignor_classes(bootstrap, topic_name, assignor, protocol):
    modname, clsname = assignor.split(".")
    theirs = getattr(importlib.import_module("kafka.coordinator.assignors." + modname), clsname)
    ours = getattr(importlib.import_module("kfk.coordinator.assignors." + modname), clsname)
    assert ours.name == theirs.name
    assert [p.name for p in ours().supported_protocols()] == [protocol]
    _make_topic(bootstrap, topic_name, 2)
    c = kfk.KafkaConsumer(bootstrap_servers=bootstrap, group_id="api-" + uuid.uuid4().hex[:8],
                          partition_assignment_strategy=[ours])
    try:
        c.subscribe([topic_name])
        deadline = time.monotonic() + 20
        while not c.assignment() and time.monotonic() < deadline:
            c.poll(timeout_ms=200)
        assert c.assignment() == {kfk.TopicPartition(topic_name, p) for p in (0, 1)}
        assert c._c.rebalance_protocol() == protocol
    finally:
        c.close()

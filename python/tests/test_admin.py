"""kfk.KafkaAdminClient against the real broker, compared where practical
with kafka-python 3.0.12's KafkaAdminClient on the same broker."""
import gc
import os
import time
import uuid

import kafka
import kafka.admin
import pytest

import kfk
from kfk import errors as Errors
from kfk.admin import (
    ACL, ACLFilter, ACLOperation, ACLPermissionType, ACLResourcePatternType, ConfigResource,
    ConfigResourceType, NewPartitions, NewTopic, OffsetSpec, OffsetTimestamp, ResourcePattern,
    ResourcePatternFilter, ResourceType,
)
from kfk.structs import OffsetAndMetadata, TopicPartition


@pytest.fixture(scope="module")
def admin(bootstrap):
    a = kfk.KafkaAdminClient(bootstrap_servers=bootstrap)
    yield a
    a.close()


@pytest.fixture(scope="module")
def ref(bootstrap):
    a = kafka.KafkaAdminClient(bootstrap_servers=bootstrap)
    yield a
    a.close()


def _name(prefix):
    return prefix + uuid.uuid4().hex[:10]


def _without(d, *keys):
    return {k: v for k, v in d.items() if k not in keys}


def test_admin_topics(admin, ref, topic_name):
    other = topic_name + "-ref"
    ours = admin.create_topics([NewTopic(topic_name, 2, 1)])
    theirs = ref.create_topics([kafka.admin.NewTopic(other, 2, 1)], wait_for_metadata=True)
    (mine,), (kp,) = ours["topics"], theirs["topics"]
    assert set(mine) == set(kp)
    for key in ("error_code", "error_message", "num_partitions", "replication_factor",
                "topic_config_error_code"):
        assert mine[key] == kp[key], key
    assert uuid.UUID(mine["topic_id"])
    assert mine["configs"]["retention.ms"] == kp["configs"]["retention.ms"]
    assert set(mine["configs"]) == set(kp["configs"])

    with pytest.raises(Errors.TopicAlreadyExistsError):
        admin.create_topics([NewTopic(topic_name, 2, 1)])
    dup = admin.create_topics([topic_name], raise_errors=False)
    ref_dup = ref.create_topics([topic_name], raise_errors=False)
    assert dup == ref_dup
    assert dup["topics"][0]["error_code"] == 36

    assert admin.create_topics({topic_name + "-v": {"num_partitions": 3}},
                               validate_only=True)["topics"][0]["error_code"] == 0
    assert topic_name + "-v" not in admin.list_topics()

    names = admin.list_topics()
    assert topic_name in names and other in names
    assert sorted(names) == sorted(ref.list_topics())

    def comparable(topics):
        # partitions: kfk's by id, kafka-python's in the broker's order
        return [dict(_without(t, "authorized_operations"),
                     partitions=sorted(t["partitions"], key=lambda p: p["partition_index"]))
                for t in topics]
    strip = comparable(ref.describe_topics([topic_name]))
    assert comparable(admin.describe_topics([topic_name])) == strip
    assert strip[0]["partitions"][1]["partition_index"] == 1
    unknown = "nope-" + topic_name
    (u,) = admin.describe_topics([unknown])
    assert u["error_code"] == 3 and u["partitions"] == [] and u["topic_id"] is None

    r = admin.create_partitions({topic_name: NewPartitions(3)})
    assert r.results[0].name == topic_name and r.results[0].error_code == 0
    assert r.to_dict() == ref.create_partitions({other: 3}).to_dict() | {
        "results": [{"error_code": 0, "error_message": None, "name": topic_name}]}
    with pytest.raises(Errors.InvalidPartitionsError):
        admin.create_partitions({topic_name: 1})
    assert len(admin.describe_topics([topic_name])[0]["partitions"]) == 3

    deleted = admin.delete_topics([topic_name, other])
    assert [_without(t, "topic_id") for t in deleted["topics"]] == [
        {"name": n, "error_code": 0, "error_message": None} for n in (topic_name, other)]
    assert deleted["topics"][0]["topic_id"] == mine["topic_id"]
    with pytest.raises(Errors.UnknownTopicOrPartitionError):
        admin.delete_topics([unknown])
    assert admin.delete_topics([unknown], raise_errors=False) == \
        ref.delete_topics([unknown], raise_errors=False)


def test_admin_configs(admin, ref, topic_name):
    admin.create_topics({topic_name: {"num_partitions": 1, "replication_factor": 1}})
    res = ConfigResource(ConfigResourceType.TOPIC, topic_name)
    assert admin.describe_configs([res]) == {"topic": {topic_name: {}}}
    changed = admin.alter_configs([ConfigResource("topic", topic_name,
                                                  configs={"retention.ms": "100000"})])
    assert changed == {"topic": {topic_name: "OK"}}
    ours = admin.describe_configs([res])["topic"][topic_name]
    theirs = ref.describe_configs([res])["topic"][topic_name]
    assert set(ours) == {"retention.ms"} == set(theirs)
    assert _without(ours["retention.ms"], "config_type") == \
        _without(theirs["retention.ms"], "config_type")
    assert ours["retention.ms"]["value"] == "100000"
    full = admin.describe_configs([ConfigResource("topic", topic_name, ["retention.ms"])],
                                  config_filter="all")["topic"][topic_name]
    assert list(full) == ["retention.ms"]
    with pytest.raises(ValueError, match="no.such.key"):
        admin.alter_configs([ConfigResource("topic", topic_name, {"no.such.key": "1"})])
    with pytest.raises(ValueError):
        admin.describe_configs([ConfigResource("broker", "not-an-id")])
    admin.delete_topics([topic_name])


def test_admin_cluster(admin, ref):
    ours, theirs = admin.describe_cluster(), ref.describe_cluster()
    assert set(ours) == set(theirs)
    assert ours["cluster_id"] == theirs["cluster_id"] and ours["cluster_id"]
    assert ours["controller_id"] == theirs["controller_id"]
    assert ours["brokers"] == theirs["brokers"]


def test_admin_groups_and_offsets(admin, ref, bootstrap, topic_name):
    admin.create_topics({topic_name: {"num_partitions": 2, "replication_factor": 1}})
    producer = kafka.KafkaProducer(bootstrap_servers=bootstrap)
    for i in range(10):
        producer.send(topic_name, b"v%d" % i, partition=0)
    producer.flush()
    producer.close()
    group = _name("g-")
    consumer = kafka.KafkaConsumer(topic_name, bootstrap_servers=bootstrap, group_id=group,
                                   auto_offset_reset="earliest", enable_auto_commit=False)
    got = 0
    while got < 10:
        got += sum(len(v) for v in consumer.poll(2000).values())
    consumer.commit()

    mine = [g for g in admin.list_groups() if g["group_id"] == group]
    assert mine == [g for g in ref.list_groups() if g["group_id"] == group]
    assert mine[0]["group_state"] == "Stable" and mine[0]["protocol_type"] == "consumer"
    assert [g["group_id"] for g in admin.list_groups(states_filter=["empty"])].count(group) == 0

    desc = admin.describe_groups([group])[group]
    kp = ref.describe_groups([group])[group]
    same = ("group_id", "group_state", "protocol_type", "protocol_data", "error")
    assert {k: desc[k] for k in same} == {k: kp[k] for k in same}
    (m,), (km,) = desc["members"], kp["members"]
    for key in ("member_id", "client_id", "client_host", "group_instance_id"):
        assert m[key] == km[key], key
    assert m["member_assignment"]["assigned_partitions"] == \
        km["member_assignment"]["assigned_partitions"]

    nope = "nope-" + group
    assert admin.describe_groups([nope])[nope]["error"] == ref.describe_groups([nope])[nope]["error"] \
        or admin.describe_groups([nope])[nope]["group_state"] == "Dead"

    offsets = admin.list_group_offsets(group)
    assert offsets == ref.list_group_offsets(group)
    assert offsets[group][TopicPartition(topic_name, 0)].offset == 10
    only = admin.list_group_offsets({group: [TopicPartition(topic_name, 0)]})
    assert list(only[group]) == [TopicPartition(topic_name, 0)]
    assert admin.list_group_offsets(nope) == ref.list_group_offsets(nope) == {nope: {}}

    assert admin.delete_groups([group]) == {group: "NonEmptyGroupError"}
    consumer.close()

    tp0 = TopicPartition(topic_name, 0)
    assert admin.alter_group_offsets(group, {tp0: OffsetAndMetadata(3, "m", None)}) == \
        {tp0: Errors.NoError}
    assert admin.list_group_offsets(group)[group][tp0] == OffsetAndMetadata(3, "m", -1)
    assert admin.delete_group_offsets(group, [tp0]) == {tp0: Errors.NoError}
    assert tp0 not in admin.list_group_offsets(group)[group]

    tp1 = TopicPartition(topic_name, 1)
    specs = {tp0: -1, tp1: -2}
    assert admin.list_partition_offsets(specs) == ref.list_partition_offsets(specs)
    assert admin.list_partition_offsets({tp0: -1})[tp0].offset == 10

    deleted = admin.delete_records({tp0: 5})
    assert deleted == {tp0: {"error_code": 0, "low_watermark": 5, "partition_index": 0}}
    assert admin.list_partition_offsets({tp0: -2})[tp0].offset == 5
    with pytest.raises(Errors.OffsetOutOfRangeError):
        admin.delete_records({tp0: 500})
    with pytest.raises(Errors.UnknownTopicOrPartitionError):
        admin.delete_records({TopicPartition("nope-" + topic_name, 0): 1}, timeout_ms=3000)

    assert admin.delete_groups([group, nope]) == {group: "OK", nope: "GroupIdNotFoundError"}
    admin.delete_topics([topic_name])


def test_admin_close_and_bad_input(bootstrap):
    with pytest.raises(Errors.KafkaConfigurationError, match="no_such_option"):
        kfk.KafkaAdminClient(bootstrap_servers=bootstrap, no_such_option=1)
    a = kfk.KafkaAdminClient(bootstrap_servers=bootstrap, client_id="kfk-admin-test")
    assert a.list_topics() is not None
    a.close()
    a.close()
    for call in (a.list_topics, a.describe_cluster, lambda: a.delete_topics(["x"])):
        with pytest.raises(Errors.KafkaError, match="closed"):
            call()
    # dropped without close: tp_dealloc frees the handle
    b = kfk.KafkaAdminClient(bootstrap_servers=bootstrap)
    assert isinstance(b.describe_cluster()["brokers"], list)
    del b
    gc.collect()
    with pytest.raises(ValueError):
        kfk.KafkaAdminClient(bootstrap_servers=bootstrap).create_topics([])
    with pytest.raises(Errors.KafkaTimeoutError):
        kfk.KafkaAdminClient(bootstrap_servers="127.0.0.1:1", bootstrap_timeout_ms=500)


def test_admin_exports():
    for name in ("NewTopic", "NewPartitions", "ConfigResource", "ConfigResourceType",
                 "AlterConfigOp", "ConfigSourceType", "OffsetSpec"):
        assert hasattr(kfk.admin, name) and hasattr(kafka.admin, name), name
    assert ConfigResourceType.TOPIC == kafka.admin.ConfigResourceType.TOPIC == 2
    assert NewTopic("t").num_partitions == kafka.admin.NewTopic("t").num_partitions == -1


# ------------------------------------------------------------------ ACLs

def _acl_key(acl):
    """An ACL of either library as plain values."""
    p = acl.resource_pattern
    return (int(p.resource_type), p.resource_name, int(p.pattern_type), acl.principal, acl.host,
            int(acl.operation), int(acl.permission_type))


def _ref_acl(acl):
    """kfk's ACL as kafka-python's."""
    from kafka.admin import ACL as A, ACLOperation as O, ACLPermissionType as P, \
        ACLResourcePatternType as R, ResourcePattern as RP, ResourceType as T
    p = acl.resource_pattern
    return A(acl.principal, acl.host, O(acl.operation), P(acl.permission_type),
             RP(T(p.resource_type), p.resource_name, R(p.pattern_type)))


def _poll(fn, want, timeout=30):
    """fn() once it returns want (the authorizer applies changes a little
    later), else its last answer."""
    deadline = time.monotonic() + timeout
    while True:
        got = fn()
        if got == want or time.monotonic() > deadline:
            return got
        time.sleep(0.25)


def test_admin_acl_types():
    for name in ("ResourceType", "ACLOperation", "ACLPermissionType", "ACLResourcePatternType"):
        ours, theirs = getattr(kfk.admin, name), getattr(kafka.admin, name)
        assert {m.name: m.value for m in ours} == {m.name: m.value for m in theirs}, name
    pattern = ResourcePattern(ResourceType.TOPIC, "t")
    assert pattern.pattern_type is ACLResourcePatternType.LITERAL
    assert pattern == ResourcePattern(ResourceType.TOPIC, "t", ACLResourcePatternType.LITERAL)
    acl = ACL("User:a", "*", ACLOperation.READ, ACLPermissionType.ALLOW, pattern)
    assert acl == ACL("User:a", "*", ACLOperation.READ, ACLPermissionType.ALLOW,
                      ResourcePattern(ResourceType.TOPIC, "t"))
    assert len({acl, ACL("User:a", "*", ACLOperation.READ, ACLPermissionType.ALLOW,
                         ResourcePattern(ResourceType.TOPIC, "t"))}) == 1
    assert "User:a" in repr(acl) and "READ" in repr(acl)
    for bad in (lambda: ResourcePattern(ResourceType.ANY, "t"),
                lambda: ResourcePattern(ResourceType.TOPIC, "t", ACLResourcePatternType.MATCH),
                lambda: ResourcePatternFilter(2, "t", ACLResourcePatternType.ANY),
                lambda: ACLFilter("User:a", "*", 3, ACLPermissionType.ANY, pattern),
                lambda: ACL("User:a", "*", ACLOperation.ANY, ACLPermissionType.ALLOW, pattern),
                lambda: ACL("User:a", "*", ACLOperation.READ, ACLPermissionType.ANY, pattern),
                lambda: ACL("User:a", "*", ACLOperation.READ, ACLPermissionType.ALLOW,
                            ResourcePatternFilter(ResourceType.TOPIC, "t",
                                                  ACLResourcePatternType.ANY))):
        with pytest.raises(Errors.IllegalArgumentError):
            bad()


def test_admin_acls(admin, ref):
    prefix = _name("py-acl-")
    principal = "User:" + prefix
    acl = ACL(principal, "*", ACLOperation.READ, ACLPermissionType.ALLOW,
              ResourcePattern(ResourceType.TOPIC, prefix, ACLResourcePatternType.PREFIXED))
    other = ACL(principal, "*", ACLOperation.DESCRIBE, ACLPermissionType.DENY,
                ResourcePattern(ResourceType.GROUP, prefix + "-g"))
    mine = ACLFilter(principal, None, ACLOperation.ANY, ACLPermissionType.ANY,
                     ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY))
    with pytest.raises(Errors.IllegalArgumentError):
        admin.create_acls([mine])
    with pytest.raises(Errors.IllegalArgumentError):
        admin.delete_acls([acl.resource_pattern])
    assert admin.create_acls([]) == {"succeeded": [], "failed": []}
    assert admin.delete_acls([]) == []

    if os.environ.get("KFK_ACL_AUTHORIZER") != "1":
        # no authorizer: every call fails with SECURITY_DISABLED, as
        # kafka-python's on the same broker
        with pytest.raises(Errors.SecurityDisabledError):
            admin.describe_acls(mine)
        with pytest.raises(kafka.errors.SecurityDisabledError):
            ref.describe_acls(_ref_acl(acl))
        created = admin.create_acls([acl, other])
        theirs = ref.create_acls([_ref_acl(acl), _ref_acl(other)])
        assert created == {"succeeded": [], "failed": [Errors.SecurityDisabledError] * 2}
        assert [e.__name__ for e in theirs["failed"]] == ["SecurityDisabledError"] * 2
        assert admin.delete_acls([mine, acl]) == [(mine, [], Errors.SecurityDisabledError),
                                                  (acl, [], Errors.SecurityDisabledError)]
        (_, matched, err), = ref.delete_acls([_ref_acl(acl)])
        assert matched == [] and err.__name__ == "SecurityDisabledError"
        return

    assert admin.create_acls([acl]) == {"succeeded": [acl], "failed": []}
    # kafka-python creates one, kfk sees both; kafka-python sees kfk's
    assert ref.create_acls([_ref_acl(other)])["failed"] == []
    want = sorted([_acl_key(acl), _acl_key(other)])
    described = _poll(lambda: sorted(map(_acl_key, admin.describe_acls(mine)[0])), want)
    assert described == want
    found, err = admin.describe_acls(mine)
    assert err is Errors.NoError and all(isinstance(a, ACL) for a in found)
    assert set(found) == {acl, other}
    theirs, _ = ref.describe_acls(kafka.admin.ACLFilter(
        principal, None, kafka.admin.ACLOperation.ANY, kafka.admin.ACLPermissionType.ANY,
        kafka.admin.ResourcePatternFilter(kafka.admin.ResourceType.ANY, None,
                                          kafka.admin.ACLResourcePatternType.ANY)))
    assert sorted(map(_acl_key, theirs)) == want

    only_topic = ACLFilter(principal, "*", ACLOperation.READ, ACLPermissionType.ALLOW,
                           ResourcePatternFilter(ResourceType.TOPIC, None,
                                                 ACLResourcePatternType.MATCH))
    assert admin.describe_acls(only_topic)[0] == [acl]

    deleted = admin.delete_acls([only_topic, mine])
    assert deleted[0] == (only_topic, [acl], Errors.NoError)
    assert deleted[1][0] is mine and deleted[1][2] is Errors.NoError
    # the second filter deletes what the first left (the authorizer may
    # still have shown the first's match to it)
    assert other in deleted[1][1] and set(deleted[1][1]) <= {acl, other}
    assert _poll(lambda: admin.describe_acls(mine)[0], []) == []
    assert admin.delete_acls([mine]) == [(mine, [], Errors.NoError)]


# ------------------------------------------------------ elections, resets

def test_admin_elect_leaders(admin, ref, topic_name):
    admin.create_topics([NewTopic(topic_name, 2, 1)])
    ours = admin.elect_leaders(0, {topic_name: [0, 1]})
    theirs = ref.elect_leaders(0, {topic_name: [0, 1]})
    # one broker: every leader already is the preferred replica
    parts = ours.to_dict()["replica_election_results"][0]["partition_result"]
    assert [(p["partition_id"], p["error_code"]) for p in parts] == [(0, 84), (1, 84)]
    assert parts[0]["error_message"]
    want = theirs.to_dict()
    for result in want["replica_election_results"]:
        for p in result["partition_result"]:
            p["error_message"] = Errors.ElectionNotNeededError.description
    assert ours.to_dict() == want
    assert ours.replica_election_results[0].topic == topic_name
    by_list = admin.elect_leaders(1, [topic_name]).to_dict()["replica_election_results"]
    assert [(r["topic"], sorted(p["partition_id"] for p in r["partition_result"]))
            for r in by_list] == [(topic_name, [0, 1])]
    with pytest.raises(ValueError):
        admin.elect_leaders(2, [topic_name])
    unknown = "nope-" + topic_name
    res = admin.elect_leaders(0, {unknown: [0]}, raise_errors=False).to_dict()
    assert res["replica_election_results"][0]["partition_result"][0]["error_code"] == 3
    with pytest.raises(Errors.UnknownTopicOrPartitionError):
        admin.elect_leaders(0, {unknown: [0]})
    admin.delete_topics([topic_name])


def _configs_become(client, res, want, timeout=15.0):
    """The topic's non-default configs once they equal want: a change
    reaches DescribeConfigs through the metadata log, a moment later."""
    deadline = time.monotonic() + timeout
    while True:
        got = set(client.describe_configs([res])["topic"][res.name])
        if got == want or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


def test_admin_reset_configs(admin, ref, topic_name):
    admin.create_topics([NewTopic(topic_name, 1, 1)])
    res = ConfigResource("topic", topic_name)
    admin.alter_configs([ConfigResource("topic", topic_name, {"retention.ms": "100000",
                                                               "segment.ms": "3600000"})])
    assert _configs_become(admin, res, {"retention.ms", "segment.ms"}) == \
        {"retention.ms", "segment.ms"}
    partial = ConfigResource("topic", topic_name, ["retention.ms"])
    assert admin.reset_configs([partial]) == {"topic": {topic_name: "OK"}}
    assert partial.configs == {"retention.ms": (kfk.admin.AlterConfigOp.DELETE, None)}
    assert _configs_become(admin, res, {"segment.ms"}) == {"segment.ms"}
    assert _configs_become(ref, res, {"segment.ms"}) == {"segment.ms"}
    assert admin.reset_configs([ConfigResource("topic", topic_name)]) == \
        {"topic": {topic_name: "OK"}}
    assert _configs_become(admin, res, set()) == set()
    assert admin.describe_configs([res]) == {"topic": {topic_name: {}}}
    with pytest.raises(ValueError, match="no.such.key"):
        admin.reset_configs([ConfigResource("topic", topic_name, ["no.such.key"])])
    admin.delete_topics([topic_name])


def test_admin_reset_group_offsets(admin, ref, bootstrap, topic_name):
    admin.create_topics([NewTopic(topic_name, 1, 1)])
    producer = kafka.KafkaProducer(bootstrap_servers=bootstrap)
    for i in range(10):
        producer.send(topic_name, b"v%d" % i, partition=0, timestamp_ms=1_000_000 + i)
    producer.flush()
    producer.close()
    group = _name("reset-")
    tp = TopicPartition(topic_name, 0)
    assert admin.alter_group_offsets(group, {tp: OffsetAndMetadata(4, "kept", None)}) == \
        {tp: Errors.NoError}

    def reset(spec):
        return admin.reset_group_offsets(group, {tp: spec})

    assert reset(OffsetSpec.EARLIEST) == {tp: {"error": Errors.NoError, "offset": 0}}
    assert admin.list_group_offsets(group)[group][tp].metadata == "kept"
    assert reset(OffsetSpec.LATEST) == {tp: {"error": Errors.NoError, "offset": 10}}
    assert reset(3) == {tp: {"error": Errors.NoError, "offset": 3}}
    assert reset(500)[tp]["offset"] == 10  # clamped to the log end
    assert reset(OffsetTimestamp(1_000_005))[tp]["offset"] == 5
    assert reset(OffsetTimestamp(2_000_000))[tp]["offset"] == 10  # past the last record
    assert admin.list_group_offsets(group)[group][tp].offset == 10
    admin.delete_records({tp: 2})
    assert reset(1)[tp]["offset"] == 2  # clamped to the log start
    theirs = ref.reset_group_offsets(group, {tp: kafka.admin.OffsetSpec.EARLIEST})
    assert theirs[tp]["offset"] == reset(OffsetSpec.EARLIEST)[tp]["offset"] == 2
    assert admin.reset_group_offsets(group, {}) == {}
    with pytest.raises(TypeError):
        reset("earliest")
    admin.delete_groups([group])
    admin.delete_topics([topic_name])

"""The original kafka-python (0.9) KafkaConsumer behind kfk.KafkaConsumer:
its keywords, every set_topic_partitions form, fetch_messages, iteration
with consumer_timeout_ms, task_done + commit (only done messages commit),
auto-commit by count and by time, offsets(), get_partition_offsets,
configure and deserializer_class, against the broker in KFK_BOOTSTRAP.
Test data is written with kafka-python 3.0."""
import gc
import os
import subprocess
import sys
import time
import uuid

import pytest
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

import kfk
from kfk.common import ConsumerTimeout, KafkaMessage
from kfk.consumer import legacy
from kfk.errors import KafkaConfigurationError, KafkaError, UnknownTopicOrPartitionError

PER_PARTITION = 10
EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "legacy_examples")


def produce(bootstrap, topic, partitions, start=0, count=PER_PARTITION):
    """count messages to each partition: key b"k<p>", value b"p<p>-<i>"."""
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    for p in partitions:
        for i in range(start, start + count):
            producer.send(topic, key=b"k%d" % p, value=b"p%d-%d" % (p, i), partition=p)
    producer.flush()
    producer.close()


@pytest.fixture(scope="module")
def data(bootstrap):
    """A 3-partition topic with PER_PARTITION messages in each."""
    topic = "py-legacy-" + uuid.uuid4().hex[:10]
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(topic, 3, 1)])
    admin.close()
    produce(bootstrap, topic, range(3))
    return topic


@pytest.fixture
def group():
    return "py-legacy-g-" + uuid.uuid4().hex[:10]


def old(bootstrap, *topics, **configs):
    """kfk.KafkaConsumer with the original keywords (and a short wait)."""
    configs.setdefault("metadata_broker_list", bootstrap)
    configs.setdefault("auto_offset_reset", "smallest")
    configs.setdefault("consumer_timeout_ms", 5000)
    return kfk.KafkaConsumer(*topics, **configs)


def drain(consumer, n):
    """The next n messages (ConsumerTimeout if they do not come), and then
    a fetch that gives nothing more."""
    got = [next(consumer) for _ in range(n)]
    assert list(consumer.fetch_messages()) == []
    return got


def values(messages):
    return sorted(m.value for m in messages)


def expect(parts_from):
    """The values of partition p from offset o on, for {p: o}."""
    return sorted(b"p%d-%d" % (p, i) for p, o in parts_from.items()
                  for i in range(o, PER_PARTITION))


# ------------------------------------------------------------ dispatch


def test_old_keywords_give_the_original_consumer(bootstrap, data):
    c = old(bootstrap, data)
    try:
        assert isinstance(c, legacy.KafkaConsumer)
        assert repr(c) == "<KafkaConsumer topics=(%s-0|%s-1|%s-2)>" % (data, data, data)
        m = next(c)
        assert type(m) is KafkaMessage and m._fields == (
            "topic", "partition", "offset", "key", "value")
        assert m.topic == data and m.key == b"k%d" % m.partition
        assert m.value == b"p%d-%d" % (m.partition, m.offset)
    finally:
        c.close()


def test_a_partition_tuple_gives_the_original_consumer(bootstrap, data):
    c = kfk.KafkaConsumer((data, 1, 7), bootstrap_servers=bootstrap, consumer_timeout_ms=1500)
    try:
        assert isinstance(c, legacy.KafkaConsumer)
        assert values(drain(c, 3)) == expect({1: 7})
    finally:
        c.close()


def test_new_style_consumer_becomes_the_original_on_set_topic_partitions(bootstrap, data):
    c = kfk.KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                          fetch_max_wait_ms=50, consumer_timeout_ms=1500,
                          value_deserializer=bytes.decode)
    try:
        assert not isinstance(c, legacy.KafkaConsumer)
        c.set_topic_partitions((data, 0), {data: [2]})
        assert isinstance(c, legacy.KafkaConsumer)
        # earliest (as smallest), fetch_max_wait_ms and value_deserializer carry over
        assert c.offsets("fetch") == {(data, 0): 0, (data, 2): 0}
        assert c._config["fetch_wait_max_ms"] == 50
        assert sorted(m.value for m in drain(c, 20)) == [v.decode() for v in expect({0: 0, 2: 0})]
    finally:
        c.close()


def test_new_keywords_give_the_new_consumer(bootstrap):
    c = kfk.KafkaConsumer(bootstrap_servers=bootstrap, group_id="g", auto_offset_reset="smallest")
    try:
        assert type(c) is kfk.KafkaConsumer and not isinstance(c, legacy.KafkaConsumer)
    finally:
        c.close()


def test_dispatch_rule():
    assert legacy.wants_legacy((), {"auto_commit_enable": True})
    assert legacy.wants_legacy((), {"metadata_broker_list": "x"})
    assert legacy.wants_legacy((("t", 0),), {})
    assert legacy.wants_legacy(({"t": 0},), {})
    assert not legacy.wants_legacy(("t",), {"bootstrap_servers": "x", "group_id": "g",
                                            "auto_offset_reset": "earliest"})
    # kfk.KafkaConsumer asks wants_legacy only about keywords it does not
    # know itself (or topics that are not a str): none of the original's own
    # keywords may be one of the new consumer's.
    from kfk.consumer.group import DEFAULT_CONFIG
    assert not legacy.LEGACY_ONLY & DEFAULT_CONFIG.keys()


# ------------------------------------------------- set_topic_partitions


@pytest.mark.parametrize("forms, start", [
    (("{t}",), {0: 0, 1: 0, 2: 0}),
    ((("{t}", 1),), {1: 0}),
    ((("{t}", 1, 6),), {1: 6}),
    (({"{t}": 2},), {2: 0}),
    (({"{t}": [0, 2]},), {0: 0, 2: 0}),
    (({"{t}": (1,)},), {1: 0}),
    (({("{t}", 0): 3, ("{t}", 2): 8},), {0: 3, 2: 8}),
    ((("{t}", 0, 9), {"{t}": [1]}, {("{t}", 2): 4}), {0: 9, 1: 0, 2: 4}),
], ids=["topic", "tuple", "tuple-offset", "dict-int", "dict-list", "dict-tuple",
        "dict-offsets", "mixed"])
def test_set_topic_partitions_forms(bootstrap, data, forms, start):
    def fill(x):
        if isinstance(x, str):
            return x.format(t=data)
        if isinstance(x, tuple):
            return tuple(fill(e) for e in x)
        if isinstance(x, list):
            return [fill(e) for e in x]
        if isinstance(x, dict):
            return {fill(k): fill(v) for k, v in x.items()}
        return x

    c = old(bootstrap)
    try:
        c.set_topic_partitions(*fill(forms))
        assert c.offsets("fetch") == {(data, p): o for p, o in start.items()}
        got = drain(c, len(expect(start)))
        assert values(got) == expect(start)
        assert c.offsets("fetch") == {(data, p): PER_PARTITION for p in start}
        for p in start:  # in order within each partition
            offs = [m.offset for m in got if m.partition == p]
            assert offs == sorted(offs)
    finally:
        c.close()


def test_set_topic_partitions_bad_input(bootstrap, data):
    c = old(bootstrap)
    try:
        with pytest.raises(UnknownTopicOrPartitionError, match="no-such-topic"):
            c.set_topic_partitions("no-such-topic-" + uuid.uuid4().hex[:8])
        with pytest.raises(UnknownTopicOrPartitionError, match="no partition 7"):
            c.set_topic_partitions((data, 7))
        with pytest.raises(KafkaConfigurationError, match="not float 3.5"):
            c.set_topic_partitions(3.5)
        with pytest.raises(KafkaConfigurationError, match="'zero'"):
            c.set_topic_partitions({data: "zero"})
        with pytest.raises(KafkaConfigurationError, match="a str, not int"):
            c.set_topic_partitions((5, 0))
        with pytest.raises(KafkaConfigurationError, match="no partitions to fetch"):
            next(c.fetch_messages())
    finally:
        c.close()


# ------------------------------------------------------------ messages


def test_fetch_messages_batches_and_resume_after_abandoned_batch(bootstrap, data):
    c = old(bootstrap, (data, 0), (data, 2))
    try:
        got, first = [], None
        deadline = time.monotonic() + 10
        while len(got) < 2 * PER_PARTITION and time.monotonic() < deadline:
            batch = c.fetch_messages()
            if first is None:
                # Take one message of the first non-empty batch, drop the rest.
                first = next(batch, None)
                if first is not None:
                    got.append(first)
                    batch.close()
                continue
            got.extend(batch)
        assert values(got) == expect({0: 0, 2: 0})
        assert c.offsets("fetch") == {(data, 0): PER_PARTITION, (data, 2): PER_PARTITION}
        assert list(c.fetch_messages()) == []
    finally:
        c.close()


def test_iteration_times_out_with_consumer_timeout(bootstrap, data):
    c = old(bootstrap, (data, 0), consumer_timeout_ms=400)
    try:
        assert len(drain(c, PER_PARTITION)) == PER_PARTITION
        t0 = time.monotonic()
        with pytest.raises(ConsumerTimeout, match="consumer_timeout_ms=400"):
            c.next()
        assert 0.35 <= time.monotonic() - t0 < 3
    finally:
        c.close()


def test_deserializer_class(bootstrap, data):
    c = old(bootstrap, (data, 1), deserializer_class=lambda v: v.decode().upper())
    try:
        assert sorted(m.value for m in drain(c, PER_PARTITION)) == sorted(
            "P1-%d" % i for i in range(PER_PARTITION))
    finally:
        c.close()


def test_largest_and_smallest_reset(bootstrap, group):
    topic = "py-legacy-" + uuid.uuid4().hex[:10]
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(topic, 1, 1)])
    admin.close()
    produce(bootstrap, topic, [0], 0, 5)
    latest = old(bootstrap, topic, auto_offset_reset="largest", consumer_timeout_ms=300)
    smallest = old(bootstrap, topic, auto_offset_reset="smallest")
    try:
        assert latest.offsets("fetch") == {(topic, 0): 5}
        with pytest.raises(ConsumerTimeout):
            next(latest)
        produce(bootstrap, topic, [0], 5, 3)
        latest.configure(metadata_broker_list=bootstrap, auto_offset_reset="largest",
                         consumer_timeout_ms=1500)
        assert [m.value for m in drain(latest, 3)] == [b"p0-5", b"p0-6", b"p0-7"]
        assert [m.offset for m in drain(smallest, 8)] == list(range(8))
    finally:
        latest.close()
        smallest.close()


def test_offset_past_the_end_is_reset(bootstrap, data):
    c = old(bootstrap, (data, 1, 1000))
    try:
        assert c.offsets("fetch") == {(data, 1): 1000}
        assert [m.offset for m in drain(c, PER_PARTITION)] == list(range(PER_PARTITION))
        assert c.offsets("fetch") == {(data, 1): PER_PARTITION}
    finally:
        c.close()


# ----------------------------------------------------- task_done, commit


def test_commit_covers_only_done_messages(bootstrap, data, group):
    c = old(bootstrap, (data, 0), (data, 1), group_id=group)
    try:
        assert c.commit() is False  # nothing done yet
        got = drain(c, 2 * PER_PARTITION)
        done = [m for m in got if m.partition == 0][:4]
        for m in done:
            assert c.task_done(m) is True
        assert c.offsets("task_done") == {(data, 0): 3, (data, 1): None}
        assert c.commit() is True
        assert c.commit() is False  # nothing new
        assert c.offsets("commit") == {(data, 0): 4, (data, 1): None}
        stranger = KafkaMessage(data, 2, 0, None, b"")
        assert c.task_done(stranger) is False
    finally:
        c.close()
    again = old(bootstrap, (data, 0), (data, 1), group_id=group)
    try:
        assert again.offsets("commit") == {(data, 0): 4, (data, 1): None}
        assert again.offsets("fetch") == {(data, 0): 4, (data, 1): 0}
        assert values(drain(again, 16)) == expect({0: 4, 1: 0})
    finally:
        again.close()


def test_auto_commit_every_n_messages(bootstrap, data, group):
    c = old(bootstrap, (data, 2), group_id=group, auto_commit_enable=True,
            auto_commit_interval_ms=None, auto_commit_interval_messages=3)
    try:
        got = drain(c, PER_PARTITION)
        for m in got[:7]:
            c.task_done(m)
        assert c.offsets("commit") == {(data, 2): 6}
    finally:
        c.close()
    again = old(bootstrap, (data, 2), group_id=group)
    try:
        assert [m.offset for m in drain(again, 4)] == list(range(6, PER_PARTITION))
    finally:
        again.close()


def test_auto_commit_every_n_ms(bootstrap, data, group):
    c = old(bootstrap, (data, 1), group_id=group, auto_commit_enable=True,
            auto_commit_interval_ms=300)
    try:
        got = drain(c, PER_PARTITION)
        time.sleep(0.35)  # the interval passed: the first task_done commits
        c.task_done(got[0])
        assert c.offsets("commit") == {(data, 1): 1}
        c.task_done(got[1])  # the interval starts again at each commit
        assert c.offsets("commit") == {(data, 1): 1}
        time.sleep(0.35)
        c.task_done(got[2])
        assert c.offsets("commit") == {(data, 1): 3}
    finally:
        c.close()
    again = old(bootstrap, (data, 1), group_id=group)
    try:
        assert again.offsets("fetch") == {(data, 1): 3}
    finally:
        again.close()


# ------------------------------------------------------------- offsets


def test_offsets_views(bootstrap, data, group):
    c = old(bootstrap, (data, 0), group_id=group)
    try:
        before = c.offsets()
        assert before == {"fetch": {(data, 0): 0}, "commit": {(data, 0): None},
                          "task_done": {(data, 0): None}, "highwater": {(data, 0): None}}
        got = drain(c, PER_PARTITION)
        c.task_done(got[0])
        after = c.offsets()
        assert after["fetch"] == {(data, 0): PER_PARTITION}
        assert after["highwater"] == {(data, 0): PER_PARTITION}
        assert after["task_done"] == {(data, 0): 0}
        after["fetch"][(data, 0)] = -5  # a copy
        assert c.offsets("fetch") == {(data, 0): PER_PARTITION}
        with pytest.raises(ValueError, match="bogus"):
            c.offsets("bogus")
    finally:
        c.close()


def test_get_partition_offsets(bootstrap, data):
    c = old(bootstrap)
    try:
        assert c.get_partition_offsets(data, 0, -2, 1) == [0]
        assert c.get_partition_offsets(data, 0, -1, 1) == [PER_PARTITION]
        assert c.get_partition_offsets(data, 1, 0, 5) == [0]
        future = int(time.time() * 1000) + 3600 * 1000
        assert c.get_partition_offsets(data, 1, future, 1) == []
        assert c.get_partition_offsets(data, 0, -1, 0) == []
        with pytest.raises(KafkaConfigurationError, match="partition"):
            c.get_partition_offsets(data, "0", -1, 1)
    finally:
        c.close()


# ------------------------------------------------- configure and errors


def test_configure_keeps_partitions_and_position(bootstrap, data):
    c = old(bootstrap, (data, 2))
    try:
        first = next(c)
        assert first.offset == 0 and first.value == b"p2-0"
        c.configure(metadata_broker_list=bootstrap, consumer_timeout_ms=1500,
                    deserializer_class=bytes.decode)
        rest = drain(c, PER_PARTITION - 1)
        assert [m.value for m in rest] == ["p2-%d" % i for i in range(1, PER_PARTITION)]
        with pytest.raises(KafkaConfigurationError, match="fetch_max_wait_ms"):
            c.configure(metadata_broker_list=bootstrap, fetch_max_wait_ms=10)
    finally:
        c.close()


def test_configuration_errors(bootstrap):
    with pytest.raises(KafkaConfigurationError, match="bootstrap_servers"):
        legacy.KafkaConsumer(auto_commit_enable=False)
    with pytest.raises(KafkaConfigurationError, match="group_id"):
        old(bootstrap, auto_commit_enable=True)
    with pytest.raises(KafkaConfigurationError, match="auto_offset_reset"):
        old(bootstrap, auto_offset_reset="middle")
    with pytest.raises(KafkaConfigurationError, match="deserializer_class"):
        old(bootstrap, deserializer_class="json")
    with pytest.raises(KafkaConfigurationError, match="fetch_wait_max_ms"):
        old(bootstrap, fetch_wait_max_ms="100")
    ok = old(bootstrap, consumer_timeout_ms=float("inf"), socket_timeout_ms=30000.0)
    assert ok._config["socket_timeout_ms"] == 30000
    ok.close()
    with pytest.raises(KafkaConfigurationError, match="enable_auto_commit"):
        old(bootstrap, enable_auto_commit=True)  # a new keyword among old ones


def test_commit_without_group_and_closed_consumer(bootstrap, data):
    c = old(bootstrap, (data, 0))
    with pytest.raises(KafkaConfigurationError, match="group_id"):
        c.commit()
    c.close()
    c.close()
    with pytest.raises(KafkaError, match="closed"):
        c.fetch_messages().__next__()
    with pytest.raises(KafkaError, match="closed"):
        c.set_topic_partitions(data)


def test_dropped_without_close_frees_its_threads(bootstrap, data):
    def threads():
        return len(os.listdir("/proc/self/task"))

    before = threads()
    for _ in range(3):
        c = old(bootstrap, (data, 0))
        assert next(c).offset == 0
        alive = threads()
        del c
        gc.collect()
        assert threads() < alive  # the consumer's I/O thread is gone
    assert threads() <= before


# ------------------------------------------------- the documented examples


@pytest.mark.parametrize("script", sorted(
    f for f in os.listdir(EXAMPLES) if f.endswith(".py")))
def test_documented_example(bootstrap, script):
    topics = ["py-legacy-ex-" + uuid.uuid4().hex[:8] for _ in range(3)]
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(t, 3, 1) for t in topics])
    admin.close()
    for t in topics:
        produce(bootstrap, t, range(3))
    run = subprocess.run([sys.executable, os.path.join(EXAMPLES, script), bootstrap] + topics,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "OK" in run.stdout.splitlines()[-1], run.stdout

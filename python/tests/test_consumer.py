"""kfk.KafkaConsumer against the real broker. Test data is produced with
kafka-python 3.0.12 (installed in the test venv), so that what is read is
checked against an independent writer."""
import gc
import json
import os
import subprocess
import threading
import sys
import textwrap
import time
import weakref

import pytest
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

import kfk
from kfk import KafkaConsumer, OffsetAndMetadata, TopicPartition
from kfk import errors as Errors
from kfk.consumer.fetcher import ConsumerRecord
from kfk.consumer.subscription_state import ConsumerRebalanceListener
from kfk.structs import OffsetAndTimestamp


def make_topic(bootstrap, name, partitions):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(name, partitions, 1)])
    finally:
        admin.close()


def produce(bootstrap, topic, n, partitions, start=0, headers=None, timestamp_ms=None):
    """n records key k<i>, value v<i>, round robin over the partitions."""
    p = KafkaProducer(bootstrap_servers=bootstrap)
    try:
        for i in range(start, start + n):
            p.send(topic, key=b"k%d" % i, value=b"v%d" % i, partition=i % partitions,
                   headers=headers, timestamp_ms=timestamp_ms)
        p.flush()
    finally:
        p.close()


@pytest.fixture
def topic3(bootstrap, topic_name):
    make_topic(bootstrap, topic_name, 3)
    return topic_name


def drain(consumer, want, timeout=20.0):
    """Every record of polls until want arrived: {TopicPartition: [record]}."""
    got, n = {}, 0
    deadline = time.monotonic() + timeout
    while n < want and time.monotonic() < deadline:
        for tp, recs in consumer.poll(timeout_ms=500).items():
            got.setdefault(tp, []).extend(recs)
            n += len(recs)
    return got


def all_tps(topic, n=3):
    return [TopicPartition(topic, p) for p in range(n)]


def test_consumer_assign_poll_records(bootstrap, topic3):
    produce(bootstrap, topic3, 29, 3)
    produce(bootstrap, topic3, 1, 3, start=29, headers=[("h1", b"x"), ("h2", b"")])
    with KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest") as c:
        assert c.config["group_id"] is None
        c.assign(all_tps(topic3))
        assert c.assignment() == set(all_tps(topic3))
        got = drain(c, 30)
        assert set(got) == set(all_tps(topic3))
        assert sum(len(v) for v in got.values()) == 30
        for tp, recs in got.items():
            assert [r.offset for r in recs] == list(range(10))
            for r in recs:
                assert isinstance(r, ConsumerRecord)
                assert (r.topic, r.partition) == tp
                i = int(r.key[1:])
                assert i % 3 == tp.partition
                assert r.value == b"v%d" % i
                assert r.timestamp_type == 0 and abs(r.timestamp - time.time() * 1000) < 120000
                assert r.leader_epoch >= 0 and r.checksum is None
                assert r.serialized_key_size == len(r.key)
                assert r.serialized_value_size == len(r.value)
                if i == 29:
                    assert r.headers == [("h1", b"x"), ("h2", b"")]
                    assert r.serialized_header_size == 5
                else:
                    assert r.headers == [] and r.serialized_header_size == -1
                # Made when first read, then the same list (it may be added to).
                assert r.headers is r.headers
                assert r == tuple(getattr(r, f) for f in ConsumerRecord._fields)
        assert c.poll(timeout_ms=0) == {}
        with pytest.raises(Errors.IllegalStateError):
            c.commit()
        with pytest.raises(Errors.IllegalStateError):
            c.subscribe([topic3])


def test_consumer_max_records_and_poll_arguments(bootstrap, topic3):
    produce(bootstrap, topic3, 30, 3)
    c = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                      max_poll_records=4)
    try:
        c.assign(all_tps(topic3))
        sizes = []
        deadline = time.monotonic() + 20
        while sum(sizes) < 30 and time.monotonic() < deadline:
            n = sum(len(v) for v in c.poll(timeout_ms=500).values())
            if n:
                sizes.append(n)
        assert sum(sizes) == 30 and max(sizes) <= 4
        with pytest.raises(ValueError):
            c.poll(timeout_ms=-1)
        with pytest.raises(ValueError):
            c.poll(max_records=0)
        with pytest.raises(TypeError):
            c.poll(max_records="3")
    finally:
        c.close()


class JsonValue:
    """A kafka-python style Deserializer object."""

    def __init__(self):
        self.calls = []
        self.closed = False

    def deserialize(self, topic, headers, data):
        self.calls.append(topic)
        return None if data is None else json.loads(data)

    def close(self):
        self.closed = True


def test_consumer_deserializers(bootstrap, topic_name):
    make_topic(bootstrap, topic_name, 1)
    p = KafkaProducer(bootstrap_servers=bootstrap)
    p.send(topic_name, key=b"a", value=b'{"n": 1}')
    p.send(topic_name, key=b"b", value=None)
    p.send(topic_name, key=None, value=b"2")
    p.flush()
    p.close()
    with KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                       key_deserializer=bytes.decode,
                       value_deserializer=lambda v: json.loads(v)) as c:
        c.assign([TopicPartition(topic_name, 0)])
        recs = drain(c, 3)[TopicPartition(topic_name, 0)]
        assert [(r.key, r.value) for r in recs] == [("a", {"n": 1}), ("b", None), (None, 2)]
        assert recs[1].serialized_key_size == 1 and recs[1].serialized_value_size == -1
        assert recs[2].serialized_key_size == -1 and recs[2].serialized_value_size == 1
    d = JsonValue()
    c = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                      value_deserializer=d)
    c.assign([TopicPartition(topic_name, 0)])
    recs = drain(c, 3)[TopicPartition(topic_name, 0)]
    assert [(r.key, r.value) for r in recs] == [(b"a", {"n": 1}), (b"b", None), (None, 2)]
    assert d.calls == [topic_name] * 3
    c.close()
    assert d.closed


def test_consumer_iteration_and_consumer_timeout(bootstrap, topic3):
    produce(bootstrap, topic3, 30, 3)
    c = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                      consumer_timeout_ms=1500)
    c.assign(all_tps(topic3))
    first = next(c)
    assert isinstance(first, ConsumerRecord)
    rest = list(c)
    assert len(rest) == 29
    assert {(r.partition, r.offset) for r in rest + [first]} == \
        {(p, o) for p in range(3) for o in range(10)}
    start = time.monotonic()
    assert list(c) == []
    assert 1.0 < time.monotonic() - start < 6.0
    with pytest.raises(StopIteration):
        next(c)
    c.close()


def test_consumer_subscribe_commit_and_resume(bootstrap, topic3):
    produce(bootstrap, topic3, 30, 3)
    group = "g-" + topic3
    events = []

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            events.append(("revoked", set(revoked)))

        def on_partitions_assigned(self, assigned):
            events.append(("assigned", set(assigned)))

    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group,
                      auto_offset_reset="earliest", enable_auto_commit=False)
    c.subscribe([topic3], listener=Listener())
    assert c.subscription() == {topic3}
    got = drain(c, 30)
    assert sum(len(v) for v in got.values()) == 30
    assert ("assigned", set(all_tps(topic3))) in events
    assert c.assignment() == set(all_tps(topic3))
    assert c.committed(TopicPartition(topic3, 0)) is None
    c.commit()
    for tp in all_tps(topic3):
        assert c.committed(tp) == 10
        assert c.position(tp) == 10
    # An explicit commit with metadata, then back to the full positions.
    c.commit({TopicPartition(topic3, 1): OffsetAndMetadata(4, "half", -1)})
    md = c.committed(TopicPartition(topic3, 1), metadata=True)
    assert (md.offset, md.metadata) == (4, "half")
    gm = c.group_metadata()
    assert gm.group_id == group and gm.generation_id >= 1 and gm.member_id
    c.unsubscribe()
    assert c.subscription() is None and c.assignment() == set()
    assert events[-1][0] == "revoked"
    c.close()

    produce(bootstrap, topic3, 3, 3, start=30)
    c2 = KafkaConsumer(topic3, bootstrap_servers=bootstrap, group_id=group,
                       auto_offset_reset="earliest", enable_auto_commit=False)
    got = drain(c2, 9, timeout=20)
    keys = sorted(int(r.key[1:]) for recs in got.values() for r in recs)
    # Partition 1 resumes from 4 (offsets 4..10: keys 13..31 step 3), the
    # others from 10 (one new record each).
    assert keys == sorted([30, 32] + [3 * o + 1 for o in range(4, 11)])
    c2.close()


def test_consumer_commit_async(bootstrap, topic3):
    produce(bootstrap, topic3, 6, 3)
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id="g-" + topic3,
                      auto_offset_reset="earliest", enable_auto_commit=False)
    c.assign(all_tps(topic3))
    drain(c, 6)
    results = []
    tp0 = TopicPartition(topic3, 0)
    future = c.commit_async({tp0: OffsetAndMetadata(1, "m", -1)},
                            callback=lambda offsets, res: results.append((offsets, res)))
    deadline = time.monotonic() + 10
    while not results and time.monotonic() < deadline:
        c.poll(timeout_ms=100)
    assert len(results) == 1 and not isinstance(results[0][1], Exception)
    assert tp0 in results[0][0]
    assert future.is_done and future.succeeded()
    assert c.committed(tp0) == 1
    done = []
    c.commit_async(callback=lambda offsets, res: done.append(offsets))
    deadline = time.monotonic() + 10
    while not done and time.monotonic() < deadline:
        c.poll(timeout_ms=100)
    assert done and c.committed(tp0) == 2
    c.close()


def test_consumer_commit_covers_what_was_handed_out(bootstrap, topic3):
    produce(bootstrap, topic3, 30, 3)
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id="g-" + topic3,
                      auto_offset_reset="earliest", enable_auto_commit=False)
    c.assign(all_tps(topic3))
    # Iteration: what was yielded, not the whole batch fetched behind it.
    seen = []
    deadline = time.monotonic() + 20
    while len(seen) < 5 and time.monotonic() < deadline:
        seen.append(next(c))
    c.commit()
    want = {}
    for r in seen:
        want[TopicPartition(r.topic, r.partition)] = r.offset + 1
    assert {tp: c.committed(tp) for tp in all_tps(topic3)} == \
        {tp: want.get(tp) for tp in all_tps(topic3)}
    c.close()
    # poll: what it returned, max_records at a time.
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id="g-" + topic3,
                      auto_offset_reset="earliest", enable_auto_commit=False)
    c.assign(all_tps(topic3))
    got = {}
    while not got:
        got = c.poll(timeout_ms=1000, max_records=2)
    c.commit()
    for tp, recs in got.items():
        assert c.committed(tp) == recs[-1].offset + 1
    c.close()


def test_consumer_seek_forms_and_position(bootstrap, topic3):
    produce(bootstrap, topic3, 30, 3)
    c = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    tp = TopicPartition(topic3, 2)
    c.assign([tp])
    assert len(drain(c, 10)[tp]) == 10
    assert c.position(tp) == 10 and c.highwater(tp) == 10
    c.seek(tp, 7)
    assert [r.offset for r in drain(c, 3)[tp]] == [7, 8, 9]
    c.seek_to_beginning(tp)
    assert [r.offset for r in drain(c, 10)[tp]] == list(range(10))
    c.seek_to_beginning()
    c.seek_to_end()
    assert c.position(tp, timeout_ms=5000) == 10
    assert c.poll(timeout_ms=300) == {}
    with pytest.raises(ValueError):
        c.seek(tp, -1)
    with pytest.raises(ValueError):
        c.seek(TopicPartition(topic3, 0), 1)
    with pytest.raises(TypeError):
        c.seek((topic3, 2), 1)
    with pytest.raises(Errors.IllegalStateError):
        c.position(TopicPartition(topic3, 0))
    c.close()


def test_consumer_pause_resume(bootstrap, topic3):
    produce(bootstrap, topic3, 30, 3)
    c = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    tps = all_tps(topic3)
    c.assign(tps)
    c.pause(tps[0])
    assert c.paused() == {tps[0]}
    got = drain(c, 20)
    time.sleep(0.5)
    for tp, recs in c.poll(timeout_ms=500).items():
        got.setdefault(tp, []).extend(recs)
    assert tps[0] not in got and sum(len(v) for v in got.values()) == 20
    c.resume(tps[0])
    assert c.paused() == set()
    assert [r.offset for r in drain(c, 10)[tps[0]]] == list(range(10))
    c.close()


def test_consumer_offsets_queries(bootstrap, topic3):
    base = int(time.time() * 1000) - 60000
    p = KafkaProducer(bootstrap_servers=bootstrap)
    for i in range(5):
        p.send(topic3, value=b"x", partition=0, timestamp_ms=base + i * 1000)
    p.flush()
    p.close()
    c = KafkaConsumer(bootstrap_servers=bootstrap)
    tps = all_tps(topic3)
    assert c.beginning_offsets(tps) == {tp: 0 for tp in tps}
    assert c.end_offsets(tps) == {tps[0]: 5, tps[1]: 0, tps[2]: 0}
    found = c.offsets_for_times({tps[0]: base + 2500, tps[1]: base})
    assert isinstance(found[tps[0]], OffsetAndTimestamp)
    assert (found[tps[0]].offset, found[tps[0]].timestamp) == (3, base + 3000)
    assert found[tps[1]] is None
    assert c.offsets_for_times({tps[0]: base + 10 ** 7}) == {tps[0]: None}
    with pytest.raises(ValueError):
        c.offsets_for_times({tps[0]: -5})
    assert topic3 in c.topics()
    assert "__consumer_offsets" not in c.topics()
    assert c.partitions_for_topic(topic3) == {0, 1, 2}
    assert c.partitions_for_topic("no-such-topic-" + topic3) == set()
    assert c.bootstrap_connected()
    assert isinstance(c.metrics(), dict)
    c.close()


def _settled_threads():
    """The process's thread count once short-lived ones (DNS lookups) left:
    the least of a few samples over half a second."""
    counts = []
    for _ in range(5):
        counts.append(len(os.listdir("/proc/self/task")))
        time.sleep(0.1)
    return min(counts)


def test_consumer_metadata_asks_its_own_client(bootstrap, topic3):
    # partitions_for_topic, topics and bootstrap_connected go over the
    # consumer's own connections (kfk_consumer_topic_partitions): no second
    # client, whose I/O thread would stay until close.
    c = KafkaConsumer(bootstrap_servers=bootstrap)
    before = _settled_threads()
    assert c.partitions_for_topic(topic3) == {0, 1, 2}
    missing = "no-such-topic-" + topic3
    assert c.partitions_for_topic(missing) == set()
    assert topic3 in c.topics()
    assert c.bootstrap_connected()
    assert _settled_threads() <= before
    # Asking about a topic does not create it (allow_auto_create_topics is
    # for fetching), and asking names it nowhere else.
    assert missing not in c.topics()
    c.assign([TopicPartition(topic3, p) for p in sorted(c.partitions_for_topic(topic3))])
    assert len(c.assignment()) == 3
    c.close()
    with pytest.raises(Errors.KafkaError):
        c.partitions_for_topic(topic3)


def test_consumer_auto_offset_reset(bootstrap, topic3):
    produce(bootstrap, topic3, 3, 3)
    tp = TopicPartition(topic3, 0)
    c = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="latest")
    c.assign([tp])
    assert c.position(tp, timeout_ms=10000) == 1
    assert c.poll(timeout_ms=300) == {}
    produce(bootstrap, topic3, 3, 3, start=3)  # key k3 lands on partition 0
    assert [r.key for r in drain(c, 1)[tp]] == [b"k3"]
    c.close()
    c = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="smallest")
    c.assign([tp])
    assert [r.offset for r in drain(c, 2)[tp]] == [0, 1]
    c.close()
    c = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="none",
                      consumer_timeout_ms=10000)
    c.assign([tp])
    with pytest.raises(Errors.NoOffsetForPartitionError, match=topic3):
        next(c)
    c.close()
    with pytest.raises(Errors.KafkaConfigurationError):
        KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="sometimes")


class Recorder(ConsumerRebalanceListener):
    def __init__(self):
        self.events = []

    def on_partitions_revoked(self, revoked):
        self.events.append(("revoked", sorted(revoked)))

    def on_partitions_assigned(self, assigned):
        self.events.append(("assigned", sorted(assigned)))


def test_consumer_pattern_subscription_and_listener(bootstrap, topic_name):
    make_topic(bootstrap, topic_name + "-a", 2)
    make_topic(bootstrap, topic_name + "-b", 1)
    produce(bootstrap, topic_name + "-a", 4, 2)
    produce(bootstrap, topic_name + "-b", 2, 1)
    rec = Recorder()
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id="g-" + topic_name,
                      auto_offset_reset="earliest")
    c.subscribe(pattern=topic_name + "-.*", listener=rec)
    got = drain(c, 6)
    assert sum(len(v) for v in got.values()) == 6
    assigned = [e for e in rec.events if e[0] == "assigned"]
    assert assigned and set(assigned[-1][1]) == {
        TopicPartition(topic_name + "-a", 0), TopicPartition(topic_name + "-a", 1),
        TopicPartition(topic_name + "-b", 0)}
    assert c.subscription() == {topic_name + "-a", topic_name + "-b"}
    with pytest.raises(TypeError):
        c.subscribe([topic_name], listener=object())
    with pytest.raises(ValueError):
        c.subscribe()
    with pytest.raises(Errors.IllegalStateError):
        c.subscribe([topic_name], pattern="x")
    c.close()
    assert rec.events[-1][0] == "revoked"


GROUP_MEMBER = textwrap.dedent("""
    import json, os, sys, time
    from kfk import KafkaConsumer, TopicPartition
    from kfk.consumer.subscription_state import ConsumerRebalanceListener
    bootstrap, topic, group, stop = sys.argv[1:5]
    calls = []
    class L(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            calls.append("revoked")
        def on_partitions_assigned(self, assigned):
            calls.append("assigned")
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group,
                      auto_offset_reset="earliest", enable_auto_commit=False,
                      heartbeat_interval_ms=300, session_timeout_ms=6000)
    c.subscribe([topic], listener=L())
    deadline = time.monotonic() + 40
    # Wait for the two-member split, then read the own partitions from the start.
    while len(c.assignment()) != 2 and time.monotonic() < deadline:
        c.poll(timeout_ms=100)
    mine = sorted(c.assignment())
    c.seek_to_beginning()
    keys = []
    while len(keys) < 20 and time.monotonic() < deadline:
        for tp, recs in c.poll(timeout_ms=100).items():
            keys += [r.key.decode() for r in recs]
    print(json.dumps({"partitions": [tp.partition for tp in mine], "keys": keys,
                      "calls": calls}), flush=True)
    while not os.path.exists(stop) and time.monotonic() < deadline:
        c.poll(timeout_ms=100)
    c.close()
""")


def test_consumer_group_of_two_processes(bootstrap, topic_name, tmp_path):
    make_topic(bootstrap, topic_name, 4)
    produce(bootstrap, topic_name, 40, 4)
    stop = tmp_path / "stop"
    args = [sys.executable, "-c", GROUP_MEMBER, bootstrap, topic_name, "g-" + topic_name,
            str(stop)]
    procs = [subprocess.Popen(args, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        outs = [json.loads(p.stdout.readline()) for p in procs]
    finally:
        stop.touch()
        for p in procs:
            p.wait(timeout=30)
    assert all(p.returncode == 0 for p in procs)
    parts = [set(o["partitions"]) for o in outs]
    assert parts[0] | parts[1] == {0, 1, 2, 3} and not parts[0] & parts[1]
    keys = outs[0]["keys"] + outs[1]["keys"]
    assert sorted(keys) == sorted("k%d" % i for i in range(40))
    for o in outs:
        assert all(int(k[1:]) % 4 in o["partitions"] for k in o["keys"])
        assert "assigned" in o["calls"]


def test_consumer_closed_and_errors(bootstrap, topic3):
    c = KafkaConsumer(bootstrap_servers=bootstrap)
    c.assign(all_tps(topic3))
    c.close()
    c.close()
    for call in (lambda: c.poll(), c.assignment, c.topics, lambda: c.seek_to_end(),
                 lambda: c.assign(all_tps(topic3)), lambda: c.subscribe([topic3])):
        with pytest.raises(Errors.KafkaError):
            call()
    with pytest.raises(StopIteration):
        next(c)
    with pytest.raises(Errors.KafkaError, match="closed"):
        c._c.poll(0)
    with pytest.raises(Errors.KafkaConfigurationError, match="no_such_option"):
        KafkaConsumer(bootstrap_servers=bootstrap, no_such_option=1)
    with pytest.raises(Errors.KafkaConfigurationError, match="ssl_crlfile"):
        KafkaConsumer(bootstrap_servers=bootstrap, ssl_crlfile="/x")
    with pytest.raises(Errors.KafkaConfigurationError, match="group_instance_id"):
        KafkaConsumer(bootstrap_servers=bootstrap, group_instance_id="i")


def test_consumer_freed_without_close(bootstrap, topic3):
    produce(bootstrap, topic3, 3, 3)
    c = KafkaConsumer(topic3, bootstrap_servers=bootstrap, group_id="g-" + topic3,
                      auto_offset_reset="earliest")
    assert sum(len(v) for v in drain(c, 3).values()) == 3
    it = iter(c)
    ref = weakref.ref(c)
    inner = c._c
    del c, it
    # Freed by reference counting alone (no cycle through the callbacks or
    # the iterator), leaving the C consumer with no other owner.
    assert ref() is None
    assert sys.getrefcount(inner) == 2
    del inner
    gc.collect()
    assert kfk.KafkaConsumer is KafkaConsumer


def test_consumer_listener_commits_and_seeks(bootstrap, topic_name):
    """The usual listener: commit in on_partitions_revoked, seek in
    on_partitions_assigned; both run on the polling thread, inside poll."""
    make_topic(bootstrap, topic_name, 2)
    produce(bootstrap, topic_name, 10, 2)

    class Listener(ConsumerRebalanceListener):
        def __init__(self, consumer):
            self.consumer = consumer
            self.log = []

        def on_partitions_revoked(self, revoked):
            self.consumer.commit()
            self.log.append(("revoked", sorted(revoked)))

        def on_partitions_assigned(self, assigned):
            for tp in assigned:
                self.consumer.seek(tp, 3)
            self.log.append(("assigned", sorted(assigned)))

    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id="g-" + topic_name,
                      auto_offset_reset="earliest", enable_auto_commit=False)
    listener = Listener(c)
    c.subscribe([topic_name], listener=listener)
    got = drain(c, 4)
    assert {tp: [r.offset for r in recs] for tp, recs in got.items()} == \
        {TopicPartition(topic_name, p): [3, 4] for p in range(2)}
    c.unsubscribe()
    assert [e[0] for e in listener.log] == ["assigned", "revoked"]
    assert c.committed(TopicPartition(topic_name, 0)) == 5
    c.close()


def test_consumer_close_from_another_thread(bootstrap, topic3):
    c = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    c.assign(all_tps(topic3))
    seen = []

    def iterate():
        seen.extend(c)

    t = threading.Thread(target=iterate)
    t.start()
    time.sleep(0.5)
    c.close()
    t.join(timeout=10)
    assert not t.is_alive() and seen == []
    with pytest.raises(Errors.KafkaError):
        c.poll()


def test_consumer_cycles_leave_nothing_behind(bootstrap, topic_name):
    """Consumers made, used and dropped (half closed, half just collected):
    Python memory and kfk's I/O threads come back to where they were."""
    import tracemalloc
    make_topic(bootstrap, topic_name, 1)
    produce(bootstrap, topic_name, 500, 1)
    tp = TopicPartition(topic_name, 0)

    def cycle(close):
        c = KafkaConsumer(bootstrap_servers=bootstrap, group_id="g-" + topic_name,
                          auto_offset_reset="earliest", enable_auto_commit=False)
        c.assign([tp])
        c.seek_to_beginning()
        assert sum(len(v) for v in drain(c, 500).values()) == 500
        c.commit_async()
        c.poll(timeout_ms=50)
        if close:
            c.close()

    def threads():
        return len(os.listdir("/proc/self/task"))

    cycle(True)
    cycle(False)
    gc.collect()
    base_threads = threads()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for i in range(8):
        cycle(i % 2 == 0)
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(s.size_diff for s in after.compare_to(before, "filename"))
    assert grown < 64 * 1024, after.compare_to(before, "lineno")[:5]
    assert threads() == base_threads

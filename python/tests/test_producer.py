"""kfk.KafkaProducer against the real broker. What it writes is read back
with kafka-python 3.0.12 (installed next to kfk by tests/run), an
independent client."""
import gc
import json
import subprocess
import sys
import threading
import time
import uuid
import weakref

import kafka
import pytest
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.partitioner.default import murmur2

import kfk
from kfk import KafkaProducer, errors
from kfk.producer.future import FutureRecordMetadata, RecordMetadata
from kfk.serializer import Serializer


@pytest.fixture
def producer(bootstrap):
    p = KafkaProducer(bootstrap_servers=bootstrap)
    yield p
    p.close()


def create_topic(bootstrap, name, partitions=1, configs=None):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(name, partitions, 1, topic_configs=configs or {})])
    finally:
        admin.close()


def read_back(bootstrap, topic, count, **kw):
    """Up to count records of topic, from the start, read by kafka-python."""
    consumer = kafka.KafkaConsumer(topic, bootstrap_servers=bootstrap,
                                   auto_offset_reset="earliest", consumer_timeout_ms=8000, **kw)
    records = []
    try:
        for record in consumer:
            records.append(record)
            if len(records) >= count:
                break
    finally:
        consumer.close()
    return records


def test_send_and_get_give_record_metadata(producer, topic_name):
    ts = int(time.time() * 1000) - 5000
    future = producer.send(topic_name, b"value", key=b"key", headers=[("h1", b"abc")],
                           timestamp_ms=ts)
    assert isinstance(future, FutureRecordMetadata)
    md = future.get(timeout=30)
    assert isinstance(md, RecordMetadata)
    assert (md.topic, md.partition, md.offset, md.timestamp) == (topic_name, 0, 0, ts)
    assert md.topic_partition == kfk.TopicPartition(topic_name, 0)
    assert (md.serialized_key_size, md.serialized_value_size, md.serialized_header_size) == (3, 5, 5)
    assert md.checksum is None
    assert future.is_done and future.succeeded() and not future.failed()
    assert future.value == md and future.exception is None
    second = producer.send(topic_name, value=b"next").get(timeout=30)
    assert second.offset == 1 and second.serialized_key_size == -1
    assert second.serialized_header_size == -1


def test_callbacks_run_on_the_callers_thread(producer, topic_name):
    seen = []
    future = producer.send(topic_name, b"v")
    future.add_callback(lambda md, tag: seen.append((tag, md.offset, threading.get_ident())),
                        tag="cb")
    future.add_errback(lambda exc: seen.append(("eb", exc)))
    assert seen == []
    producer.flush(timeout=30)
    assert seen == [("cb", 0, threading.get_ident())]
    # Added after completion: runs at once.
    future.add_callback(lambda md: seen.append(("late", md.offset)))
    assert seen[-1] == ("late", 0)


def test_failing_callback_is_logged_and_others_still_run(producer, topic_name, caplog):
    seen = []

    def boom(md):
        raise RuntimeError("callback failure")

    future = producer.send(topic_name, b"v").add_callback(boom).add_callback(seen.append)
    assert future.get(timeout=30).offset == 0
    assert len(seen) == 1 and seen[0].offset == 0
    assert "callback failure" in caplog.text


def test_callback_argument_forms(producer, topic_name, caplog):
    seen = []

    class Sink:
        def take(self, *args):
            seen.append(("method",) + args)

        def boom(self, md):
            raise RuntimeError("bound method failure")

    obj = Sink()
    sink = weakref.ref(obj)
    future = producer.send(topic_name, b"v")
    future.add_callback(seen.append).add_callback(lambda a, b, md: seen.append((a, b)), 1, 2)
    future.add_callback(obj.take, "x").add_callback(Sink().boom)
    del obj  # the future's bound method is its last holder: freed once it ran
    future.add_both(lambda arg, tag: seen.append((tag, arg.offset)), tag="both")
    md = future.get(timeout=30)
    assert seen == [md, (1, 2), ("method", "x", md), ("both", 0)]
    assert "bound method failure" in caplog.text
    gc.collect()
    assert sink() is None


def test_send_argument_forms(producer, topic_name):
    kw = {"".join(["val", "ue"]): b"v", "".join(["ke", "y"]): b"k"}  # not interned
    assert producer.send(topic_name, **kw).get(30).serialized_key_size == 1
    ts = int(time.time() * 1000) - 1000
    md = producer.send(topic_name, b"v", b"key", None, 0, ts).get(30)
    assert (md.partition, md.timestamp, md.serialized_key_size) == (0, ts, 3)
    with pytest.raises(TypeError, match="colour"):
        producer.send(topic_name, b"v", colour=1)
    with pytest.raises(TypeError):
        producer.send(topic_name, b"v", value=b"twice")
    with pytest.raises(TypeError):
        producer.send(topic_name, b"v", None, None, None, None, "one too many")
    with pytest.raises(TypeError):
        producer.send()


def test_errback_gets_the_brokers_error(bootstrap, producer, topic_name):
    create_topic(bootstrap, topic_name, configs={"max.message.bytes": "2000"})
    seen = []
    future = producer.send(topic_name, b"x" * 5000)
    future.add_errback(seen.append).add_callback(lambda md: seen.append("written"))
    with pytest.raises(errors.MessageSizeTooLargeError):
        future.get(timeout=30)
    assert future.failed() and not future.succeeded()
    assert isinstance(future.exception, errors.MessageSizeTooLargeError)
    assert seen == [future.exception]


def test_record_over_max_request_size_is_refused(bootstrap, topic_name):
    with KafkaProducer(bootstrap_servers=bootstrap, max_request_size=2000) as p:
        p.send(topic_name, b"small").get(timeout=30)
        with pytest.raises(errors.MessageSizeTooLargeError):
            p.send(topic_name, b"x" * 5000)


def test_serializers_and_headers_reach_the_broker(bootstrap, topic_name):
    class Tagged(Serializer):
        def serialize(self, topic, headers, data):
            headers.append(("seen-by", topic.encode()))
            return json.dumps(data).encode()

    with KafkaProducer(bootstrap_servers=bootstrap, key_serializer=str.encode,
                       value_serializer=lambda v: json.dumps(v).encode()) as p:
        md = p.send(topic_name, {"n": 1}, key="k1", headers=[("a", b"1"), ("b", b"")]).get(30)
        assert md.serialized_key_size == 2
    with KafkaProducer(bootstrap_servers=bootstrap, value_serializer=Tagged()) as p:
        p.send(topic_name, [1, 2]).get(30)
    records = read_back(bootstrap, topic_name, 2)
    assert [(r.key, r.value) for r in records] == [(b"k1", b'{"n": 1}'), (None, b"[1, 2]")]
    assert records[0].headers == [("a", b"1"), ("b", b"")]
    assert records[1].headers == [("seen-by", topic_name.encode())]


def test_bad_send_arguments(producer, topic_name):
    with pytest.raises(ValueError):
        producer.send(topic_name)
    with pytest.raises(TypeError):
        producer.send(topic_name, "not bytes")
    with pytest.raises(TypeError):
        producer.send(topic_name, b"v", headers=[("h", "not bytes")])
    with pytest.raises(TypeError):
        producer.send(topic_name, b"v", headers=("h", b"v"))


def test_keys_pick_partitions_as_kafka_python_does(bootstrap, producer, topic_name):
    create_topic(bootstrap, topic_name, partitions=4)
    assert producer.partitions_for(topic_name) == {0, 1, 2, 3}
    keys = [("key-%d" % i).encode() for i in range(20)]
    futures = [producer.send(topic_name, b"v", key=k) for k in keys]
    producer.flush(timeout=30)
    assert all(f.is_done for f in futures)
    for k, f in zip(keys, futures):
        assert f.value.partition == (murmur2(k) & 0x7fffffff) % 4
    again = producer.send(topic_name, b"v2", key=keys[0]).get(30)
    assert again.partition == futures[0].value.partition
    assert producer.send(topic_name, b"p3", partition=3).get(30).partition == 3


def test_flush_completes_every_future(producer, topic_name):
    futures = [producer.send(topic_name, b"%d" % i) for i in range(500)]
    producer.flush(timeout=30)
    assert all(f.is_done and f.succeeded() for f in futures)
    assert sorted(f.value.offset for f in futures) == list(range(500))


@pytest.mark.parametrize("codec", ["gzip", "snappy", "lz4", "zstd"])
def test_compression_types(bootstrap, topic_name, codec):
    with KafkaProducer(bootstrap_servers=bootstrap, compression_type=codec, linger_ms=20) as p:
        futures = [p.send(topic_name, b"compressible " * 20 + b"%d" % i) for i in range(50)]
        p.flush(timeout=30)
        assert [f.get(0).offset for f in futures] == list(range(50))
    if codec == "gzip":  # kafka-python decodes gzip without extra packages
        records = read_back(bootstrap, topic_name, 50)
        assert [r.value for r in records] == [b"compressible " * 20 + b"%d" % i
                                              for i in range(50)]


def test_unknown_codec():
    with pytest.raises(ValueError, match="brotli"):
        KafkaProducer(bootstrap_servers="127.0.0.1:1", compression_type="brotli")


def test_idempotence(bootstrap, topic_name):
    with KafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True) as p:
        assert p.send(topic_name, b"once").get(30).offset == 0
        assert p.metrics()["producer-metrics"]["producer-id"] >= 0
    with pytest.raises(errors.KafkaConfigurationError, match="acks"):
        KafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks=1)
    # Not asked for explicitly: acks=1 just turns idempotence off.
    with KafkaProducer(bootstrap_servers=bootstrap, acks=1) as p:
        assert p.send(topic_name, b"acks1").get(30).offset == 1
        assert p.metrics()["producer-metrics"]["producer-id"] == -1
    with KafkaProducer(bootstrap_servers=bootstrap, acks=0) as p:
        assert p.send(topic_name, b"acks0").get(30).offset == -1


def test_transactions_commit_and_abort(bootstrap, topic_name):
    create_topic(bootstrap, topic_name)
    txn_id = "txn-" + uuid.uuid4().hex[:8]
    group = "group-" + uuid.uuid4().hex[:8]
    with KafkaProducer(bootstrap_servers=bootstrap, transactional_id=txn_id) as p:
        p.init_transactions()
        p.begin_transaction()
        committed = [p.send(topic_name, b"committed-%d" % i) for i in range(3)]
        p.commit_transaction()
        assert all(f.succeeded() for f in committed)
        p.begin_transaction()
        aborted = p.send(topic_name, b"aborted")
        p.flush(timeout=30)
        p.abort_transaction()
        p.poll()
        assert aborted.is_done and aborted.failed()
        p.begin_transaction()
        p.send(topic_name, b"committed-last")
        p.send_offsets_to_transaction(
            {kfk.TopicPartition(topic_name, 0): kfk.OffsetAndMetadata(3, "txn", -1)}, group)
        p.commit_transaction()
        stats = p.metrics()["producer-metrics"]
        assert (stats["txn-commits"], stats["txn-aborts"]) == (2, 1)
    records = read_back(bootstrap, topic_name, 4, isolation_level="read_committed")
    assert [r.value for r in records] == [b"committed-0", b"committed-1", b"committed-2",
                                          b"committed-last"]
    reader = kafka.KafkaConsumer(bootstrap_servers=bootstrap, group_id=group,
                                 enable_auto_commit=False)
    try:
        assert reader.committed(kafka.TopicPartition(topic_name, 0)) == 3
    finally:
        reader.close()


def test_transactional_calls_need_a_transactional_id(producer):
    with pytest.raises(errors.IllegalStateError):
        producer.init_transactions()
    with pytest.raises(errors.IllegalStateError):
        producer.commit_transaction()


def test_unknown_keyword_is_named():
    with pytest.raises(errors.KafkaConfigurationError, match="no_such_option") as info:
        KafkaProducer(bootstrap_servers="127.0.0.1:1", no_such_option=1)
    assert isinstance(info.value, ValueError)  # kafka-python raises ValueError


def test_bad_value_is_named():
    with pytest.raises(errors.KafkaConfigurationError, match="linger"):
        KafkaProducer(bootstrap_servers="127.0.0.1:1", linger_ms=-5)


def test_closed_producer_raises(bootstrap, topic_name):
    p = KafkaProducer(bootstrap_servers=bootstrap)
    pending = p.send(topic_name, b"before close")
    p.close(timeout=30)
    assert pending.is_done and pending.succeeded()
    p.close()
    with pytest.raises(errors.KafkaError, match="closed"):
        p.send(topic_name, b"after close")
    with pytest.raises(errors.KafkaError, match="closed"):
        p.flush()
    with pytest.raises(errors.KafkaError, match="closed"):
        p.partitions_for(topic_name)


def test_garbage_collected_producer_fails_its_futures(bootstrap, topic_name):
    p = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=60000)
    ref = weakref.ref(p)
    future = p.send(topic_name, b"never flushed")
    del p
    gc.collect()
    assert ref() is None
    assert future.is_done and future.failed()
    with pytest.raises(errors.KafkaError):
        future.get(0)


def test_missing_topic_without_auto_create_fails_in_time(bootstrap, topic_name):
    with KafkaProducer(bootstrap_servers=bootstrap, allow_auto_create_topics=False,
                       max_block_ms=2000, delivery_timeout_ms=3000,
                       request_timeout_ms=2000) as p:
        start = time.monotonic()
        with pytest.raises(errors.KafkaTimeoutError):
            p.send(topic_name, b"nowhere")
        assert 1.5 < time.monotonic() - start < 10
        # A partition named explicitly needs no metadata to queue: the
        # record fails on its future at delivery_timeout_ms.
        future = p.send(topic_name, b"nowhere", partition=0)
        with pytest.raises(errors.KafkaError):
            future.get(timeout=20)
        assert future.failed() and time.monotonic() - start < 20
        with pytest.raises(errors.KafkaTimeoutError):
            p.partitions_for(topic_name)


def test_get_timeout(bootstrap, topic_name):
    with KafkaProducer(bootstrap_servers=bootstrap, linger_ms=3000) as p:
        future = p.send(topic_name, b"lingering")
        with pytest.raises(errors.KafkaTimeoutError):
            future.get(timeout=0.2)
        assert future.get(timeout=30).offset == 0


def test_bootstrap_connected_and_metrics(producer, topic_name):
    producer.send(topic_name, b"v").get(30)
    assert producer.bootstrap_connected()
    metrics = producer.metrics()["producer-metrics"]
    assert metrics["produce-version-max"] >= 3 and metrics["buffer-peak"] > 0


def test_threads_share_a_producer_and_close_lets_them_out(bootstrap, topic_name):
    p = KafkaProducer(bootstrap_servers=bootstrap)
    p.send(topic_name, b"first").get(30)
    results, failures = [], []

    def worker(n):
        for i in range(3000):
            try:
                results.append(p.send(topic_name, b"%d-%d" % (n, i)).get(timeout=30))
            except errors.KafkaError as e:  # the producer closed under it
                failures.append(e)
                return

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    p.close(timeout=0)
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads)
    assert results and all(md.offset >= 1 for md in results)
    assert len(set(md.offset for md in results)) == len(results)
    assert len(results) + len(failures) <= 12000
    assert all(isinstance(e, errors.KafkaError) for e in failures)


def test_records_still_queued_at_exit_are_sent(bootstrap, topic_name):
    script = ("from kfk import KafkaProducer\n"
              "p = KafkaProducer(bootstrap_servers=%r, linger_ms=60000)\n"
              "p.send(%r, b'sent at exit')\n" % (bootstrap, topic_name))
    subprocess.run([sys.executable, "-c", script], check=True, timeout=30)
    assert [r.value for r in read_back(bootstrap, topic_name, 1)] == [b"sent at exit"]

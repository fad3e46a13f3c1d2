"""Leak checks: 100,000 records produced and consumed back through one
producer and one consumer, and 200 producers and consumers dropped without
close(), with Python's traced memory (tracemalloc) and the process's RSS
flat from a warm-up to the end, and every client's threads and sockets
gone."""
import gc
import os
import time
import tracemalloc

import pytest

from kfk import KafkaConsumer, KafkaProducer, TopicPartition

PAGE = os.sysconf("SC_PAGE_SIZE")
KIB, MIB = 1024, 1024 * 1024

CYCLES = 100_000
BATCH = 1_000  # records per produce-then-consume round
WARMUP_ROUNDS = 20  # RSS settles within ~15 rounds
# Memory is sampled after each round of the first WINDOW after the warm-up
# and of the last WINDOW, and the highest of each compared: a poll's
# records and the allocator's free lists come and go (half a MiB of Python
# memory from one round to the next), so one sample each is noise. Growth
# allowed over the 60,000 records between the windows: ~4 bytes a record of
# Python memory, ~70 bytes a record of RSS; a record or its metadata leaked
# (>= 100 B each) is over both.
WINDOW = 10
TRACED_TOLERANCE = 256 * KIB
RSS_TOLERANCE = 4 * MIB

CLIENTS = 200
CLIENT_WARMUP = 20
# Every tenth client does a round trip before it is dropped (each takes a
# tenth of a second or more); the others are dropped with work pending.
# Over 180 clients of each kind: a handle kept alive (an I/O thread, its
# buffers) costs far more than 8 MiB / 360; its thread and socket would
# also outlive it, which is checked exactly.
CLIENT_RSS_TOLERANCE = 8 * MIB
CLIENT_TRACED_TOLERANCE = 256 * KIB


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def threads():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    raise AssertionError("no Threads: line in /proc/self/status")


def sockets():
    n = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            n += os.readlink("/proc/self/fd/" + fd).startswith("socket:")
        except OSError:
            pass  # the listing's own descriptor, closed by now
    return n


def measure():
    """Python's traced memory, and RSS less tracemalloc's own tables (which
    grow with the blocks it traces, not with anything kfk keeps)."""
    gc.collect()
    return tracemalloc.get_traced_memory()[0], rss() - tracemalloc.get_tracemalloc_memory()


@pytest.fixture
def traced():
    tracemalloc.start()
    yield
    tracemalloc.stop()


def create_topic(bootstrap, topic):
    """The broker creates the topic (one partition) on the first send."""
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    producer.send(topic, value=b"first", partition=0).get(timeout=30)
    producer.close()


def test_produce_consume_cycles_do_not_grow_memory(bootstrap, topic_name, traced):
    create_topic(bootstrap, topic_name)
    tp = TopicPartition(topic_name, 0)
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=1)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             fetch_max_wait_ms=100)
    consumer.assign([tp])
    consumer.seek(tp, 1)  # past the record that made the topic
    delivered = []
    value = b"v" * 100
    headers = [("h", b"header")]
    next_offset = 1
    rounds = CYCLES // BATCH
    first, last = [], []
    for rnd in range(rounds):
        for i in range(BATCH):
            future = producer.send(topic_name, key=b"%d" % i, value=value, headers=headers,
                                   partition=0)
            future.add_callback(delivered.append)
        producer.flush(timeout=30)
        assert len(delivered) == BATCH, "round %d: %d of %d delivered" % (
            rnd, len(delivered), BATCH)
        assert delivered[-1].offset == next_offset + BATCH - 1
        delivered.clear()

        got, deadline = 0, time.monotonic() + 30
        while got < BATCH:
            assert time.monotonic() < deadline, "round %d: %d records back" % (rnd, got)
            for records in consumer.poll(timeout_ms=1000, max_records=BATCH).values():
                for r in records:
                    assert r.offset == next_offset + got
                    assert r.value == value and r.key == b"%d" % got
                    assert list(r.headers) == headers
                    got += 1
        next_offset += BATCH
        if WARMUP_ROUNDS <= rnd < WARMUP_ROUNDS + WINDOW:
            first.append(measure())
        elif rnd >= rounds - WINDOW:
            last.append(measure())
    producer.close()
    consumer.close()
    between = (rounds - WARMUP_ROUNDS - 2 * WINDOW) * BATCH
    traced = max(t for t, _ in last) - max(t for t, _ in first)
    grown = max(r for _, r in last) - max(r for _, r in first)
    assert traced < TRACED_TOLERANCE, \
        "Python memory grew %d bytes over %d records" % (traced, between)
    assert grown < RSS_TOLERANCE, "RSS grew %d bytes over %d records" % (grown, between)


def use_and_drop(bootstrap, tp, wait):
    """A producer that sent a record and a consumer that polled, both dropped
    without close(); with wait, the record was delivered and one read back
    first (so both had live connections), else both go with work pending."""
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    future = producer.send(tp.topic, value=b"x", partition=tp.partition)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             fetch_max_wait_ms=100)
    consumer.assign([tp])
    if wait:
        assert future.get(timeout=30).topic == tp.topic
        deadline = time.monotonic() + 30
        while not consumer.poll(timeout_ms=1000, max_records=1):
            assert time.monotonic() < deadline, "no record came back"
    else:
        consumer.poll(timeout_ms=0)
    del producer, consumer, future


def settled(baseline, count, timeout=10.0):
    """count() once it is back to baseline, or its last value after timeout."""
    deadline = time.monotonic() + timeout
    n = count()
    while n > baseline and time.monotonic() < deadline:
        time.sleep(0.05)
        gc.collect()
        n = count()
    return n


def test_clients_dropped_without_close_free_their_handles(bootstrap, topic_name, traced):
    create_topic(bootstrap, topic_name)
    tp = TopicPartition(topic_name, 0)
    # With no client alive: what the dropped ones must come back to.
    base_threads, base_sockets = threads(), sockets()
    for i in range(CLIENT_WARMUP):
        use_and_drop(bootstrap, tp, i % 10 == 0)
    base = measure()
    for i in range(CLIENTS - CLIENT_WARMUP):
        use_and_drop(bootstrap, tp, i % 10 == 0)
        if i % 20 == 19:
            gc.collect()
    traced_end, rss_end = measure()
    assert settled(base_threads, threads) == base_threads, "threads of dropped clients remain"
    assert settled(base_sockets, sockets) == base_sockets, "sockets of dropped clients remain"
    n = CLIENTS - CLIENT_WARMUP
    assert traced_end - base[0] < CLIENT_TRACED_TOLERANCE, \
        "Python memory grew %d bytes over %d producers and consumers" % (traced_end - base[0], n)
    assert rss_end - base[1] < CLIENT_RSS_TOLERANCE, \
        "RSS grew %d bytes over %d producers and consumers" % (rss_end - base[1], n)

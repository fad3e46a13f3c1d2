#!/usr/bin/env python3
"""kafka-python's side of bench/run: produce, consume and end-to-end latency,
printing the lines Kafka's ProducerPerformance and ConsumerPerformance print
(and bench/latency's line), so one parser reads every client.

  kafka_python_perf.py [--module kfk] produce BOOTSTRAP TOPIC COUNT SIZE [key=value ...]
  kafka_python_perf.py [--module kfk] consume BOOTSTRAP TOPIC COUNT assign|group [key=value ...]
  kafka_python_perf.py [--module kfk] latency BOOTSTRAP TOPIC RATE SECONDS SIZE [p.key=value|c.key=value ...]

Settings use the Java client's names (linger.ms, batch.size, ...) and are
handed to kafka-python under its own (linger_ms, batch_size, ...).
--module kfk runs the same code on kfk's package: moving from kafka-python
is that import change alone."""
import importlib
import multiprocessing
import random
import struct
import sys
import time

import perf_lines
from perf_lines import IDLE_TIMEOUT_S, pct

KafkaConsumer = KafkaProducer = TopicPartition = None


def use(module):
    """from <module> import KafkaConsumer, KafkaProducer, TopicPartition"""
    global KafkaConsumer, KafkaProducer, TopicPartition
    api = importlib.import_module(module)
    KafkaConsumer, KafkaProducer, TopicPartition = \
        api.KafkaConsumer, api.KafkaProducer, api.TopicPartition


def settings(pairs):
    """Java-named key=value strings to kafka-python keyword arguments."""
    out = {}
    for pair in pairs:
        key, value = pair.split("=", 1)
        if value in ("true", "false"):
            value = value == "true"
        elif value.lstrip("-").isdigit():
            value = int(value)
        elif key == "compression.type" and value == "none":
            value = None
        out[key.replace(".", "_")] = value
    return out


def produce(bootstrap, topic, count, size, conf):
    producer = KafkaProducer(bootstrap_servers=bootstrap, **settings(conf))
    payload = bytes(random.choice(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(size))
    latencies, failed = [], []
    start = time.monotonic()

    def on_done(sent_at, _meta):
        latencies.append((time.monotonic() - sent_at) * 1000.0)

    for _ in range(count):
        future = producer.send(topic, value=payload)
        future.add_callback(on_done, time.monotonic())
        future.add_errback(failed.append)
    producer.flush()
    elapsed = time.monotonic() - start
    producer.close()
    latencies.sort()
    perf_lines.producer(count, size, elapsed, latencies)
    if failed:
        print("%d records failed: %s" % (len(failed), failed[0]), file=sys.stderr)
        return 1
    return 0


def consume(bootstrap, topic, count, mode, conf):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, **settings(conf))
    start = time.time()
    if mode == "group":
        consumer.subscribe([topic])
    else:
        parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
        consumer.assign(parts)
        consumer.seek_to_beginning()
    msgs = nbytes = 0
    last = end = time.time()
    while msgs < count and time.time() - last < IDLE_TIMEOUT_S:
        for records in consumer.poll(timeout_ms=100).values():
            for r in records:
                msgs += 1
                nbytes += len(r.value or b"") + len(r.key or b"")
            last = end = time.time()
    consumer.close()
    perf_lines.consumer(start, end, msgs, nbytes)
    return 0 if msgs >= count else 1


def latency_consumer(bootstrap, topic, conf, ready, expected, results):
    """Runs in its own process (no GIL shared with the producer)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, **settings(conf))
    tp = TopicPartition(topic, 0)
    consumer.assign([tp])
    consumer.seek(tp, consumer.end_offsets([tp])[tp])
    lat, last = [], time.monotonic()
    while expected.value < 0 or len(lat) < expected.value:
        if time.monotonic() - last > IDLE_TIMEOUT_S:
            break
        for records in consumer.poll(timeout_ms=100).values():
            now = time.monotonic_ns()
            for r in records:
                sent = struct.unpack_from("=q", r.value)[0]
                if sent == 0:
                    ready.set()
                else:
                    lat.append((now - sent) / 1e6)
            last = time.monotonic()
    consumer.close()
    lat.sort()
    results.put((len(lat), pct(lat, 0.5), pct(lat, 0.99), pct(lat, 0.999), pct(lat, 1.0)))


def latency(bootstrap, topic, rate, secs, size, conf):
    pconf = [c[2:] for c in conf if c.startswith("p.")]
    cconf = [c[2:] for c in conf if c.startswith("c.")]
    ready, expected = multiprocessing.Event(), multiprocessing.Value("q", -1)
    results = multiprocessing.Queue()
    consumer = multiprocessing.Process(target=latency_consumer,
                                       args=(bootstrap, topic, cconf, ready, expected, results))
    consumer.start()
    producer = KafkaProducer(bootstrap_servers=bootstrap, **settings(pconf))
    filler = bytes(size - 8)
    errors = []
    # The warm-up record pays for metadata, connections and the producer id.
    deadline = time.monotonic() + 30
    while not ready.wait(0.5):
        producer.send(topic, value=struct.pack("=q", 0) + filler, partition=0)
        if time.monotonic() > deadline:
            print("warm-up record did not come back in 30 s", file=sys.stderr)
            consumer.kill()
            return 1
    total, sent = rate * secs, 0
    start = time.monotonic_ns()
    tick = start
    while sent < total:
        due = min(total, (time.monotonic_ns() - start) * rate // 1_000_000_000)
        while sent < due:
            value = struct.pack("=q", time.monotonic_ns()) + filler
            producer.send(topic, value=value, partition=0).add_errback(errors.append)
            sent += 1
        tick += 1_000_000
        pause = (tick - time.monotonic_ns()) / 1e9
        if pause > 0:
            time.sleep(pause)
    end = time.monotonic_ns()
    producer.flush()
    expected.value = sent
    n, p50, p99, p999, pmax = results.get()
    consumer.join()
    producer.close()
    print("latency: sent %d, received %d, errors %d, rate %.1f msg/s, p50 %.3f ms, "
          "p99 %.3f ms, p99.9 %.3f ms, max %.3f ms" % (
              sent, n, len(errors), sent * 1e9 / (end - start), p50, p99, p999, pmax))
    return 0 if n == sent and not errors else 1


def main(argv):
    module = "kafka"
    if argv[1:2] == ["--module"] and len(argv) > 2:
        module, argv = argv[2], argv[:1] + argv[3:]
    use(module)
    try:
        cmd = argv[1]
        if cmd == "produce":
            return produce(argv[2], argv[3], int(argv[4]), int(argv[5]), argv[6:])
        if cmd == "consume" and argv[5] in ("assign", "group"):
            return consume(argv[2], argv[3], int(argv[4]), argv[5], argv[6:])
        if cmd == "latency":
            return latency(argv[2], argv[3], int(argv[4]), int(argv[5]), int(argv[6]), argv[7:])
    except IndexError:
        pass
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

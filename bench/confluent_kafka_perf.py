#!/usr/bin/env python3
"""confluent-kafka's side of bench/run, written the way its documentation
uses it: Producer.produce with a delivery callback, poll(0) after each
produce to serve callbacks, flush at the end; Consumer.consume in batches.
Prints ProducerPerformance's and ConsumerPerformance's lines.

  confluent_kafka_perf.py produce BOOTSTRAP TOPIC COUNT SIZE [key=value ...]
  confluent_kafka_perf.py consume BOOTSTRAP TOPIC COUNT assign|group [key=value ...]

Settings are librdkafka's names (which take the Java client's as they are)."""
import random
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

import perf_lines
from perf_lines import IDLE_TIMEOUT_S

# As many records per consume() as kafka-python's poll returns by default
# (max_poll_records).
BATCH = 500


def conf(bootstrap, pairs):
    out = {"bootstrap.servers": bootstrap}
    out.update(pair.split("=", 1) for pair in pairs)
    return out


def produce(bootstrap, topic, count, size, pairs):
    producer = Producer(conf(bootstrap, pairs))
    payload = bytes(random.choice(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(size))
    latencies, failed = [], []

    def on_delivery(err, msg):
        if err is not None:
            failed.append(err)
        else:
            latencies.append(msg.latency() * 1000.0)

    start = time.monotonic()
    for _ in range(count):
        while True:
            try:
                producer.produce(topic, payload, on_delivery=on_delivery)
                break
            except BufferError:  # the queue is full: serve callbacks until there is room
                producer.poll(0.1)
        producer.poll(0)
    left = producer.flush(60)
    elapsed = time.monotonic() - start
    latencies.sort()
    perf_lines.producer(count, size, elapsed, latencies)
    if failed or left:
        print("%d records failed, %d undelivered: %s" % (len(failed), left, failed[:1]),
              file=sys.stderr)
        return 1
    return 0


def consume(bootstrap, topic, count, mode, pairs):
    settings = conf(bootstrap, pairs)
    if mode == "assign":
        # confluent-kafka wants a group.id even for assigned partitions; this
        # one never joins and commits nothing.
        settings.update({"group.id": "assign-" + topic, "enable.auto.commit": "false"})
    consumer = Consumer(settings)
    start = time.time()
    if mode == "group":
        consumer.subscribe([topic])
    else:
        meta = consumer.list_topics(topic, timeout=10).topics[topic]
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING)
                         for p in sorted(meta.partitions)])
    msgs = nbytes = 0
    last = end = time.time()
    while msgs < count and time.time() - last < IDLE_TIMEOUT_S:
        batch = consumer.consume(num_messages=BATCH, timeout=0.1)
        for m in batch:
            if m.error() is not None:
                print("consume error: %s" % m.error(), file=sys.stderr)
                continue
            msgs += 1
            nbytes += len(m.value() or b"") + len(m.key() or b"")
        if batch:
            last = end = time.time()
    consumer.close()
    perf_lines.consumer(start, end, msgs, nbytes)
    return 0 if msgs >= count else 1


def main(argv):
    try:
        cmd = argv[1]
        if cmd == "produce":
            return produce(argv[2], argv[3], int(argv[4]), int(argv[5]), argv[6:])
        if cmd == "consume" and argv[5] in ("assign", "group"):
            return consume(argv[2], argv[3], int(argv[4]), argv[5], argv[6:])
    except IndexError:
        pass
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

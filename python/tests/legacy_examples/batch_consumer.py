"""Documented example: the batch interface, fetch_messages in a loop."""
import sys
import time

from kfk import KafkaConsumer

bootstrap, topic = sys.argv[1], sys.argv[2]
processed = []


def process_message(m):
    processed.append(m.value)


kafka = consumer = KafkaConsumer(topic, metadata_broker_list=bootstrap,
                                 group_id="batch_" + topic,
                                 auto_offset_reset="smallest")

# One batch per fetch_messages() (the documented loop is `while True`)
deadline = time.monotonic() + 20
while len(processed) < 30 and time.monotonic() < deadline:
    for m in kafka.fetch_messages():
        process_message(m)
        consumer.task_done(m)

assert sorted(processed) == sorted(b"p%d-%d" % (p, i) for p in range(3) for i in range(10))
assert consumer.commit() is True
assert consumer.offsets("commit") == {(topic, p): 10 for p in range(3)}
consumer.close()
print("OK")

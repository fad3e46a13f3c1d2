"""An application written for kafka-python 3.0, untouched but for its imports
in the copy that test_migration.py runs on kfk. It prints a summary that must
be the same on both."""
import json
import sys

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

bootstrap, topic, group = sys.argv[1:4]

admin = KafkaAdminClient(bootstrap_servers=bootstrap)
admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
try:
    admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    duplicate = "created twice"
except TopicAlreadyExistsError:
    duplicate = "TopicAlreadyExistsError"

producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5,
                         key_serializer=str.encode,
                         value_serializer=lambda v: json.dumps(v).encode())
acked = []
for i in range(300):
    future = producer.send(topic, key="user-%d" % (i % 10), value={"n": i},
                           headers=[("source", b"app")])
    future.add_callback(lambda md: acked.append((md.topic, md.partition)))
producer.flush()
first = producer.send(topic, key="user-0", value={"n": -1}).get(timeout=30)
producer.close()

consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group,
                         auto_offset_reset="earliest", enable_auto_commit=False,
                         consumer_timeout_ms=5000,
                         key_deserializer=bytes.decode,
                         value_deserializer=lambda b: json.loads(b.decode()))
per_key = {}
headers_ok = True
total = 0
for record in consumer:
    per_key.setdefault(record.key, []).append(record.value["n"])
    headers_ok &= record.headers == [("source", b"app")] or record.value["n"] == -1
    total += 1
    if total == 301:
        break
consumer.commit()
partitions = sorted(consumer.partitions_for_topic(topic))
committed = sum(consumer.committed(TopicPartition(topic, p)) or 0 for p in partitions)
end = sum(consumer.end_offsets([TopicPartition(topic, p) for p in partitions]).values())
consumer.close()
admin.delete_topics([topic])
admin.close()



def in_order(values):
    """The 300 in send order per key, and the one sent after them last."""
    sent_first = [n for n in values if n >= 0]
    return sent_first == sorted(sent_first) and (-1 not in values or values[-1] == -1)


print(json.dumps({
    "duplicate": duplicate,
    "acked": len(acked),
    "acked_topics": sorted({t for t, _ in acked}) == [topic],
    "last_offset_known": first.offset >= 0,
    "read": total,
    "keys": sorted(per_key),
    "in_order_per_key": all(in_order(v) for v in per_key.values()),
    "headers": headers_ok,
    "partitions": partitions,
    "committed_is_end": committed == end,
}, sort_keys=True))

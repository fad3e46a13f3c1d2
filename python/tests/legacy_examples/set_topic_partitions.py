"""Documented example: set_topic_partitions with topics, partitions and
start offsets, on a consumer built with no topics."""
import sys

from kfk import KafkaConsumer
from kfk.common import ConsumerTimeout

bootstrap, topic1, topic2, topic3 = sys.argv[1:5]

kafka = KafkaConsumer(bootstrap_servers=[bootstrap], consumer_timeout_ms=10000)

# Consume topic1-all; topic2-partition2; topic3-partition0
kafka.set_topic_partitions(topic1, (topic2, 2), {topic3: 0})
assert sorted(kafka.offsets("fetch")) == sorted(
    [(topic1, 0), (topic1, 1), (topic1, 2), (topic2, 2), (topic3, 0)])


def read(consumer, n):
    got = []
    try:
        for m in consumer:
            got.append((m.topic, m.partition, m.offset))
            if len(got) == n:
                break
    except ConsumerTimeout:
        pass
    return sorted(got)


# Consume topic1-0 starting at offset 2, and topic2-1 at offset 4 (the
# documentation says 12 and 45; these topics hold 10 messages a partition)
# using tuples --
kafka.set_topic_partitions((topic1, 0, 2), (topic2, 1, 4))
by_tuples = read(kafka, 14)

# using dict --
kafka.set_topic_partitions({(topic1, 0): 2, (topic2, 1): 4})
by_dict = read(kafka, 14)

want = sorted([(topic1, 0, o) for o in range(2, 10)] + [(topic2, 1, o) for o in range(4, 10)])
assert by_tuples == want, by_tuples
assert by_dict == want, by_dict
kafka.close()
print("OK")

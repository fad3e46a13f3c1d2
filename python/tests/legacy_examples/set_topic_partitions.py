"""Documented example: set_topic_partitions with topics, partitions and
start offsets, on a consumer built with no topics."""
import sys

from kfk import KafkaConsumer
from kfk.common import ConsumerTimeout

bootstrap, topic1, topic2, topic3 = sys.argv[1:5]

kafka = KafkaConsumer(bootstrap_servers=[bootstrap], consumer_timeout_ms=10000)

# All of topic1, partition 2 of topic2, partition 0 of topic3
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


# topic1 partition 0 from offset 2 and topic2 partition 1 from offset 4
# (the documentation's offsets are 12 and 45; these partitions hold 10),
# as (topic, partition, offset) tuples
kafka.set_topic_partitions((topic1, 0, 2), (topic2, 1, 4))
by_tuples = read(kafka, 14)

# and the same as a {(topic, partition): offset} dict
kafka.set_topic_partitions({(topic1, 0): 2, (topic2, 1): 4})
by_dict = read(kafka, 14)

want = sorted([(topic1, 0, o) for o in range(2, 10)] + [(topic2, 1, o) for o in range(4, 10)])
assert by_tuples == want, by_tuples
assert by_dict == want, by_dict
kafka.close()
print("OK")

"""Documented example: every constructor setting with its documented
default, but for the ones this run needs (marked)."""
import sys

from kfk import KafkaConsumer
from kfk.common import ConsumerTimeout

bootstrap, topic = sys.argv[1], sys.argv[2]

consumer = KafkaConsumer(topic,
                         client_id="kafka.consumer.kafka",
                         group_id=None,
                         fetch_message_max_bytes=1024 * 1024,
                         fetch_min_bytes=1,
                         fetch_wait_max_ms=100,
                         refresh_leader_backoff_ms=200,
                         bootstrap_servers=[bootstrap],       # this run's broker
                         socket_timeout_ms=30 * 1000,
                         auto_offset_reset="smallest",        # default 'largest'
                         deserializer_class=lambda msg: msg,
                         auto_commit_enable=False,
                         auto_commit_interval_ms=60 * 1000,
                         consumer_timeout_ms=10000)           # default -1: forever
count = 0
try:
    for m in consumer:
        assert m.value == b"p%d-%d" % (m.partition, m.offset)
        count += 1
        if count == 30:
            break
except ConsumerTimeout:
    pass
consumer.close()
assert count == 30, count
print("OK")

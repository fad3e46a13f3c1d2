"""Documented example: consume one topic in a group, printing each message."""
import sys

from kfk import KafkaConsumer
from kfk.common import ConsumerTimeout

bootstrap, topic = sys.argv[1], sys.argv[2]

consumer = KafkaConsumer(topic,
                         group_id="my_group_" + topic,
                         bootstrap_servers=[bootstrap],
                         auto_offset_reset="smallest",  # the data is already there
                         consumer_timeout_ms=10000)     # a safety net
seen = 0
try:
    for message in consumer:
        # the value is the bytes as produced
        print("%s:%d:%d: key=%s value=%s" % (message.topic, message.partition,
                                             message.offset, message.key,
                                             message.value))
        seen += 1
        if seen == 30:  # all there is (the documented loop runs forever)
            break
except ConsumerTimeout:  # the original consumer ends iteration this way
    pass
consumer.close()
assert seen == 30, seen
print("OK")

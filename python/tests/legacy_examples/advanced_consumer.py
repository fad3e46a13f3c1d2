"""Documented example: several topics, auto-commit of the messages marked
done, from the smallest offset."""
import sys

from kfk import KafkaConsumer
from kfk.common import ConsumerTimeout

bootstrap, topic1, topic2 = sys.argv[1:4]
group = "my_consumer_group_" + topic1
done = []


def do_some_work(m):
    done.append((m.topic, m.partition, m.offset))


# Two topics, offsets auto-committed for the group
consumer = KafkaConsumer(topic1, topic2,
                         bootstrap_servers=[bootstrap],
                         group_id=group,
                         auto_commit_enable=True,
                         auto_commit_interval_ms=30 * 1000,
                         auto_offset_reset="smallest",
                         consumer_timeout_ms=10000)  # a safety net

try:
    for m in consumer:
        do_some_work(m)
        # Only messages marked done are committed
        consumer.task_done(m)
        if len(done) == 60:  # all there is (the documented loop runs forever)
            break
except ConsumerTimeout:
    pass

# An explicit commit (the only kind without auto_commit_enable)
assert consumer.commit() is True
consumer.close()
assert len(done) == 60 and len(set(done)) == 60, len(done)

# The group has everything: a new member starts at the end.
again = KafkaConsumer(topic1, topic2, bootstrap_servers=[bootstrap], group_id=group,
                      auto_commit_enable=True, consumer_timeout_ms=500)
assert all(off == 10 for off in again.offsets("fetch").values()), again.offsets("fetch")
try:
    extra = next(again)
    raise AssertionError("nothing should be left, got %r" % (extra,))
except ConsumerTimeout:
    pass
again.close()
print("OK")

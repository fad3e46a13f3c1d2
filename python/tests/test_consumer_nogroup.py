"""A consumer without group_id that subscribes reads every partition of its
topics, as kafka-python's does (no group, no commits); partitions added
later are picked up at the next metadata refresh."""
import re

import pytest
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewPartitions, NewTopic

from kfk import KafkaConsumer, TopicPartition
from kfk import errors as Errors


def produce(bootstrap, topic, partitions, per_partition, start=0):
    p = KafkaProducer(bootstrap_servers=bootstrap)
    for part in range(partitions):
        for i in range(per_partition):
            p.send(topic, value=b"%d-%d" % (part, start + i), partition=part)
    p.flush()
    p.close()


@pytest.fixture
def admin(bootstrap):
    a = KafkaAdminClient(bootstrap_servers=bootstrap)
    yield a
    a.close()


def read_values(consumer, want, polls=60):
    got = []
    for _ in range(polls):
        for records in consumer.poll(timeout_ms=500).values():
            got.extend(r.value for r in records)
        if len(got) >= want:
            break
    return got


def test_subscribe_without_group_reads_every_partition(bootstrap, admin, topic_name):
    admin.create_topics([NewTopic(topic_name, 3, 1)])
    produce(bootstrap, topic_name, 3, 5)
    consumer = KafkaConsumer(topic_name, bootstrap_servers=bootstrap,
                             auto_offset_reset="earliest", metadata_max_age_ms=1000)
    try:
        assert consumer.subscription() == {topic_name}
        assert consumer.assignment() == {TopicPartition(topic_name, p) for p in range(3)}
        got = read_values(consumer, 15)
        assert sorted(got) == sorted(b"%d-%d" % (p, i) for p in range(3) for i in range(5))

        # A partition added later is read after the next refresh; the others
        # go on from where they were (nothing read twice).
        admin.create_partitions({topic_name: NewPartitions(4)})
        produce(bootstrap, topic_name, 4, 2, start=5)
        more = read_values(consumer, 8)
        assert sorted(more) == sorted(b"%d-%d" % (p, i) for p in range(4) for i in (5, 6))
        assert TopicPartition(topic_name, 3) in consumer.assignment()

        with pytest.raises(Errors.IllegalStateError):
            consumer.commit()
        consumer.unsubscribe()
        assert consumer.assignment() == set() and consumer.subscription() is None
    finally:
        consumer.close()


def test_pattern_without_group(bootstrap, admin, topic_name):
    admin.create_topics([NewTopic(topic_name + "-a", 1, 1), NewTopic(topic_name + "-b", 2, 1)])
    produce(bootstrap, topic_name + "-b", 2, 3)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    try:
        consumer.subscribe(pattern=re.escape(topic_name) + "-.*")
        assert consumer.assignment() == {TopicPartition(topic_name + "-a", 0),
                                         TopicPartition(topic_name + "-b", 0),
                                         TopicPartition(topic_name + "-b", 1)}
        assert len(read_values(consumer, 6)) == 6
    finally:
        consumer.close()

"""The record type the consumer hands out, as kafka-python's
kafka.consumer.fetcher.ConsumerRecord (same fields, same order)."""
from collections import namedtuple

ConsumerRecord = namedtuple("ConsumerRecord", [
    "topic", "partition", "leader_epoch", "offset", "timestamp", "timestamp_type",
    "key", "value", "headers", "checksum", "serialized_key_size",
    "serialized_value_size", "serialized_header_size"])

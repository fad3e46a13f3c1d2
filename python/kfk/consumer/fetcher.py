"""The record type the consumer hands out, as kafka-python's
kafka.consumer.fetcher.ConsumerRecord: the same fields in the same order.

kafka-python's is a namedtuple; kfk's is a C type (kfk._kfk.ConsumerRecord,
python/src/record.c) that reads like one: attributes, indexing, slicing,
unpacking, len, equality with and the hash of the tuple of its fields,
repr, _fields, _asdict, _replace, _make, pickling. It is not a tuple
subclass: isinstance(record, tuple) is False."""
from kfk._kfk import ConsumerRecord

__all__ = ["ConsumerRecord"]

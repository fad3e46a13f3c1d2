"""What KafkaProducer.send returns: a future (C, one per record) that gives
a RecordMetadata once the record is written."""
import collections

from kfk import _kfk
from kfk import _log
from kfk.structs import TopicPartition

log = _log.Logger(__name__)

RecordMetadata = collections.namedtuple(
    "RecordMetadata",
    ["topic", "partition", "topic_partition", "offset", "timestamp", "checksum",
     "serialized_key_size", "serialized_value_size", "serialized_header_size"])

FutureRecordMetadata = _kfk.FutureRecordMetadata


def _callback_failed(fn, exc):
    # As kafka-python: a failing callback is logged; the others still run.
    log.error("Error processing callback %r", fn, exc_info=exc)


_kfk.Producer._setup(RecordMetadata, TopicPartition, _callback_failed)

__all__ = ["FutureRecordMetadata", "RecordMetadata"]

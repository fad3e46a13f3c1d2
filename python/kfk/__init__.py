"""kfk: kafka-python's API on kfk's C core. Moving from kafka-python is the
import change alone: ``from kafka import X`` becomes ``from kfk import X``."""
import logging

from kfk import _kfk, errors

_kfk._set_error_factory(errors._from_kfk)

__title__ = "kfk"
__version__ = "0.1.0"
logging.getLogger(__name__).addHandler(logging.NullHandler())

from kfk.admin import KafkaAdminClient  # noqa: E402
from kfk.structs import (  # noqa: E402
    ConsumerGroupMetadata, OffsetAndMetadata, TopicPartition, TopicPartitionReplica,
)
from kfk.consumer import KafkaConsumer  # noqa: E402
from kfk.producer import KafkaProducer  # noqa: E402

__all__ = [
    "KafkaAdminClient", "KafkaConsumer", "KafkaProducer",
    "ConsumerGroupMetadata", "OffsetAndMetadata", "TopicPartition", "TopicPartitionReplica",
]

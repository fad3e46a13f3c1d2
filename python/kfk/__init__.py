"""kfk: kafka-python's API on kfk's C core. Moving from kafka-python is the
import change alone: ``from kafka import X`` becomes ``from kfk import X``."""
from kfk import _kfk, errors

_kfk._set_error_factory(errors._from_kfk)

__title__ = "kfk"
__version__ = "0.1.0"

from kfk.consumer import KafkaConsumer  # noqa: E402
from kfk.producer import KafkaProducer  # noqa: E402
from kfk.serializer import DefaultSerializer, Deserializer, JsonSerializer, Serializer  # noqa: E402
from kfk.structs import (  # noqa: E402
    ConsumerGroupMetadata, OffsetAndMetadata, TopicPartition, TopicPartitionReplica,
)

__all__ = [
    "KafkaAdminClient", "KafkaConsumer", "KafkaProducer",
    "AsyncConsumerRebalanceListener", "ConsumerRebalanceListener",
    "DefaultSerializer", "JsonSerializer", "Serializer", "Deserializer",
    "ConsumerGroupMetadata", "OffsetAndMetadata", "TopicPartition", "TopicPartitionReplica",
    "IsolationLevel", "OffsetSpec",
]

# The admin client's modules (enums, ACL classes) and the rebalance
# listeners' (abstract classes) are imported on first use: a program that
# only produces or consumes does not pay for them.
_LAZY = {"KafkaAdminClient": "kfk.admin", "IsolationLevel": "kfk.admin.types",
         "OffsetSpec": "kfk.admin.types",
         "AsyncConsumerRebalanceListener": "kfk.consumer.subscription_state",
         "ConsumerRebalanceListener": "kfk.consumer.subscription_state"}


def __getattr__(name):
    import importlib
    if name == "admin":  # kfk.admin without importing it, as before
        return importlib.import_module("kfk.admin")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError("module 'kfk' has no attribute %r" % (name,))
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | {"admin"})

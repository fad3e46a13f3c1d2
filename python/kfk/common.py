"""Names the original kafka-python (0.9) imported from kafka.common, for
scripts written against its KafkaConsumer."""
from kfk.consumer.legacy import ConsumerTimeout, KafkaMessage, OffsetsStruct
from kfk.errors import *  # noqa: F401,F403  (kafka.common re-exported the errors too)

__all__ = ["ConsumerTimeout", "KafkaMessage", "OffsetsStruct"]

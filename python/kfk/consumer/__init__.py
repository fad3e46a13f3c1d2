"""kafka-python 3.0's consumer on kfk's C core."""
from kfk.consumer.group import KafkaConsumer

__all__ = ["KafkaConsumer"]

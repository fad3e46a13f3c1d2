"""kafka-python's kafka.producer, on kfk."""
from kfk.producer.kafka import KafkaProducer

__all__ = ["KafkaProducer"]

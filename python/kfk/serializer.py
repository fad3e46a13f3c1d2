"""kafka-python's serializer interfaces: an object with
serialize(topic, headers, data) (or deserialize) may be given wherever a
plain one-argument callable is accepted."""
from abc import ABC, abstractmethod


class Serializer(ABC):
    @abstractmethod
    def serialize(self, topic, headers, data):
        """bytes (or None) for data sent to topic with headers."""

    def close(self):
        pass


class Deserializer(ABC):
    @abstractmethod
    def deserialize(self, topic, headers, data):
        """The value for data (bytes or None) read from topic."""

    def close(self):
        pass


class SerializeWrapper(Serializer):
    """A plain callable fn(data) as a Serializer."""

    def __init__(self, fn):
        self.fn = fn

    def serialize(self, topic, headers, data):
        return data if self.fn is None else self.fn(data)


class DeserializeWrapper(Deserializer):
    """A plain callable fn(data) as a Deserializer."""

    def __init__(self, fn):
        self.fn = fn

    def deserialize(self, topic, headers, data):
        return data if self.fn is None else self.fn(data)

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


class DefaultSerializer(Serializer, Deserializer):
    """str <-> bytes in encoding; bytes-like values and None pass through
    serialize unchanged (None also through deserialize)."""

    def __init__(self, encoding="utf-8"):
        self.encoding = encoding

    def serialize(self, topic, headers, data):
        if data is None or isinstance(data, (bytes, bytearray, memoryview)):
            return data
        return data.encode(self.encoding)

    def deserialize(self, topic, headers, data):
        return None if data is None else bytes(data).decode(self.encoding)


class JsonSerializer(DefaultSerializer):
    """Any JSON-able value as its JSON text in encoding; None stays None
    (a tombstone), it is not sent as the text null."""

    def serialize(self, topic, headers, data):
        if data is None:
            return None
        import json  # only here: most processes never load it
        return super().serialize(topic, headers, json.dumps(data))

    def deserialize(self, topic, headers, data):
        if data is None:
            return None
        import json
        return json.loads(super().deserialize(topic, headers, data))

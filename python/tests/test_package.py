"""The package itself: it imports as kfk, is the installed build, and maps
kfk's errors onto kafka-python's classes."""
import kfk
from kfk import _kfk, errors


def test_imports_the_installed_extension():
    assert _kfk.__file__.endswith(".abi3.so")
    assert _kfk.version() == kfk.__version__


def test_broker_error_codes_map_to_kafka_python_classes():
    assert errors.for_code(3) is errors.UnknownTopicOrPartitionError
    assert errors.UnknownTopicOrPartitionError.message == "UNKNOWN_TOPIC_OR_PARTITION"
    assert errors.for_code(7).retriable
    unknown = errors.for_code(9999)
    assert issubclass(unknown, errors.UnknownError) and unknown.errno == 9999


def test_kfk_codes_map_to_client_errors():
    assert isinstance(errors._from_kfk(-105, "timed out"), errors.KafkaTimeoutError)
    assert isinstance(errors._from_kfk(-104, "bad"), errors.KafkaConfigurationError)
    err = errors._from_kfk(36, "exists")
    assert isinstance(err, errors.TopicAlreadyExistsError) and str(err).endswith("exists")

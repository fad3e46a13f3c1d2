"""The package itself: it imports as kfk, is the installed build, and maps
kfk's errors onto kafka-python's classes."""
import subprocess
import sys

import kfk
from kfk import _kfk, errors


def test_imports_the_installed_extension():
    assert _kfk.__file__.endswith(".abi3.so")
    assert _kfk.version() == kfk.__version__


LAZY_IMPORTS = r"""
import sys
import kfk
assert "logging" not in sys.modules, "import kfk imported logging"
assert not [m for m in sys.modules if m.startswith("kfk.admin")], "import kfk imported kfk.admin"
heavy = {"re", "socket", "selectors", "enum", "weakref", "threading", "kfk.consumer.legacy",
         "kfk.consumer.subscription_state"} & set(sys.modules)
assert not heavy, "import kfk imported %s" % sorted(heavy)
assert not [n for n in kfk.errors._BROKER_ERRORS if n in vars(kfk.errors)], "error classes made"
assert "KafkaAdminClient" in dir(kfk) and "admin" in dir(kfk)
assert kfk.ConsumerRebalanceListener.__module__ == "kfk.consumer.subscription_state"
assert kfk.admin.NewTopic.__module__ == "kfk.admin.types"
assert kfk.KafkaAdminClient.__name__ == "KafkaAdminClient"
assert kfk.IsolationLevel.READ_COMMITTED == 1 and kfk.OffsetSpec.LATEST == -1
from kfk.consumer import group
group.log.debug("first use")
import logging
assert any(isinstance(h, logging.NullHandler) for h in logging.getLogger("kfk").handlers)
try:
    kfk.NoSuchName
except AttributeError as e:
    assert "NoSuchName" in str(e)
else:
    raise AssertionError("kfk.NoSuchName did not raise AttributeError")
"""


def test_import_defers_logging_and_admin():
    # In a fresh interpreter: pytest has imported logging already.
    subprocess.run([sys.executable, "-c", LAZY_IMPORTS], check=True, timeout=60)


def test_broker_error_codes_map_to_kafka_python_classes():
    assert errors.for_code(3) is errors.UnknownTopicOrPartitionError
    # Made on first use, once: the same class however it is reached.
    assert errors.CorruptRecordException is errors.CorruptRecordError is errors.for_code(2)
    assert errors.kafka_errors[6] is errors.NotLeaderForPartitionError
    assert errors.kafka_errors[35] is errors.UnsupportedVersionError
    assert issubclass(errors.IncompatibleBrokerVersion, errors.UnsupportedVersionError)
    assert issubclass(errors.NotLeaderForPartitionError, errors.InvalidMetadataError)
    assert errors.NotLeaderForPartitionError.__module__ == "kfk.errors"
    assert set(errors.__all__) >= set(errors._BROKER_ERRORS) | {"KafkaError", "for_code"}
    assert errors.UnknownTopicOrPartitionError.message == "UNKNOWN_TOPIC_OR_PARTITION"
    assert errors.for_code(7).retriable
    unknown = errors.for_code(9999)
    assert issubclass(unknown, errors.UnknownError) and unknown.errno == 9999


def test_kfk_codes_map_to_client_errors():
    assert isinstance(errors._from_kfk(-105, "timed out"), errors.KafkaTimeoutError)
    assert isinstance(errors._from_kfk(-104, "bad"), errors.KafkaConfigurationError)
    err = errors._from_kfk(36, "exists")
    assert isinstance(err, errors.TopicAlreadyExistsError) and str(err).endswith("exists")

"""kfk's ConsumerRecord (a C type) against kafka-python 3.0's namedtuple:
what user code does with a record gives the same results. No broker."""
import copy
import pickle

import pytest
from kafka.consumer.fetcher import ConsumerRecord as Theirs

from kfk.consumer.fetcher import ConsumerRecord

FIELDS = ("t", 3, 7, 1234567890123, 1700000000000, 0, b"k", b"v", [("h", b"x")], None, 1, 1, 2)


def pair(fields=FIELDS):
    return ConsumerRecord(*fields), Theirs(*fields)


def test_fields_attributes_and_repr():
    ours, theirs = pair()
    assert ConsumerRecord._fields == Theirs._fields
    assert ConsumerRecord.__match_args__ == Theirs._fields
    for name in Theirs._fields:
        assert getattr(ours, name) == getattr(theirs, name)
    assert repr(ours) == repr(theirs)
    assert ConsumerRecord.__module__ == "kfk.consumer.fetcher"


def test_sequence_protocol():
    ours, theirs = pair()
    assert len(ours) == 13
    assert list(ours) == list(theirs)
    assert ours[3] == theirs[3] and ours[-1] == theirs[-1] and ours[2:5] == theirs[2:5]
    topic, partition, *rest = ours
    assert (topic, partition, len(rest)) == ("t", 3, 11)
    assert b"v" in ours and ours.index(b"v") == 7 and ours.count(1) == 2
    with pytest.raises(IndexError):
        ours[13]


def test_equality_and_hash_as_a_tuple():
    ours, theirs = pair()
    assert ours == theirs and theirs == ours and ours == FIELDS and FIELDS == ours
    assert ours != ConsumerRecord(*FIELDS[:3] + (0,) + FIELDS[4:])
    assert ours < ConsumerRecord(*FIELDS[:3] + (FIELDS[3] + 1,) + FIELDS[4:])
    with pytest.raises(TypeError):
        hash(ours)  # headers is a list, as with the namedtuple
    hashable = FIELDS[:8] + ((),) + FIELDS[9:]
    assert hash(ConsumerRecord(*hashable)) == hash(Theirs(*hashable)) == hash(hashable)


def test_namedtuple_methods():
    ours, theirs = pair()
    assert ours._asdict() == theirs._asdict()
    assert list(ours._asdict()) == list(Theirs._fields)
    changed = ours._replace(value=b"w", key=None)
    assert changed == theirs._replace(value=b"w", key=None) and type(changed) is ConsumerRecord
    assert ours.value == b"v"
    with pytest.raises(ValueError):
        ours._replace(nope=1)
    assert ConsumerRecord._make(FIELDS) == ours
    assert ConsumerRecord(**theirs._asdict()) == ours
    with pytest.raises(TypeError):
        ConsumerRecord(*FIELDS[:12])


def test_pickle_copy_and_immutability():
    ours, _ = pair()
    assert pickle.loads(pickle.dumps(ours)) == ours
    assert copy.copy(ours) == ours and copy.deepcopy(ours) == ours
    with pytest.raises(AttributeError):
        ours.value = b"x"
    with pytest.raises(AttributeError):
        ours.offset = 1


def test_not_a_tuple_subclass():
    # The documented difference from kafka-python's namedtuple.
    ours, theirs = pair()
    assert isinstance(theirs, tuple) and not isinstance(ours, tuple)
    assert tuple(ours) == tuple(theirs)


def test_subclass():
    class Mine(ConsumerRecord):
        def size(self):
            return self.serialized_value_size

    m = Mine(*FIELDS)
    assert m.size() == 1 and m == FIELDS and repr(m).startswith("Mine(topic='t'")

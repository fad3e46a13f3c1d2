"""The plain records kafka-python's API passes around (same names and fields)."""
from collections import namedtuple

TopicPartition = namedtuple("TopicPartition", ["topic", "partition"])
TopicPartitionReplica = namedtuple("TopicPartitionReplica", ["topic", "partition", "broker_id"])
OffsetAndMetadata = namedtuple("OffsetAndMetadata", ["offset", "metadata", "leader_epoch"],
                               defaults=[None, "", -1])
OffsetAndTimestamp = namedtuple("OffsetAndTimestamp", ["offset", "timestamp", "leader_epoch"])


class MemberState:
    """The group membership states ConsumerGroupMetadata.state reports."""
    UNJOINED = "<unjoined>"
    REBALANCING = "<rebalancing>"
    STABLE = "<stable>"


ConsumerGroupMetadata = namedtuple(
    "ConsumerGroupMetadata",
    ["group_id", "generation_id", "member_id", "group_instance_id", "state"],
    defaults=[None, -1, "", None, MemberState.UNJOINED])

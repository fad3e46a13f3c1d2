"""The "roundrobin" assignor: all partitions dealt out in turn."""
from kfk.coordinator.assignors.abstract import _CoreAssignor


class RoundRobinPartitionAssignor(_CoreAssignor):
    name = "roundrobin"

"""The "range" assignor: each topic's partitions in contiguous runs."""
from kfk.coordinator.assignors.abstract import _CoreAssignor


class RangePartitionAssignor(_CoreAssignor):
    name = "range"

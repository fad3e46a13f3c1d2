"""The "cooperative-sticky" assignor: balanced, keeps partitions where they
are, and rebalances incrementally."""
from kfk.coordinator.assignors.abstract import RebalanceProtocol, _CoreAssignor


class CooperativeStickyAssignor(_CoreAssignor):
    name = "cooperative-sticky"
    protocol = RebalanceProtocol.COOPERATIVE

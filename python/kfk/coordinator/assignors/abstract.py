"""What kfk's assignor classes share: the name the C core knows them by."""
from enum import IntEnum


class RebalanceProtocol(IntEnum):
    EAGER = 0  # every member gives up all its partitions at each rebalance
    COOPERATIVE = 1  # only the partitions that move are given up (KIP-429)


class _CoreAssignor:
    """An assignor kfk's C core runs. KafkaConsumer's
    partition_assignment_strategy takes the class (or its name); the
    assignment itself is computed in C, so these classes hold no logic."""
    name = None
    protocol = RebalanceProtocol.EAGER

    def supported_protocols(self):
        return [self.protocol]

"""The rebalance listener interface of kafka-python's
kafka.consumer.subscription_state, under the same name."""
from abc import ABC, abstractmethod


class ConsumerRebalanceListener(ABC):
    """Receives a subscribed consumer's partition changes. The methods run
    on the thread calling KafkaConsumer.poll (or iterating), inside it:
    on_partitions_revoked before partitions are taken away (committing them
    still works), on_partitions_assigned once the new ones are assigned
    (seek works there)."""

    @abstractmethod
    def on_partitions_revoked(self, revoked):
        """revoked: the TopicPartitions this consumer gives up."""

    @abstractmethod
    def on_partitions_assigned(self, assigned):
        """assigned: the TopicPartitions this consumer now owns."""

    def on_partitions_lost(self, lost):
        """The partitions were taken by the group already (this member was
        evicted): committing them fails. By default the same as revoked."""
        return self.on_partitions_revoked(lost)

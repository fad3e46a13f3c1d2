"""The rebalance listener interfaces of kafka-python's
kafka.consumer.subscription_state, under the same names."""
from abc import ABC, abstractmethod


def __getattr__(name):
    # SubscriptionType is made on first use: enum costs every process that
    # imports kfk milliseconds, and kfk itself never needs it.
    if name != "SubscriptionType":
        raise AttributeError("module %r has no attribute %r" % (__name__, name))
    from enum import IntEnum

    class SubscriptionType(IntEnum):
        """How a consumer chose its partitions."""
        NONE = 0
        AUTO_TOPICS = 1
        AUTO_PATTERN = 2
        USER_ASSIGNED = 3

    SubscriptionType.__qualname__ = name  # for repr and pickle
    globals()[name] = SubscriptionType
    return SubscriptionType


def __dir__():
    return sorted(set(globals()) | {"SubscriptionType"})


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


class AsyncConsumerRebalanceListener(ABC):
    """ConsumerRebalanceListener whose methods are coroutines (async def).
    Each is awaited to its end at the same point a plain listener's method
    is called, so the rebalance goes on only once it has finished; while
    it awaits, other asyncio work of its event loop runs."""

    @abstractmethod
    async def on_partitions_revoked(self, revoked):
        """revoked: the TopicPartitions this consumer gives up."""

    @abstractmethod
    async def on_partitions_assigned(self, assigned):
        """assigned: the TopicPartitions this consumer now owns."""

    async def on_partitions_lost(self, lost):
        """The partitions were taken by the group already. By default
        awaits on_partitions_revoked."""
        await self.on_partitions_revoked(lost)


def call_listener(listener, method, partitions):
    """Calls listener.method(partitions); a coroutine method is run to its
    end, on a private event loop of this thread, or on one of a short-lived
    thread when this thread already runs an event loop (poll called from a
    coroutine), which cannot be re-entered."""
    import inspect  # only here: with dis and ast it costs every process ~10 ms
    fn = getattr(listener, method)
    if not inspect.iscoroutinefunction(fn):
        return fn(partitions)
    import asyncio  # only here: importing it costs every process ~30 ms of CPU
    import threading
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(fn(partitions))
    outcome = {}

    def run():
        try:
            outcome["value"] = asyncio.run(fn(partitions))
        except BaseException as e:  # handed to the caller's thread below
            outcome["error"] = e

    t = threading.Thread(target=run, name="kfk-rebalance-listener")
    t.start()
    t.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")

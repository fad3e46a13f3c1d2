"""The argument classes and enums of kfk.admin, with kafka-python 3.0's
names, values and constructor signatures."""
from enum import Enum, IntEnum


class _Named:
    """build_from / value_for: a member from itself, its value or its name
    (any case, '-' for '_'), as kafka-python's enums accept."""

    @classmethod
    def build_from(cls, val):
        if isinstance(val, cls):
            return val
        try:
            return cls(val)
        except ValueError:
            pass
        try:
            return cls[str(val).strip().upper().replace('-', '_')]
        except KeyError:
            raise ValueError("Unrecognized %s: %s" % (cls.__name__, val)) from None

    @classmethod
    def value_for(cls, val):
        return cls.build_from(val).value


class ConfigResourceType(_Named, IntEnum):
    UNKNOWN = 0
    TOPIC = 2
    BROKER = 4
    BROKER_LOGGER = 8
    CLIENT_METRICS = 16
    GROUP = 32


class AlterConfigOp(_Named, IntEnum):
    SET = 0
    DELETE = 1
    APPEND = 2
    SUBTRACT = 3


class ConfigType(_Named, IntEnum):
    UNKNOWN = 0
    BOOLEAN = 1
    STRING = 2
    INT = 3
    SHORT = 4
    LONG = 5
    DOUBLE = 6
    LIST = 7
    CLASS = 8
    PASSWORD = 9


class ConfigSourceType(_Named, IntEnum):
    UNKNOWN = 0
    DYNAMIC_TOPIC_CONFIG = 1
    DYNAMIC_BROKER_CONFIG = 2
    DYNAMIC_DEFAULT_BROKER_CONFIG = 3
    STATIC_BROKER_CONFIG = 4
    DEFAULT_CONFIG = 5
    DYNAMIC_BROKER_LOGGER_CONFIG = 6
    DYNAMIC_CLIENT_METRICS_CONFIG = 7
    DYNAMIC_GROUP_CONFIG = 8

    def is_modified(self):
        # defaults, static broker settings and cluster-wide defaults are not
        # changes made to this resource
        return self.value not in (3, 4, 5)


class ConfigFilterType(_Named, IntEnum):
    ALL = 0
    DYNAMIC = 1
    MODIFIED = 2
    DEFAULT = 3
    STATIC = 4

    def should_skip(self, source):
        if self is ConfigFilterType.MODIFIED:
            return not source.is_modified()
        if self is ConfigFilterType.DEFAULT:
            return source.is_modified()
        if self is ConfigFilterType.STATIC:
            return source is not ConfigSourceType.STATIC_BROKER_CONFIG
        return False


class IsolationLevel(_Named, IntEnum):
    READ_UNCOMMITTED = 0
    READ_COMMITTED = 1


class OffsetSpec(_Named, IntEnum):
    LATEST = -1
    EARLIEST = -2
    MAX_TIMESTAMP = -3
    EARLIEST_LOCAL = -4
    LATEST_TIERED = -5


class OffsetTimestamp(int):
    """A timestamp in ms (the first offset at or after it), told apart from
    a plain offset."""
    __slots__ = ()

    def __repr__(self):
        return "OffsetTimestamp(%d)" % int(self)


class GroupState(_Named, str, Enum):
    UNKNOWN = 'Unknown'
    PREPARING_REBALANCE = 'PreparingRebalance'
    COMPLETING_REBALANCE = 'CompletingRebalance'
    STABLE = 'Stable'
    DEAD = 'Dead'
    EMPTY = 'Empty'
    ASSIGNING = 'Assigning'
    RECONCILING = 'Reconciling'


class GroupType(_Named, str, Enum):
    UNKNOWN = 'Unknown'
    CLASSIC = 'classic'
    CONSUMER = 'consumer'
    SHARE = 'share'


class ConfigResource:
    """A resource whose configs to describe (configs: keys, None for all)
    or alter (configs: {key: value} or {key: (AlterConfigOp, value)})."""

    def __init__(self, resource_type, name, configs=None):
        if not isinstance(resource_type, ConfigResourceType):
            resource_type = ConfigResourceType[str(resource_type).upper()]
        self.resource_type = resource_type
        self.name = name
        self.configs = configs

    def __str__(self):
        return "ConfigResource %s=%s" % (self.name, self.resource_type)

    def __repr__(self):
        return "ConfigResource(%s, %s, %s)" % (self.resource_type, self.name, self.configs)


class NewTopic:
    """A topic to create: num_partitions and replication_factor (-1: the
    broker's defaults), or replica_assignments {partition: [broker ids]}."""

    def __init__(self, name, num_partitions=-1, replication_factor=-1,
                 replica_assignments=None, topic_configs=None):
        self.name = name
        self.num_partitions = num_partitions
        self.replication_factor = replication_factor
        self.replica_assignments = replica_assignments or {}
        self.topic_configs = topic_configs or {}


class NewPartitions:
    """A topic's new partition count (total_count), optionally with the
    replicas of each added partition."""

    def __init__(self, total_count, new_assignments=None):
        self.total_count = total_count
        self.new_assignments = new_assignments

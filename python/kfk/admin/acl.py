"""ACL bindings and filters for KafkaAdminClient's ACL methods, with
kafka-python 3.0's class names, enum values and constructor signatures."""
from enum import IntEnum

from kfk.errors import IllegalArgumentError


class ResourceType(IntEnum):
    """What an ACL is on (ANY: filters only)."""
    UNKNOWN = 0
    ANY = 1
    TOPIC = 2
    GROUP = 3
    CLUSTER = 4
    TRANSACTIONAL_ID = 5
    DELEGATION_TOKEN = 6
    USER = 7


class ACLOperation(IntEnum):
    """What an ACL allows or denies (ANY: filters only)."""
    UNKNOWN = 0
    ANY = 1
    ALL = 2
    READ = 3
    WRITE = 4
    CREATE = 5
    DELETE = 6
    ALTER = 7
    DESCRIBE = 8
    CLUSTER_ACTION = 9
    DESCRIBE_CONFIGS = 10
    ALTER_CONFIGS = 11
    IDEMPOTENT_WRITE = 12
    CREATE_TOKENS = 13
    DESCRIBE_TOKENS = 14


class ACLPermissionType(IntEnum):
    """Allow or deny (ANY: filters only)."""
    UNKNOWN = 0
    ANY = 1
    DENY = 2
    ALLOW = 3


class ACLResourcePatternType(IntEnum):
    """How resource_name matches (KIP-290); ANY and MATCH: filters only."""
    UNKNOWN = 0
    ANY = 1
    MATCH = 2
    LITERAL = 3
    PREFIXED = 4


class ResourcePatternFilter:
    """The resources a filter selects (resource_name None: any name)."""

    def __init__(self, resource_type, resource_name, pattern_type):
        self.resource_type = resource_type
        self.resource_name = resource_name
        self.pattern_type = pattern_type
        self.validate()

    def validate(self):
        if not isinstance(self.resource_type, ResourceType):
            raise IllegalArgumentError("resource_type must be a ResourceType, not %r"
                                       % (self.resource_type,))
        if not isinstance(self.pattern_type, ACLResourcePatternType):
            raise IllegalArgumentError("pattern_type must be an ACLResourcePatternType, not %r"
                                       % (self.pattern_type,))

    def _key(self):
        return (self.resource_type, self.resource_name, self.pattern_type)

    def __eq__(self, other):
        return isinstance(other, ResourcePatternFilter) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return "<ResourcePattern type=%s, name=%s, pattern=%s>" % (
            getattr(self.resource_type, 'name', self.resource_type), self.resource_name,
            getattr(self.pattern_type, 'name', self.pattern_type))


class ResourcePattern(ResourcePatternFilter):
    """One concrete resource pattern an ACL is bound to."""

    def __init__(self, resource_type, resource_name,
                 pattern_type=ACLResourcePatternType.LITERAL):
        super().__init__(resource_type, resource_name, pattern_type)

    # As kafka-python, a concrete pattern checks only that it is concrete
    # (plain ints are accepted as the enums' values).
    def validate(self):
        if self.resource_type == ResourceType.ANY:
            raise IllegalArgumentError("resource_type cannot be ANY in a ResourcePattern")
        if self.pattern_type in (ACLResourcePatternType.ANY, ACLResourcePatternType.MATCH):
            raise IllegalArgumentError("pattern_type cannot be %s in a ResourcePattern"
                                       % (self.pattern_type,))


class ACLFilter:
    """Selects ACLs to describe or delete (principal or host None: any)."""

    def __init__(self, principal, host, operation, permission_type, resource_pattern):
        self.principal = principal
        self.host = host
        self.operation = operation
        self.permission_type = permission_type
        self.resource_pattern = resource_pattern
        self.validate()

    def validate(self):
        if not isinstance(self.operation, ACLOperation):
            raise IllegalArgumentError("operation must be an ACLOperation, not %r"
                                       % (self.operation,))
        if not isinstance(self.permission_type, ACLPermissionType):
            raise IllegalArgumentError("permission_type must be an ACLPermissionType, not %r"
                                       % (self.permission_type,))
        if not isinstance(self.resource_pattern, ResourcePatternFilter):
            raise IllegalArgumentError("resource_pattern must be a ResourcePatternFilter, not %r"
                                       % (self.resource_pattern,))

    def _key(self):
        return (self.principal, self.host, self.operation, self.permission_type,
                self.resource_pattern)

    def __eq__(self, other):
        return isinstance(other, ACLFilter) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return "<ACL principal=%s, resource=%s, operation=%s, type=%s, host=%s>" % (
            self.principal, self.resource_pattern, getattr(self.operation, 'name', self.operation),
            getattr(self.permission_type, 'name', self.permission_type), self.host)


class ACL(ACLFilter):
    """One ACL binding: principal may do operation on resource_pattern from
    host (or may not, by permission_type)."""

    # As kafka-python, a binding checks only that it is concrete.
    def validate(self):
        if self.operation == ACLOperation.ANY:
            raise IllegalArgumentError("operation cannot be ANY in an ACL")
        if self.permission_type == ACLPermissionType.ANY:
            raise IllegalArgumentError("permission_type cannot be ANY in an ACL")
        if not isinstance(self.resource_pattern, ResourcePattern):
            raise IllegalArgumentError("resource_pattern must be a ResourcePattern, not %r"
                                       % (self.resource_pattern,))


def _to_tuple(f):
    """An ACL or ACLFilter as the C type's tuple."""
    p = f.resource_pattern
    return (int(p.resource_type), p.resource_name, int(p.pattern_type), f.principal, f.host,
            int(f.operation), int(f.permission_type))


def _from_tuple(t):
    rtype, name, pattern, principal, host, operation, permission = t
    return ACL(principal, host, ACLOperation(operation), ACLPermissionType(permission),
               ResourcePattern(ResourceType(rtype), name, ACLResourcePatternType(pattern)))

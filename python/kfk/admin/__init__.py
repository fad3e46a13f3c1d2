"""kfk.admin: KafkaAdminClient and its argument classes, as kafka.admin."""
from kfk.admin.acl import (
    ACL, ACLFilter, ACLOperation, ACLPermissionType, ACLResourcePatternType, ResourcePattern,
    ResourcePatternFilter, ResourceType,
)
from kfk.admin.client import KafkaAdminClient
from kfk.admin.types import (
    AlterConfigOp, ConfigFilterType, ConfigResource, ConfigResourceType, ConfigSourceType,
    ConfigType, GroupState, GroupType, NewPartitions, NewTopic, OffsetSpec, OffsetTimestamp,
)

__all__ = [
    'KafkaAdminClient',
    'ACL', 'ACLFilter', 'ACLOperation', 'ACLPermissionType', 'ACLResourcePatternType',
    'ResourceType', 'ResourcePattern', 'ResourcePatternFilter',
    'AlterConfigOp', 'ConfigFilterType', 'ConfigResource', 'ConfigResourceType',
    'ConfigSourceType', 'ConfigType', 'GroupState', 'GroupType', 'OffsetSpec', 'OffsetTimestamp',
]

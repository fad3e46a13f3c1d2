"""kafka-python's exception classes, with the same names, bases and error
codes, so that code catching kafka.errors catches these after the import
change. Broker errors carry Kafka's own name and description."""


class KafkaError(Exception):
    retriable = False
    invalid_metadata = False  # the client refreshes metadata after one

    def __str__(self):
        if not self.args:
            return type(self).__name__
        return "%s: %s" % (type(self).__name__, super().__str__())

    def __eq__(self, other):
        return type(self) is type(other) and self.args == other.args

    __hash__ = Exception.__hash__


class RetriableError(KafkaError):
    retriable = True


class InvalidMetadataError(RetriableError):
    invalid_metadata = True


class Cancelled(RetriableError):
    pass


class CommitFailedError(KafkaError):
    def __init__(self, *args):
        super().__init__(*(args or ("The commit failed: the group rebalanced and its"
                                    " partitions now belong to another member.",)))


class IllegalArgumentError(KafkaError):
    pass


class IllegalStateError(KafkaError):
    pass


class KafkaConfigurationError(KafkaError):
    pass


class KafkaConnectionError(InvalidMetadataError):
    pass


class KafkaProtocolError(KafkaError):
    pass


class CorrelationIdError(RetriableError, KafkaProtocolError):
    pass


class InvalidReceiveError(KafkaProtocolError):
    pass


class KafkaTimeoutError(RetriableError):
    pass


class MetadataEmptyBrokerList(RetriableError):
    pass


class NoOffsetForPartitionError(KafkaError):
    pass


class LogTruncationError(KafkaError):
    """The log was truncated below the consumer's position (KIP-320).
    divergent_offsets: {TopicPartition: OffsetAndMetadata or None}."""

    def __init__(self, divergent_offsets, *args):
        self.divergent_offsets = divergent_offsets
        super().__init__(*(args or ("log truncated at %s" % (divergent_offsets,),)))


class NodeNotReadyError(RetriableError):
    pass


class UnknownBrokerIdError(KafkaError):
    pass


class QuotaViolationError(KafkaError):
    pass


class StaleMetadata(InvalidMetadataError):
    pass


class TooManyInFlightRequests(RetriableError):
    pass


class UnrecognizedBrokerVersion(KafkaError):
    pass


class UnsupportedCodecError(KafkaError):
    pass


class TransactionAbortedError(KafkaError):
    message = "the transaction was aborted"


class BrokerResponseError(KafkaError):
    errno = None
    message = None
    description = None

    def __str__(self):
        return "[Error %s] %s" % (self.errno, super().__str__())


class AuthorizationError(BrokerResponseError):
    pass


# The broker's error classes are made on first use (the module's
# __getattr__): making all of them at import cost every process that
# imports kfk milliseconds. name: (errno, message, description, bases).
_BROKER_ERRORS = {
    'NoError': (0, 'NONE', '',
        ('BrokerResponseError',)),
    'UnknownError': (-1, 'UNKNOWN_SERVER_ERROR', 'The server experienced an unexpected error when processing the request.',
        ('BrokerResponseError',)),
    'OffsetOutOfRangeError': (1, 'OFFSET_OUT_OF_RANGE', 'The requested offset is not within the range of offsets maintained by the server.',
        ('BrokerResponseError',)),
    'CorruptRecordError': (2, 'CORRUPT_MESSAGE', 'This message has failed its CRC checksum, exceeds the valid size, has a null key for a compacted topic, or is otherwise corrupt.',
        ('BrokerResponseError',)),
    'UnknownTopicOrPartitionError': (3, 'UNKNOWN_TOPIC_OR_PARTITION', 'This server does not host this topic-partition.',
        ('InvalidMetadataError', 'BrokerResponseError')),
    'InvalidFetchRequestError': (4, 'INVALID_FETCH_SIZE', 'The requested fetch size is invalid.',
        ('BrokerResponseError',)),
    'LeaderNotAvailableError': (5, 'LEADER_NOT_AVAILABLE', 'There is no leader for this topic-partition as we are in the middle of a leadership election.',
        ('InvalidMetadataError', 'BrokerResponseError')),
    'NotLeaderForPartitionError': (6, 'NOT_LEADER_OR_FOLLOWER', 'For requests intended only for the leader, this error indicates that the broker is not the current leader.  For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition.',
        ('InvalidMetadataError', 'BrokerResponseError')),
    'RequestTimedOutError': (7, 'REQUEST_TIMED_OUT', 'The request timed out.',
        ('RetriableError', 'BrokerResponseError')),
    'BrokerNotAvailableError': (8, 'BROKER_NOT_AVAILABLE', 'The broker is not available.',
        ('BrokerResponseError',)),
    'ReplicaNotAvailableError': (9, 'REPLICA_NOT_AVAILABLE', 'The replica is not available for the requested topic-partition. Produce/Fetch requests and other requests  intended only for the leader or follower return NOT_LEADER_OR_FOLLOWER if the broker is not a replica of the topic-partition.',
        ('InvalidMetadataError', 'BrokerResponseError')),
    'MessageSizeTooLargeError': (10, 'MESSAGE_TOO_LARGE', 'The request included a message larger than the max message size the server will accept.',
        ('BrokerResponseError',)),
    'StaleControllerEpochError': (11, 'STALE_CONTROLLER_EPOCH', 'The controller moved to another broker.',
        ('BrokerResponseError',)),
    'OffsetMetadataTooLargeError': (12, 'OFFSET_METADATA_TOO_LARGE', 'The metadata field of the offset request was too large.',
        ('BrokerResponseError',)),
    'NetworkExceptionError': (13, 'NETWORK_EXCEPTION', 'The server disconnected before a response was received.',
        ('InvalidMetadataError', 'BrokerResponseError')),
    'CoordinatorLoadInProgressError': (14, 'COORDINATOR_LOAD_IN_PROGRESS', "The coordinator is loading and hence can't process requests.",
        ('RetriableError', 'BrokerResponseError')),
    'CoordinatorNotAvailableError': (15, 'COORDINATOR_NOT_AVAILABLE', 'The coordinator is not available.',
        ('RetriableError', 'BrokerResponseError')),
    'NotCoordinatorError': (16, 'NOT_COORDINATOR', 'This is not the correct coordinator.',
        ('RetriableError', 'BrokerResponseError')),
    'InvalidTopicError': (17, 'INVALID_TOPIC_EXCEPTION', 'The request attempted to perform an operation on an invalid topic.',
        ('BrokerResponseError',)),
    'RecordListTooLargeError': (18, 'RECORD_LIST_TOO_LARGE', 'The request included message batch larger than the configured segment size on the server.',
        ('BrokerResponseError',)),
    'NotEnoughReplicasError': (19, 'NOT_ENOUGH_REPLICAS', 'Messages are rejected since there are fewer in-sync replicas than required.',
        ('RetriableError', 'BrokerResponseError')),
    'NotEnoughReplicasAfterAppendError': (20, 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', 'Messages are written to the log, but to fewer in-sync replicas than required.',
        ('RetriableError', 'BrokerResponseError')),
    'InvalidRequiredAcksError': (21, 'INVALID_REQUIRED_ACKS', 'Produce request specified an invalid value for required acks.',
        ('BrokerResponseError',)),
    'IllegalGenerationError': (22, 'ILLEGAL_GENERATION', 'Specified group generation id is not valid.',
        ('BrokerResponseError',)),
    'InconsistentGroupProtocolError': (23, 'INCONSISTENT_GROUP_PROTOCOL', "The group member's supported protocols are incompatible with those of existing members  or first group member tried to join with empty protocol type or empty protocol list.",
        ('BrokerResponseError',)),
    'InvalidGroupIdError': (24, 'INVALID_GROUP_ID', 'The group id is invalid.',
        ('BrokerResponseError',)),
    'UnknownMemberIdError': (25, 'UNKNOWN_MEMBER_ID', 'The coordinator is not aware of this member.',
        ('BrokerResponseError',)),
    'InvalidSessionTimeoutError': (26, 'INVALID_SESSION_TIMEOUT', 'The session timeout is not within the range allowed by the broker  (as configured by group.min.session.timeout.ms and group.max.session.timeout.ms).',
        ('BrokerResponseError',)),
    'RebalanceInProgressError': (27, 'REBALANCE_IN_PROGRESS', 'The group is rebalancing, so a rejoin is needed.',
        ('BrokerResponseError',)),
    'InvalidCommitOffsetSizeError': (28, 'INVALID_COMMIT_OFFSET_SIZE', 'The committing offset data size is not valid.',
        ('BrokerResponseError',)),
    'TopicAuthorizationFailedError': (29, 'TOPIC_AUTHORIZATION_FAILED', 'Topic authorization failed.',
        ('AuthorizationError',)),
    'GroupAuthorizationFailedError': (30, 'GROUP_AUTHORIZATION_FAILED', 'Group authorization failed.',
        ('AuthorizationError',)),
    'ClusterAuthorizationFailedError': (31, 'CLUSTER_AUTHORIZATION_FAILED', 'Cluster authorization failed.',
        ('AuthorizationError',)),
    'InvalidTimestampError': (32, 'INVALID_TIMESTAMP', 'The timestamp of the message is out of acceptable range.',
        ('BrokerResponseError',)),
    'UnsupportedSaslMechanismError': (33, 'UNSUPPORTED_SASL_MECHANISM', 'The broker does not support the requested SASL mechanism.',
        ('BrokerResponseError',)),
    'IllegalSaslStateError': (34, 'ILLEGAL_SASL_STATE', 'Request is not valid given the current SASL state.',
        ('BrokerResponseError',)),
    'UnsupportedVersionError': (35, 'UNSUPPORTED_VERSION', 'The version of API is not supported.',
        ('BrokerResponseError',)),
    'TopicAlreadyExistsError': (36, 'TOPIC_ALREADY_EXISTS', 'Topic with this name already exists.',
        ('BrokerResponseError',)),
    'InvalidPartitionsError': (37, 'INVALID_PARTITIONS', 'Number of partitions is below 1.',
        ('BrokerResponseError',)),
    'InvalidReplicationFactorError': (38, 'INVALID_REPLICATION_FACTOR', 'Replication factor is below 1 or larger than the number of available brokers.',
        ('BrokerResponseError',)),
    'InvalidReplicationAssignmentError': (39, 'INVALID_REPLICA_ASSIGNMENT', 'Replica assignment is invalid.',
        ('BrokerResponseError',)),
    'InvalidConfigurationError': (40, 'INVALID_CONFIG', 'Configuration is invalid.',
        ('BrokerResponseError',)),
    'NotControllerError': (41, 'NOT_CONTROLLER', 'This is not the correct controller for this cluster.',
        ('RetriableError', 'BrokerResponseError')),
    'InvalidRequestError': (42, 'INVALID_REQUEST', 'This most likely occurs because of a request being malformed by the  client library or the message was sent to an incompatible broker. See the broker logs  for more details.',
        ('BrokerResponseError',)),
    'UnsupportedForMessageFormatError': (43, 'UNSUPPORTED_FOR_MESSAGE_FORMAT', 'The message format version on the broker does not support the request.',
        ('BrokerResponseError',)),
    'PolicyViolationError': (44, 'POLICY_VIOLATION', 'Request parameters do not satisfy the configured policy.',
        ('BrokerResponseError',)),
    'OutOfOrderSequenceNumberError': (45, 'OUT_OF_ORDER_SEQUENCE_NUMBER', 'The broker received an out of order sequence number.',
        ('BrokerResponseError',)),
    'DuplicateSequenceNumberError': (46, 'DUPLICATE_SEQUENCE_NUMBER', 'The broker received a duplicate sequence number.',
        ('BrokerResponseError',)),
    'InvalidProducerEpochError': (47, 'INVALID_PRODUCER_EPOCH', 'Producer attempted to produce with an old epoch.',
        ('BrokerResponseError',)),
    'InvalidTxnStateError': (48, 'INVALID_TXN_STATE', 'The producer attempted a transactional operation in an invalid state.',
        ('BrokerResponseError',)),
    'InvalidProducerIdMappingError': (49, 'INVALID_PRODUCER_ID_MAPPING', 'The producer attempted to use a producer id which is not currently assigned to  its transactional id.',
        ('BrokerResponseError',)),
    'InvalidTransactionTimeoutError': (50, 'INVALID_TRANSACTION_TIMEOUT', 'The transaction timeout is larger than the maximum value allowed by  the broker (as configured by transaction.max.timeout.ms).',
        ('BrokerResponseError',)),
    'ConcurrentTransactionsError': (51, 'CONCURRENT_TRANSACTIONS', 'The producer attempted to update a transaction  while another concurrent operation on the same transaction was ongoing.',
        ('RetriableError', 'BrokerResponseError')),
    'TransactionCoordinatorFencedError': (52, 'TRANSACTION_COORDINATOR_FENCED', 'Indicates that the transaction coordinator sending a WriteTxnMarker  is no longer the current coordinator for a given producer.',
        ('BrokerResponseError',)),
    'TransactionalIdAuthorizationFailedError': (53, 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', 'Transactional Id authorization failed.',
        ('AuthorizationError',)),
    'SecurityDisabledError': (54, 'SECURITY_DISABLED', 'Security features are disabled.',
        ('BrokerResponseError',)),
    'OperationNotAttemptedError': (55, 'OPERATION_NOT_ATTEMPTED', 'The broker did not attempt to execute this operation. This may happen for  batched RPCs where some operations in the batch failed, causing the broker to respond without  trying the rest.',
        ('BrokerResponseError',)),
    'KafkaStorageError': (56, 'KAFKA_STORAGE_ERROR', 'Disk error when trying to access log file on the disk.',
        ('InvalidMetadataError', 'BrokerResponseError')),
    'LogDirNotFoundError': (57, 'LOG_DIR_NOT_FOUND', 'The user-specified log directory is not found in the broker config.',
        ('BrokerResponseError',)),
    'SaslAuthenticationFailedError': (58, 'SASL_AUTHENTICATION_FAILED', 'SASL Authentication failed.',
        ('BrokerResponseError',)),
    'UnknownProducerIdError': (59, 'UNKNOWN_PRODUCER_ID', "This exception is raised by the broker if it could not locate the producer metadata  associated with the producerId in question. This could happen if, for instance, the producer's records  were deleted because their retention time had elapsed. Once the last records of the producerId are  removed, the producer's metadata is removed from the broker, and future appends by the producer will  return this exception.",
        ('BrokerResponseError',)),
    'ReassignmentInProgressError': (60, 'REASSIGNMENT_IN_PROGRESS', 'A partition reassignment is in progress.',
        ('BrokerResponseError',)),
    'DelegationTokenAuthDisabledError': (61, 'DELEGATION_TOKEN_AUTH_DISABLED', 'Delegation Token feature is not enabled.',
        ('BrokerResponseError',)),
    'DelegationTokenNotFoundError': (62, 'DELEGATION_TOKEN_NOT_FOUND', 'Delegation Token is not found on server.',
        ('BrokerResponseError',)),
    'DelegationTokenOwnerMismatchError': (63, 'DELEGATION_TOKEN_OWNER_MISMATCH', 'Specified Principal is not valid Owner/Renewer.',
        ('BrokerResponseError',)),
    'DelegationTokenRequestNotAllowedError': (64, 'DELEGATION_TOKEN_REQUEST_NOT_ALLOWED', 'Delegation Token requests are not allowed on PLAINTEXT/1-way SSL  channels and on delegation token authenticated channels.',
        ('BrokerResponseError',)),
    'DelegationTokenAuthorizationFailedError': (65, 'DELEGATION_TOKEN_AUTHORIZATION_FAILED', 'Delegation Token authorization failed.',
        ('AuthorizationError',)),
    'DelegationTokenExpiredError': (66, 'DELEGATION_TOKEN_EXPIRED', 'Delegation Token is expired.',
        ('BrokerResponseError',)),
    'InvalidPrincipalTypeError': (67, 'INVALID_PRINCIPAL_TYPE', 'Supplied principalType is not supported.',
        ('BrokerResponseError',)),
    'NonEmptyGroupError': (68, 'NON_EMPTY_GROUP', 'The group is not empty.',
        ('BrokerResponseError',)),
    'GroupIdNotFoundError': (69, 'GROUP_ID_NOT_FOUND', 'The group id does not exist.',
        ('BrokerResponseError',)),
    'FetchSessionIdNotFoundError': (70, 'FETCH_SESSION_ID_NOT_FOUND', 'The fetch session ID was not found.',
        ('RetriableError', 'BrokerResponseError')),
    'InvalidFetchSessionEpochError': (71, 'INVALID_FETCH_SESSION_EPOCH', 'The fetch session epoch is invalid.',
        ('RetriableError', 'BrokerResponseError')),
    'ListenerNotFoundError': (72, 'LISTENER_NOT_FOUND', 'There is no listener on the leader broker that matches the listener on which  metadata request was processed.',
        ('InvalidMetadataError', 'BrokerResponseError')),
    'TopicDeletionDisabledError': (73, 'TOPIC_DELETION_DISABLED', 'Topic deletion is disabled.',
        ('BrokerResponseError',)),
    'FencedLeaderEpochError': (74, 'FENCED_LEADER_EPOCH', 'The leader epoch in the request is older than the epoch on the broker.',
        ('InvalidMetadataError', 'BrokerResponseError')),
    'UnknownLeaderEpochError': (75, 'UNKNOWN_LEADER_EPOCH', 'The leader epoch in the request is newer than the epoch on the broker.',
        ('InvalidMetadataError', 'BrokerResponseError')),
    'UnsupportedCompressionTypeError': (76, 'UNSUPPORTED_COMPRESSION_TYPE', 'The requesting client does not support the compression type of given partition.',
        ('BrokerResponseError',)),
    'StaleBrokerEpochError': (77, 'STALE_BROKER_EPOCH', 'Broker epoch has changed.',
        ('BrokerResponseError',)),
    'OffsetNotAvailableError': (78, 'OFFSET_NOT_AVAILABLE', 'The leader high watermark has not caught up from a recent leader  election so the offsets cannot be guaranteed to be monotonically increasing.',
        ('RetriableError', 'BrokerResponseError')),
    'MemberIdRequiredError': (79, 'MEMBER_ID_REQUIRED', 'The group member needs to have a valid member id before actually entering a consumer group.',
        ('BrokerResponseError',)),
    'PreferredLeaderNotAvailableError': (80, 'PREFERRED_LEADER_NOT_AVAILABLE', 'The preferred leader was not available.',
        ('InvalidMetadataError', 'BrokerResponseError')),
    'GroupMaxSizeReachedError': (81, 'GROUP_MAX_SIZE_REACHED', 'The group has reached its maximum size.',
        ('BrokerResponseError',)),
    'FencedInstanceIdError': (82, 'FENCED_INSTANCE_ID', 'The broker rejected this static consumer since  another consumer with the same group.instance.id has registered with a different member.id.',
        ('BrokerResponseError',)),
    'EligibleLeadersNotAvailableError': (83, 'ELIGIBLE_LEADERS_NOT_AVAILABLE', 'Eligible topic partition leaders are not available.',
        ('InvalidMetadataError', 'BrokerResponseError')),
    'ElectionNotNeededError': (84, 'ELECTION_NOT_NEEDED', 'Leader election not needed for topic partition.',
        ('InvalidMetadataError', 'BrokerResponseError')),
    'NoReassignmentInProgressError': (85, 'NO_REASSIGNMENT_IN_PROGRESS', 'No partition reassignment is in progress.',
        ('BrokerResponseError',)),
    'GroupSubscribedToTopicError': (86, 'GROUP_SUBSCRIBED_TO_TOPIC', 'Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it.',
        ('BrokerResponseError',)),
    'InvalidRecordError': (87, 'INVALID_RECORD', 'This record has failed the validation on broker and hence will be rejected.',
        ('BrokerResponseError',)),
    'UnstableOffsetCommitError': (88, 'UNSTABLE_OFFSET_COMMIT', 'There are unstable offsets that need to be cleared.',
        ('RetriableError', 'BrokerResponseError')),
    'ThrottlingQuotaExceededError': (89, 'THROTTLING_QUOTA_EXCEEDED', 'The throttling quota has been exceeded.',
        ('RetriableError', 'BrokerResponseError')),
    'ProducerFencedError': (90, 'PRODUCER_FENCED', 'There is a newer producer with the same transactionalId  which fences the current one.',
        ('BrokerResponseError',)),
    'ResourceNotFoundError': (91, 'RESOURCE_NOT_FOUND', 'A request illegally referred to a resource that does not exist.',
        ('BrokerResponseError',)),
    'DuplicateResourceError': (92, 'DUPLICATE_RESOURCE', 'A request illegally referred to the same resource twice.',
        ('BrokerResponseError',)),
    'UnacceptableCredentialError': (93, 'UNACCEPTABLE_CREDENTIAL', 'Requested credential would not meet criteria for acceptability.',
        ('BrokerResponseError',)),
    'InconsistentVoterSetError': (94, 'INCONSISTENT_VOTER_SET', 'Indicates that the either the sender or recipient of a  voter-only request is not one of the expected voters.',
        ('BrokerResponseError',)),
    'InvalidUpdateVersionError': (95, 'INVALID_UPDATE_VERSION', 'The given update version was invalid.',
        ('BrokerResponseError',)),
    'FeatureUpdateFailedError': (96, 'FEATURE_UPDATE_FAILED', 'Unable to update finalized features due to an unexpected server error.',
        ('BrokerResponseError',)),
    'PrincipalDeserializationFailureError': (97, 'PRINCIPAL_DESERIALIZATION_FAILURE', 'Request principal deserialization failed during forwarding.  This indicates an internal error on the broker cluster security setup.',
        ('BrokerResponseError',)),
    'SnapshotNotFoundError': (98, 'SNAPSHOT_NOT_FOUND', 'Requested snapshot was not found.',
        ('BrokerResponseError',)),
    'PositionOutOfRangeError': (99, 'POSITION_OUT_OF_RANGE', 'Requested position is not greater than or equal to zero, and less than the size of the snapshot.',
        ('BrokerResponseError',)),
    'UnknownTopicIdError': (100, 'UNKNOWN_TOPIC_ID', 'This server does not host this topic ID.',
        ('InvalidMetadataError', 'BrokerResponseError')),
    'DuplicateBrokerRegistrationError': (101, 'DUPLICATE_BROKER_REGISTRATION', 'This broker ID is already in use.',
        ('BrokerResponseError',)),
    'BrokerIdNotRegisteredError': (102, 'BROKER_ID_NOT_REGISTERED', 'The given broker ID was not registered.',
        ('BrokerResponseError',)),
    'InconsistentTopicIdError': (103, 'INCONSISTENT_TOPIC_ID', "The log's topic ID did not match the topic ID in the request.",
        ('InvalidMetadataError', 'BrokerResponseError')),
    'InconsistentClusterIdError': (104, 'INCONSISTENT_CLUSTER_ID', 'The clusterId in the request does not match that found on the server.',
        ('BrokerResponseError',)),
    'TransactionalIdNotFoundError': (105, 'TRANSACTIONAL_ID_NOT_FOUND', 'The transactionalId could not be found.',
        ('BrokerResponseError',)),
    'FetchSessionTopicIdError': (106, 'FETCH_SESSION_TOPIC_ID_ERROR', 'The fetch session encountered inconsistent topic ID usage.',
        ('RetriableError', 'BrokerResponseError')),
    'IneligibleReplicaError': (107, 'INELIGIBLE_REPLICA', 'The new ISR contains at least one ineligible replica.',
        ('BrokerResponseError',)),
    'NewLeaderElectedError': (108, 'NEW_LEADER_ELECTED', 'The AlterPartition request successfully updated the partition state but the leader has changed.',
        ('BrokerResponseError',)),
    'OffsetMovedToTieredStorageError': (109, 'OFFSET_MOVED_TO_TIERED_STORAGE', 'The requested offset is moved to tiered storage.',
        ('BrokerResponseError',)),
    'FencedMemberEpochError': (110, 'FENCED_MEMBER_EPOCH', 'The member epoch is fenced by the group coordinator. The member must abandon all its partitions and rejoin.',
        ('BrokerResponseError',)),
    'UnreleasedInstanceIdError': (111, 'UNRELEASED_INSTANCE_ID', 'The instance ID is still used by another member in the consumer group. That member must leave first.',
        ('BrokerResponseError',)),
    'UnsupportedAssignorError': (112, 'UNSUPPORTED_ASSIGNOR', 'The assignor or its version range is not supported by the consumer group.',
        ('BrokerResponseError',)),
    'StaleMemberEpochError': (113, 'STALE_MEMBER_EPOCH', 'The member epoch is stale. The member must retry after receiving its updated member epoch via the ConsumerGroupHeartbeat API.',
        ('BrokerResponseError',)),
    'MismatchedEndpointTypeError': (114, 'MISMATCHED_ENDPOINT_TYPE', 'The request was sent to an endpoint of the wrong type.',
        ('BrokerResponseError',)),
    'UnsupportedEndpointTypeError': (115, 'UNSUPPORTED_ENDPOINT_TYPE', 'This endpoint type is not supported yet.',
        ('BrokerResponseError',)),
    'UnknownControllerIdError': (116, 'UNKNOWN_CONTROLLER_ID', 'This controller ID is not known.',
        ('BrokerResponseError',)),
    'UnknownSubscriptionIdError': (117, 'UNKNOWN_SUBSCRIPTION_ID', 'Client sent a push telemetry request with an invalid or outdated subscription ID.',
        ('BrokerResponseError',)),
    'TelemetryTooLargeError': (118, 'TELEMETRY_TOO_LARGE', 'Client sent a push telemetry request larger than the maximum size the broker will accept.',
        ('BrokerResponseError',)),
    'InvalidRegistrationError': (119, 'INVALID_REGISTRATION', 'The controller has considered the broker registration to be invalid.',
        ('BrokerResponseError',)),
    'TransactionAbortableError': (120, 'TRANSACTION_ABORTABLE', 'The server encountered an error with the transaction. The client can abort the transaction to continue using this transactional ID.',
        ('BrokerResponseError',)),
    'InvalidRecordStateError': (121, 'INVALID_RECORD_STATE', 'The record state is invalid. The acknowledgement of delivery could not be completed.',
        ('BrokerResponseError',)),
    'ShareSessionNotFoundError': (122, 'SHARE_SESSION_NOT_FOUND', 'The share session was not found.',
        ('RetriableError', 'BrokerResponseError')),
    'InvalidShareSessionEpochError': (123, 'INVALID_SHARE_SESSION_EPOCH', 'The share session epoch is invalid.',
        ('RetriableError', 'BrokerResponseError')),
    'FencedStateEpochError': (124, 'FENCED_STATE_EPOCH', 'The share coordinator rejected the request because the share-group state epoch did not match.',
        ('BrokerResponseError',)),
    'InvalidVoterKeyError': (125, 'INVALID_VOTER_KEY', "The voter key doesn't match the receiving replica's key.",
        ('BrokerResponseError',)),
    'DuplicateVoterError': (126, 'DUPLICATE_VOTER', 'The voter is already part of the set of voters.',
        ('BrokerResponseError',)),
    'VoterNotFoundError': (127, 'VOTER_NOT_FOUND', 'The voter is not part of the set of voters.',
        ('BrokerResponseError',)),
}
# Subclasses that add nothing (kafka-python's), and older names.
_SUBCLASSES = {"IncompatibleBrokerVersion": "UnsupportedVersionError"}
_ALIASES = {"CorruptRecordException": "CorruptRecordError"}
_BY_ERRNO = {spec[0]: name for name, spec in _BROKER_ERRORS.items()}


def _cls(name):
    """The class called name, made now if it was not yet."""
    value = globals().get(name)
    if value is None:
        value = globals()[name] = _make(name)
    return value


def _make(name):
    if name in _ALIASES:
        return _cls(_ALIASES[name])
    if name in _SUBCLASSES:
        return type(name, (_cls(_SUBCLASSES[name]),), {"__module__": __name__})
    errno, message, description, bases = _BROKER_ERRORS[name]
    return type(name, tuple(_cls(b) for b in bases),
                {"__module__": __name__, "errno": errno, "message": message,
                 "description": description})


def __getattr__(name):
    if name == "kafka_errors":
        value = globals()[name] = {errno: _cls(n) for errno, n in _BY_ERRNO.items()}
        return value
    if name in _BROKER_ERRORS or name in _SUBCLASSES or name in _ALIASES:
        return _cls(name)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


def for_code(error_code):
    """The class for a broker error code; an unknown code gets a subclass of
    UnknownError that keeps it."""
    name = _BY_ERRNO.get(error_code)
    if name is None:
        return type('UnrecognizedBrokerError', (_cls("UnknownError"),), {'errno': error_code})
    return _cls(name)


# What `from kfk.errors import *` gives: every error class (the lazy ones
# made then), for_code and kafka_errors.
__all__ = sorted({n for n, v in globals().items()
                  if isinstance(v, type) and issubclass(v, KafkaError)}
                 | set(_BROKER_ERRORS) | set(_SUBCLASSES) | set(_ALIASES)
                 | {"for_code", "kafka_errors"})


def __dir__():
    return sorted(set(globals()) | set(__all__))


# kfk's own (negative) codes, as the names of the classes kafka-python raises
# for them.
_KFK_CODES = {
    -103: "IllegalArgumentError",      # INVALID_ARG
    -104: "KafkaConfigurationError",   # CONFIG
    -105: "KafkaTimeoutError",         # TIMED_OUT
    -106: "KafkaConnectionError",      # TRANSPORT
    -107: "KafkaConnectionError",      # RESOLVE
    -108: "UnsupportedVersionError",   # UNSUPPORTED_FEATURE
    -110: "UnsupportedCodecError",     # BAD_COMPRESSION
    -111: "UnsupportedCodecError",     # UNKNOWN_CODEC
    -113: "KafkaTimeoutError",         # QUEUE_FULL (buffer full past max_block_ms)
    -114: "MessageSizeTooLargeError",  # MSG_TOO_LARGE
    -116: "KafkaConnectionError",      # NO_BROKERS
    -118: "IllegalStateError",         # STATE
    -124: "SaslAuthenticationFailedError",  # AUTHENTICATION
    -126: "LogTruncationError",        # LOG_TRUNCATION
}


def _from_kfk(code, message):
    """The exception for a kfk_err code and its message (the C extension
    raises through this)."""
    if code >= -1:
        return for_code(code)(message)
    cls = _cls(_KFK_CODES.get(code, "KafkaError"))
    if cls is LogTruncationError:
        return LogTruncationError({}, message)
    return cls(message)

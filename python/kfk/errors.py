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


class NoError(BrokerResponseError):
    errno = 0
    message = 'NONE'
    description = ''


class UnknownError(BrokerResponseError):
    errno = -1
    message = 'UNKNOWN_SERVER_ERROR'
    description = 'The server experienced an unexpected error when processing the request.'


class OffsetOutOfRangeError(BrokerResponseError):
    errno = 1
    message = 'OFFSET_OUT_OF_RANGE'
    description = 'The requested offset is not within the range of offsets maintained by the server.'


class CorruptRecordError(BrokerResponseError):
    errno = 2
    message = 'CORRUPT_MESSAGE'
    description = 'This message has failed its CRC checksum, exceeds the valid size, has a null key for a compacted topic, or is otherwise corrupt.'


# kafka-python's older name for the same error.
CorruptRecordException = CorruptRecordError


class UnknownTopicOrPartitionError(InvalidMetadataError, BrokerResponseError):
    errno = 3
    message = 'UNKNOWN_TOPIC_OR_PARTITION'
    description = 'This server does not host this topic-partition.'


class InvalidFetchRequestError(BrokerResponseError):
    errno = 4
    message = 'INVALID_FETCH_SIZE'
    description = 'The requested fetch size is invalid.'


class LeaderNotAvailableError(InvalidMetadataError, BrokerResponseError):
    errno = 5
    message = 'LEADER_NOT_AVAILABLE'
    description = 'There is no leader for this topic-partition as we are in the middle of a leadership election.'


class NotLeaderForPartitionError(InvalidMetadataError, BrokerResponseError):
    errno = 6
    message = 'NOT_LEADER_OR_FOLLOWER'
    description = 'For requests intended only for the leader, this error indicates that the broker is not the current leader.  For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition.'


class RequestTimedOutError(RetriableError, BrokerResponseError):
    errno = 7
    message = 'REQUEST_TIMED_OUT'
    description = 'The request timed out.'


class BrokerNotAvailableError(BrokerResponseError):
    errno = 8
    message = 'BROKER_NOT_AVAILABLE'
    description = 'The broker is not available.'


class ReplicaNotAvailableError(InvalidMetadataError, BrokerResponseError):
    errno = 9
    message = 'REPLICA_NOT_AVAILABLE'
    description = 'The replica is not available for the requested topic-partition. Produce/Fetch requests and other requests  intended only for the leader or follower return NOT_LEADER_OR_FOLLOWER if the broker is not a replica of the topic-partition.'


class MessageSizeTooLargeError(BrokerResponseError):
    errno = 10
    message = 'MESSAGE_TOO_LARGE'
    description = 'The request included a message larger than the max message size the server will accept.'


class StaleControllerEpochError(BrokerResponseError):
    errno = 11
    message = 'STALE_CONTROLLER_EPOCH'
    description = 'The controller moved to another broker.'


class OffsetMetadataTooLargeError(BrokerResponseError):
    errno = 12
    message = 'OFFSET_METADATA_TOO_LARGE'
    description = 'The metadata field of the offset request was too large.'


class NetworkExceptionError(InvalidMetadataError, BrokerResponseError):
    errno = 13
    message = 'NETWORK_EXCEPTION'
    description = 'The server disconnected before a response was received.'


class CoordinatorLoadInProgressError(RetriableError, BrokerResponseError):
    errno = 14
    message = 'COORDINATOR_LOAD_IN_PROGRESS'
    description = "The coordinator is loading and hence can't process requests."


class CoordinatorNotAvailableError(RetriableError, BrokerResponseError):
    errno = 15
    message = 'COORDINATOR_NOT_AVAILABLE'
    description = 'The coordinator is not available.'


class NotCoordinatorError(RetriableError, BrokerResponseError):
    errno = 16
    message = 'NOT_COORDINATOR'
    description = 'This is not the correct coordinator.'


class InvalidTopicError(BrokerResponseError):
    errno = 17
    message = 'INVALID_TOPIC_EXCEPTION'
    description = 'The request attempted to perform an operation on an invalid topic.'


class RecordListTooLargeError(BrokerResponseError):
    errno = 18
    message = 'RECORD_LIST_TOO_LARGE'
    description = 'The request included message batch larger than the configured segment size on the server.'


class NotEnoughReplicasError(RetriableError, BrokerResponseError):
    errno = 19
    message = 'NOT_ENOUGH_REPLICAS'
    description = 'Messages are rejected since there are fewer in-sync replicas than required.'


class NotEnoughReplicasAfterAppendError(RetriableError, BrokerResponseError):
    errno = 20
    message = 'NOT_ENOUGH_REPLICAS_AFTER_APPEND'
    description = 'Messages are written to the log, but to fewer in-sync replicas than required.'


class InvalidRequiredAcksError(BrokerResponseError):
    errno = 21
    message = 'INVALID_REQUIRED_ACKS'
    description = 'Produce request specified an invalid value for required acks.'


class IllegalGenerationError(BrokerResponseError):
    errno = 22
    message = 'ILLEGAL_GENERATION'
    description = 'Specified group generation id is not valid.'


class InconsistentGroupProtocolError(BrokerResponseError):
    errno = 23
    message = 'INCONSISTENT_GROUP_PROTOCOL'
    description = "The group member's supported protocols are incompatible with those of existing members  or first group member tried to join with empty protocol type or empty protocol list."


class InvalidGroupIdError(BrokerResponseError):
    errno = 24
    message = 'INVALID_GROUP_ID'
    description = 'The group id is invalid.'


class UnknownMemberIdError(BrokerResponseError):
    errno = 25
    message = 'UNKNOWN_MEMBER_ID'
    description = 'The coordinator is not aware of this member.'


class InvalidSessionTimeoutError(BrokerResponseError):
    errno = 26
    message = 'INVALID_SESSION_TIMEOUT'
    description = 'The session timeout is not within the range allowed by the broker  (as configured by group.min.session.timeout.ms and group.max.session.timeout.ms).'


class RebalanceInProgressError(BrokerResponseError):
    errno = 27
    message = 'REBALANCE_IN_PROGRESS'
    description = 'The group is rebalancing, so a rejoin is needed.'


class InvalidCommitOffsetSizeError(BrokerResponseError):
    errno = 28
    message = 'INVALID_COMMIT_OFFSET_SIZE'
    description = 'The committing offset data size is not valid.'


class TopicAuthorizationFailedError(AuthorizationError):
    errno = 29
    message = 'TOPIC_AUTHORIZATION_FAILED'
    description = 'Topic authorization failed.'


class GroupAuthorizationFailedError(AuthorizationError):
    errno = 30
    message = 'GROUP_AUTHORIZATION_FAILED'
    description = 'Group authorization failed.'


class ClusterAuthorizationFailedError(AuthorizationError):
    errno = 31
    message = 'CLUSTER_AUTHORIZATION_FAILED'
    description = 'Cluster authorization failed.'


class InvalidTimestampError(BrokerResponseError):
    errno = 32
    message = 'INVALID_TIMESTAMP'
    description = 'The timestamp of the message is out of acceptable range.'


class UnsupportedSaslMechanismError(BrokerResponseError):
    errno = 33
    message = 'UNSUPPORTED_SASL_MECHANISM'
    description = 'The broker does not support the requested SASL mechanism.'


class IllegalSaslStateError(BrokerResponseError):
    errno = 34
    message = 'ILLEGAL_SASL_STATE'
    description = 'Request is not valid given the current SASL state.'


class UnsupportedVersionError(BrokerResponseError):
    errno = 35
    message = 'UNSUPPORTED_VERSION'
    description = 'The version of API is not supported.'


class IncompatibleBrokerVersion(UnsupportedVersionError):
    pass


class TopicAlreadyExistsError(BrokerResponseError):
    errno = 36
    message = 'TOPIC_ALREADY_EXISTS'
    description = 'Topic with this name already exists.'


class InvalidPartitionsError(BrokerResponseError):
    errno = 37
    message = 'INVALID_PARTITIONS'
    description = 'Number of partitions is below 1.'


class InvalidReplicationFactorError(BrokerResponseError):
    errno = 38
    message = 'INVALID_REPLICATION_FACTOR'
    description = 'Replication factor is below 1 or larger than the number of available brokers.'


class InvalidReplicationAssignmentError(BrokerResponseError):
    errno = 39
    message = 'INVALID_REPLICA_ASSIGNMENT'
    description = 'Replica assignment is invalid.'


class InvalidConfigurationError(BrokerResponseError):
    errno = 40
    message = 'INVALID_CONFIG'
    description = 'Configuration is invalid.'


class NotControllerError(RetriableError, BrokerResponseError):
    errno = 41
    message = 'NOT_CONTROLLER'
    description = 'This is not the correct controller for this cluster.'


class InvalidRequestError(BrokerResponseError):
    errno = 42
    message = 'INVALID_REQUEST'
    description = 'This most likely occurs because of a request being malformed by the  client library or the message was sent to an incompatible broker. See the broker logs  for more details.'


class UnsupportedForMessageFormatError(BrokerResponseError):
    errno = 43
    message = 'UNSUPPORTED_FOR_MESSAGE_FORMAT'
    description = 'The message format version on the broker does not support the request.'


class PolicyViolationError(BrokerResponseError):
    errno = 44
    message = 'POLICY_VIOLATION'
    description = 'Request parameters do not satisfy the configured policy.'


class OutOfOrderSequenceNumberError(BrokerResponseError):
    errno = 45
    message = 'OUT_OF_ORDER_SEQUENCE_NUMBER'
    description = 'The broker received an out of order sequence number.'


class DuplicateSequenceNumberError(BrokerResponseError):
    errno = 46
    message = 'DUPLICATE_SEQUENCE_NUMBER'
    description = 'The broker received a duplicate sequence number.'


class InvalidProducerEpochError(BrokerResponseError):
    errno = 47
    message = 'INVALID_PRODUCER_EPOCH'
    description = 'Producer attempted to produce with an old epoch.'


class InvalidTxnStateError(BrokerResponseError):
    errno = 48
    message = 'INVALID_TXN_STATE'
    description = 'The producer attempted a transactional operation in an invalid state.'


class InvalidProducerIdMappingError(BrokerResponseError):
    errno = 49
    message = 'INVALID_PRODUCER_ID_MAPPING'
    description = 'The producer attempted to use a producer id which is not currently assigned to  its transactional id.'


class InvalidTransactionTimeoutError(BrokerResponseError):
    errno = 50
    message = 'INVALID_TRANSACTION_TIMEOUT'
    description = 'The transaction timeout is larger than the maximum value allowed by  the broker (as configured by transaction.max.timeout.ms).'


class ConcurrentTransactionsError(RetriableError, BrokerResponseError):
    errno = 51
    message = 'CONCURRENT_TRANSACTIONS'
    description = 'The producer attempted to update a transaction  while another concurrent operation on the same transaction was ongoing.'


class TransactionCoordinatorFencedError(BrokerResponseError):
    errno = 52
    message = 'TRANSACTION_COORDINATOR_FENCED'
    description = 'Indicates that the transaction coordinator sending a WriteTxnMarker  is no longer the current coordinator for a given producer.'


class TransactionalIdAuthorizationFailedError(AuthorizationError):
    errno = 53
    message = 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED'
    description = 'Transactional Id authorization failed.'


class SecurityDisabledError(BrokerResponseError):
    errno = 54
    message = 'SECURITY_DISABLED'
    description = 'Security features are disabled.'


class OperationNotAttemptedError(BrokerResponseError):
    errno = 55
    message = 'OPERATION_NOT_ATTEMPTED'
    description = 'The broker did not attempt to execute this operation. This may happen for  batched RPCs where some operations in the batch failed, causing the broker to respond without  trying the rest.'


class KafkaStorageError(InvalidMetadataError, BrokerResponseError):
    errno = 56
    message = 'KAFKA_STORAGE_ERROR'
    description = 'Disk error when trying to access log file on the disk.'


class LogDirNotFoundError(BrokerResponseError):
    errno = 57
    message = 'LOG_DIR_NOT_FOUND'
    description = 'The user-specified log directory is not found in the broker config.'


class SaslAuthenticationFailedError(BrokerResponseError):
    errno = 58
    message = 'SASL_AUTHENTICATION_FAILED'
    description = 'SASL Authentication failed.'


class UnknownProducerIdError(BrokerResponseError):
    errno = 59
    message = 'UNKNOWN_PRODUCER_ID'
    description = "This exception is raised by the broker if it could not locate the producer metadata  associated with the producerId in question. This could happen if, for instance, the producer's records  were deleted because their retention time had elapsed. Once the last records of the producerId are  removed, the producer's metadata is removed from the broker, and future appends by the producer will  return this exception."


class ReassignmentInProgressError(BrokerResponseError):
    errno = 60
    message = 'REASSIGNMENT_IN_PROGRESS'
    description = 'A partition reassignment is in progress.'


class DelegationTokenAuthDisabledError(BrokerResponseError):
    errno = 61
    message = 'DELEGATION_TOKEN_AUTH_DISABLED'
    description = 'Delegation Token feature is not enabled.'


class DelegationTokenNotFoundError(BrokerResponseError):
    errno = 62
    message = 'DELEGATION_TOKEN_NOT_FOUND'
    description = 'Delegation Token is not found on server.'


class DelegationTokenOwnerMismatchError(BrokerResponseError):
    errno = 63
    message = 'DELEGATION_TOKEN_OWNER_MISMATCH'
    description = 'Specified Principal is not valid Owner/Renewer.'


class DelegationTokenRequestNotAllowedError(BrokerResponseError):
    errno = 64
    message = 'DELEGATION_TOKEN_REQUEST_NOT_ALLOWED'
    description = 'Delegation Token requests are not allowed on PLAINTEXT/1-way SSL  channels and on delegation token authenticated channels.'


class DelegationTokenAuthorizationFailedError(AuthorizationError):
    errno = 65
    message = 'DELEGATION_TOKEN_AUTHORIZATION_FAILED'
    description = 'Delegation Token authorization failed.'


class DelegationTokenExpiredError(BrokerResponseError):
    errno = 66
    message = 'DELEGATION_TOKEN_EXPIRED'
    description = 'Delegation Token is expired.'


class InvalidPrincipalTypeError(BrokerResponseError):
    errno = 67
    message = 'INVALID_PRINCIPAL_TYPE'
    description = 'Supplied principalType is not supported.'


class NonEmptyGroupError(BrokerResponseError):
    errno = 68
    message = 'NON_EMPTY_GROUP'
    description = 'The group is not empty.'


class GroupIdNotFoundError(BrokerResponseError):
    errno = 69
    message = 'GROUP_ID_NOT_FOUND'
    description = 'The group id does not exist.'


class FetchSessionIdNotFoundError(RetriableError, BrokerResponseError):
    errno = 70
    message = 'FETCH_SESSION_ID_NOT_FOUND'
    description = 'The fetch session ID was not found.'


class InvalidFetchSessionEpochError(RetriableError, BrokerResponseError):
    errno = 71
    message = 'INVALID_FETCH_SESSION_EPOCH'
    description = 'The fetch session epoch is invalid.'


class ListenerNotFoundError(InvalidMetadataError, BrokerResponseError):
    errno = 72
    message = 'LISTENER_NOT_FOUND'
    description = 'There is no listener on the leader broker that matches the listener on which  metadata request was processed.'


class TopicDeletionDisabledError(BrokerResponseError):
    errno = 73
    message = 'TOPIC_DELETION_DISABLED'
    description = 'Topic deletion is disabled.'


class FencedLeaderEpochError(InvalidMetadataError, BrokerResponseError):
    errno = 74
    message = 'FENCED_LEADER_EPOCH'
    description = 'The leader epoch in the request is older than the epoch on the broker.'


class UnknownLeaderEpochError(InvalidMetadataError, BrokerResponseError):
    errno = 75
    message = 'UNKNOWN_LEADER_EPOCH'
    description = 'The leader epoch in the request is newer than the epoch on the broker.'


class UnsupportedCompressionTypeError(BrokerResponseError):
    errno = 76
    message = 'UNSUPPORTED_COMPRESSION_TYPE'
    description = 'The requesting client does not support the compression type of given partition.'


class StaleBrokerEpochError(BrokerResponseError):
    errno = 77
    message = 'STALE_BROKER_EPOCH'
    description = 'Broker epoch has changed.'


class OffsetNotAvailableError(RetriableError, BrokerResponseError):
    errno = 78
    message = 'OFFSET_NOT_AVAILABLE'
    description = 'The leader high watermark has not caught up from a recent leader  election so the offsets cannot be guaranteed to be monotonically increasing.'


class MemberIdRequiredError(BrokerResponseError):
    errno = 79
    message = 'MEMBER_ID_REQUIRED'
    description = 'The group member needs to have a valid member id before actually entering a consumer group.'


class PreferredLeaderNotAvailableError(InvalidMetadataError, BrokerResponseError):
    errno = 80
    message = 'PREFERRED_LEADER_NOT_AVAILABLE'
    description = 'The preferred leader was not available.'


class GroupMaxSizeReachedError(BrokerResponseError):
    errno = 81
    message = 'GROUP_MAX_SIZE_REACHED'
    description = 'The group has reached its maximum size.'


class FencedInstanceIdError(BrokerResponseError):
    errno = 82
    message = 'FENCED_INSTANCE_ID'
    description = 'The broker rejected this static consumer since  another consumer with the same group.instance.id has registered with a different member.id.'


class EligibleLeadersNotAvailableError(InvalidMetadataError, BrokerResponseError):
    errno = 83
    message = 'ELIGIBLE_LEADERS_NOT_AVAILABLE'
    description = 'Eligible topic partition leaders are not available.'


class ElectionNotNeededError(InvalidMetadataError, BrokerResponseError):
    errno = 84
    message = 'ELECTION_NOT_NEEDED'
    description = 'Leader election not needed for topic partition.'


class NoReassignmentInProgressError(BrokerResponseError):
    errno = 85
    message = 'NO_REASSIGNMENT_IN_PROGRESS'
    description = 'No partition reassignment is in progress.'


class GroupSubscribedToTopicError(BrokerResponseError):
    errno = 86
    message = 'GROUP_SUBSCRIBED_TO_TOPIC'
    description = 'Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it.'


class InvalidRecordError(BrokerResponseError):
    errno = 87
    message = 'INVALID_RECORD'
    description = 'This record has failed the validation on broker and hence will be rejected.'


class UnstableOffsetCommitError(RetriableError, BrokerResponseError):
    errno = 88
    message = 'UNSTABLE_OFFSET_COMMIT'
    description = 'There are unstable offsets that need to be cleared.'


class ThrottlingQuotaExceededError(RetriableError, BrokerResponseError):
    errno = 89
    message = 'THROTTLING_QUOTA_EXCEEDED'
    description = 'The throttling quota has been exceeded.'


class ProducerFencedError(BrokerResponseError):
    errno = 90
    message = 'PRODUCER_FENCED'
    description = 'There is a newer producer with the same transactionalId  which fences the current one.'


class ResourceNotFoundError(BrokerResponseError):
    errno = 91
    message = 'RESOURCE_NOT_FOUND'
    description = 'A request illegally referred to a resource that does not exist.'


class DuplicateResourceError(BrokerResponseError):
    errno = 92
    message = 'DUPLICATE_RESOURCE'
    description = 'A request illegally referred to the same resource twice.'


class UnacceptableCredentialError(BrokerResponseError):
    errno = 93
    message = 'UNACCEPTABLE_CREDENTIAL'
    description = 'Requested credential would not meet criteria for acceptability.'


class InconsistentVoterSetError(BrokerResponseError):
    errno = 94
    message = 'INCONSISTENT_VOTER_SET'
    description = 'Indicates that the either the sender or recipient of a  voter-only request is not one of the expected voters.'


class InvalidUpdateVersionError(BrokerResponseError):
    errno = 95
    message = 'INVALID_UPDATE_VERSION'
    description = 'The given update version was invalid.'


class FeatureUpdateFailedError(BrokerResponseError):
    errno = 96
    message = 'FEATURE_UPDATE_FAILED'
    description = 'Unable to update finalized features due to an unexpected server error.'


class PrincipalDeserializationFailureError(BrokerResponseError):
    errno = 97
    message = 'PRINCIPAL_DESERIALIZATION_FAILURE'
    description = 'Request principal deserialization failed during forwarding.  This indicates an internal error on the broker cluster security setup.'


class SnapshotNotFoundError(BrokerResponseError):
    errno = 98
    message = 'SNAPSHOT_NOT_FOUND'
    description = 'Requested snapshot was not found.'


class PositionOutOfRangeError(BrokerResponseError):
    errno = 99
    message = 'POSITION_OUT_OF_RANGE'
    description = 'Requested position is not greater than or equal to zero, and less than the size of the snapshot.'


class UnknownTopicIdError(InvalidMetadataError, BrokerResponseError):
    errno = 100
    message = 'UNKNOWN_TOPIC_ID'
    description = 'This server does not host this topic ID.'


class DuplicateBrokerRegistrationError(BrokerResponseError):
    errno = 101
    message = 'DUPLICATE_BROKER_REGISTRATION'
    description = 'This broker ID is already in use.'


class BrokerIdNotRegisteredError(BrokerResponseError):
    errno = 102
    message = 'BROKER_ID_NOT_REGISTERED'
    description = 'The given broker ID was not registered.'


class InconsistentTopicIdError(InvalidMetadataError, BrokerResponseError):
    errno = 103
    message = 'INCONSISTENT_TOPIC_ID'
    description = "The log's topic ID did not match the topic ID in the request."


class InconsistentClusterIdError(BrokerResponseError):
    errno = 104
    message = 'INCONSISTENT_CLUSTER_ID'
    description = 'The clusterId in the request does not match that found on the server.'


class TransactionalIdNotFoundError(BrokerResponseError):
    errno = 105
    message = 'TRANSACTIONAL_ID_NOT_FOUND'
    description = 'The transactionalId could not be found.'


class FetchSessionTopicIdError(RetriableError, BrokerResponseError):
    errno = 106
    message = 'FETCH_SESSION_TOPIC_ID_ERROR'
    description = 'The fetch session encountered inconsistent topic ID usage.'


class IneligibleReplicaError(BrokerResponseError):
    errno = 107
    message = 'INELIGIBLE_REPLICA'
    description = 'The new ISR contains at least one ineligible replica.'


class NewLeaderElectedError(BrokerResponseError):
    errno = 108
    message = 'NEW_LEADER_ELECTED'
    description = 'The AlterPartition request successfully updated the partition state but the leader has changed.'


class OffsetMovedToTieredStorageError(BrokerResponseError):
    errno = 109
    message = 'OFFSET_MOVED_TO_TIERED_STORAGE'
    description = 'The requested offset is moved to tiered storage.'


class FencedMemberEpochError(BrokerResponseError):
    errno = 110
    message = 'FENCED_MEMBER_EPOCH'
    description = 'The member epoch is fenced by the group coordinator. The member must abandon all its partitions and rejoin.'


class UnreleasedInstanceIdError(BrokerResponseError):
    errno = 111
    message = 'UNRELEASED_INSTANCE_ID'
    description = 'The instance ID is still used by another member in the consumer group. That member must leave first.'


class UnsupportedAssignorError(BrokerResponseError):
    errno = 112
    message = 'UNSUPPORTED_ASSIGNOR'
    description = 'The assignor or its version range is not supported by the consumer group.'


class StaleMemberEpochError(BrokerResponseError):
    errno = 113
    message = 'STALE_MEMBER_EPOCH'
    description = 'The member epoch is stale. The member must retry after receiving its updated member epoch via the ConsumerGroupHeartbeat API.'


class MismatchedEndpointTypeError(BrokerResponseError):
    errno = 114
    message = 'MISMATCHED_ENDPOINT_TYPE'
    description = 'The request was sent to an endpoint of the wrong type.'


class UnsupportedEndpointTypeError(BrokerResponseError):
    errno = 115
    message = 'UNSUPPORTED_ENDPOINT_TYPE'
    description = 'This endpoint type is not supported yet.'


class UnknownControllerIdError(BrokerResponseError):
    errno = 116
    message = 'UNKNOWN_CONTROLLER_ID'
    description = 'This controller ID is not known.'


class UnknownSubscriptionIdError(BrokerResponseError):
    errno = 117
    message = 'UNKNOWN_SUBSCRIPTION_ID'
    description = 'Client sent a push telemetry request with an invalid or outdated subscription ID.'


class TelemetryTooLargeError(BrokerResponseError):
    errno = 118
    message = 'TELEMETRY_TOO_LARGE'
    description = 'Client sent a push telemetry request larger than the maximum size the broker will accept.'


class InvalidRegistrationError(BrokerResponseError):
    errno = 119
    message = 'INVALID_REGISTRATION'
    description = 'The controller has considered the broker registration to be invalid.'


class TransactionAbortableError(BrokerResponseError):
    errno = 120
    message = 'TRANSACTION_ABORTABLE'
    description = 'The server encountered an error with the transaction. The client can abort the transaction to continue using this transactional ID.'


class InvalidRecordStateError(BrokerResponseError):
    errno = 121
    message = 'INVALID_RECORD_STATE'
    description = 'The record state is invalid. The acknowledgement of delivery could not be completed.'


class ShareSessionNotFoundError(RetriableError, BrokerResponseError):
    errno = 122
    message = 'SHARE_SESSION_NOT_FOUND'
    description = 'The share session was not found.'


class InvalidShareSessionEpochError(RetriableError, BrokerResponseError):
    errno = 123
    message = 'INVALID_SHARE_SESSION_EPOCH'
    description = 'The share session epoch is invalid.'


class FencedStateEpochError(BrokerResponseError):
    errno = 124
    message = 'FENCED_STATE_EPOCH'
    description = 'The share coordinator rejected the request because the share-group state epoch did not match.'


class InvalidVoterKeyError(BrokerResponseError):
    errno = 125
    message = 'INVALID_VOTER_KEY'
    description = "The voter key doesn't match the receiving replica's key."


class DuplicateVoterError(BrokerResponseError):
    errno = 126
    message = 'DUPLICATE_VOTER'
    description = 'The voter is already part of the set of voters.'


class VoterNotFoundError(BrokerResponseError):
    errno = 127
    message = 'VOTER_NOT_FOUND'
    description = 'The voter is not part of the set of voters.'


def _broker_errors():
    for value in globals().values():
        if isinstance(value, type) and issubclass(value, BrokerResponseError) \
                and value.errno is not None:
            yield value


kafka_errors = {cls.errno: cls for cls in _broker_errors()}


def for_code(error_code):
    """The class for a broker error code; an unknown code gets a subclass of
    UnknownError that keeps it."""
    try:
        return kafka_errors[error_code]
    except KeyError:
        return type('UnrecognizedBrokerError', (UnknownError,), {'errno': error_code})



# kfk's own (negative) codes, as the classes kafka-python raises for them.
_KFK_CODES = {
    -103: IllegalArgumentError,      # INVALID_ARG
    -104: KafkaConfigurationError,   # CONFIG
    -105: KafkaTimeoutError,         # TIMED_OUT
    -106: KafkaConnectionError,      # TRANSPORT
    -107: KafkaConnectionError,      # RESOLVE
    -108: UnsupportedVersionError,   # UNSUPPORTED_FEATURE
    -110: UnsupportedCodecError,     # BAD_COMPRESSION
    -111: UnsupportedCodecError,     # UNKNOWN_CODEC
    -113: KafkaTimeoutError,         # QUEUE_FULL (buffer full past max_block_ms)
    -114: MessageSizeTooLargeError,  # MSG_TOO_LARGE
    -116: KafkaConnectionError,      # NO_BROKERS
    -118: IllegalStateError,         # STATE
    -124: SaslAuthenticationFailedError,  # AUTHENTICATION
    -126: LogTruncationError,        # LOG_TRUNCATION
}


def _from_kfk(code, message):
    """The exception for a kfk_err code and its message (the C extension
    raises through this)."""
    if code >= -1:
        return for_code(code)(message)
    cls = _KFK_CODES.get(code, KafkaError)
    if cls is LogTruncationError:
        return LogTruncationError({}, message)
    return cls(message)

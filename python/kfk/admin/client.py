"""KafkaAdminClient: kafka-python 3.0's admin client on kfk_admin. The C
type returns tuples; this file gives them kafka-python's shapes (dicts
keyed as its responses' to_dict(), TopicPartition keys, error classes)."""
import time

from kfk import _config, _kfk, errors as Errors
from kfk.admin.acl import ACL, ACLFilter, _from_tuple as _acl_from, _to_tuple as _acl_to
from kfk.admin.types import (
    AlterConfigOp, ConfigFilterType, ConfigResourceType, ConfigSourceType, GroupState,
    GroupType, NewPartitions, NewTopic, OffsetSpec, OffsetTimestamp,
)
from kfk.structs import OffsetAndMetadata, OffsetAndTimestamp, TopicPartition

_OFFSET_END, _OFFSET_BEGINNING = -1, -2
_DESCRIBE_CLUSTER = 60  # api key
_OFFSET_INVALID, _OFFSET_AT_TIME, _OFFSET_MAX_TIMESTAMP = -1001, -1002, -1003

# Keywords kfk cannot honour: accepted only at their default (None).
_UNSUPPORTED = ('ssl_context', 'ssl_crlfile', 'sasl_kerberos_name', 'sasl_kerberos_domain_name',
                'sasl_oauth_token_provider', 'proxy_url', 'socks5_proxy')


def _uuid(raw):
    import uuid  # only here: it imports platform, whose regexes cost every process ~10 ms
    return None if raw is None else str(uuid.UUID(bytes=raw))


def _raise(code, message):
    raise Errors._from_kfk(code, message)


def _error_class(code):
    """The kfk.errors class of a broker code (>= 0) or a kfk_err."""
    return Errors.for_code(code) if code >= 0 else type(Errors._from_kfk(code, ''))


class KafkaAdminClient:
    """Administers a Kafka cluster: topics, partitions, configs, groups,
    offsets and records. Keywords as kafka-python 3.0's."""

    DEFAULT_CONFIG = {
        'bootstrap_servers': 'localhost',
        'client_id': 'kafka-python-3.0.12',
        'request_timeout_ms': 30000,
        'connections_max_idle_ms': 9 * 60 * 1000,
        'reconnect_backoff_ms': 50,
        'reconnect_backoff_max_ms': 30000,
        'max_in_flight_requests_per_connection': 5,
        'receive_message_max_bytes': 100_000_000,
        'receive_buffer_bytes': None,
        'send_buffer_bytes': None,
        'socket_options': None,
        'retry_backoff_ms': 100,
        'metadata_max_age_ms': 300000,
        'client_dns_lookup': 'use_all_dns_ips',
        **_config.CLIENT_DEFAULTS,
    }

    def __init__(self, **configs):
        unknown = set(configs).difference(self.DEFAULT_CONFIG)
        if unknown:
            raise Errors.KafkaConfigurationError("Unrecognized configs: %s" % (unknown,))
        self.config = dict(self.DEFAULT_CONFIG)
        self.config.update(configs)
        self._admin = _kfk.Admin(self._kfk_conf())
        # kafka-python bootstraps eagerly: an unreachable cluster fails here
        try:
            self._admin.metadata((), self.config['bootstrap_timeout_ms'])
        except Errors.KafkaConnectionError as e:
            self._admin.close()
            raise Errors.KafkaTimeoutError("Unable to bootstrap from %s: %s"
                                           % (self.config['bootstrap_servers'], e)) from e

    def _kfk_conf(self):
        _config.refuse(self.config, _UNSUPPORTED)
        conf = {'bootstrap.servers': _config.servers(self.config['bootstrap_servers'])}
        _config.pass_through(self.config, _config.CLIENT_KEYS, conf)
        if not self.config['ssl_check_hostname']:
            conf['ssl.endpoint.identification.algorithm'] = 'none'
        return conf

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()

    def close(self):
        """Closes the client; later calls raise KafkaError."""
        self._admin.close()

    def _timeout(self, timeout_ms):
        return int(timeout_ms or self.config['request_timeout_ms'])

    # ------------------------------------------------------------ topics

    def list_topics(self):
        """The names of every topic in the cluster."""
        _, topics = self._admin.metadata(None, self._timeout(None))
        return [t[0] for t in topics]

    def describe_topics(self, topics=None):
        """A dict per topic (every topic when topics is None) with its
        partitions, leaders, replicas and ISR."""
        names = None if topics is None else tuple(topics)
        _, described = self._admin.metadata(names, self._timeout(None))
        return [self._topic_dict(t) for t in described]

    @staticmethod
    def _topic_dict(t):
        name, err, _errstr, topic_id, internal, partitions = t
        return {
            'error_code': err,
            'name': name,
            'topic_id': _uuid(topic_id),
            'is_internal': internal,
            'partitions': [{
                'error_code': p[1], 'partition_index': p[0], 'leader_id': p[2],
                'leader_epoch': p[3], 'replica_nodes': p[4], 'isr_nodes': p[5],
                'offline_replicas': p[6],
            } for p in partitions],
            # kfk does not ask the broker for authorized operations
            'authorized_operations': None,
        }

    @staticmethod
    def _new_topics(new_topics):
        if isinstance(new_topics, dict):
            items = [(name, data.get('num_partitions', -1), data.get('replication_factor', -1),
                      data.get('assignments', {}), data.get('configs', {}))
                     for name, data in new_topics.items()]
        elif new_topics and all(isinstance(t, str) for t in new_topics):
            items = [(name, -1, -1, {}, {}) for name in new_topics]
        elif new_topics and all(isinstance(t, NewTopic) for t in new_topics):
            items = [(t.name, t.num_partitions, t.replication_factor, t.replica_assignments,
                      t.topic_configs) for t in new_topics]
        else:
            raise ValueError("No valid topics found in new_topics: %r" % (new_topics,))
        out = []
        for name, partitions, replication, assignments, configs in items:
            rows = None
            if assignments:
                rows = tuple(tuple(assignments[p]) for p in sorted(assignments))
            out.append((name, partitions, replication, rows,
                        tuple((str(k), str(v)) for k, v in configs.items())))
        return tuple(out)

    def create_topics(self, new_topics, timeout_ms=None, validate_only=False, raise_errors=True,
                      wait_for_metadata=False):
        """Creates topics (names, {name: {options}} or NewTopic objects).
        Returns {'topics': [...]} as kafka-python's CreateTopics result."""
        if validate_only and wait_for_metadata:
            raise ValueError('validate_only and wait_for_metadata are mutually exclusive')
        request = self._new_topics(new_topics)
        timeout = self._timeout(timeout_ms)
        items = self._admin.create_topics(request, timeout, bool(validate_only))
        if raise_errors:
            for name, err, errstr in items:
                if err:
                    _raise(err, errstr)
        created = [name for name, err, _ in items if not err]
        described = {}
        if created and not validate_only:
            # CreateTopics' answer (id, counts, configs) as the created
            # topics now describe themselves
            self.wait_for_topics(created, timeout)
            described = {t['name']: t for t in self.describe_topics(created)}
        results = []
        for (name, err, errstr), req in zip(items, request):
            entry = {'name': name, 'topic_id': None, 'error_code': err,
                     'error_message': errstr if err else None,
                     'num_partitions': -1, 'replication_factor': -1,
                     'topic_config_error_code': 0}
            if not err:
                topic = described.get(name)
                if topic:
                    parts = topic['partitions']
                    entry['topic_id'] = topic['topic_id']
                    entry['num_partitions'] = len(parts)
                    entry['replication_factor'] = len(parts[0]['replica_nodes']) if parts else -1
                    entry['configs'] = self._created_configs(name)
                else:
                    entry['num_partitions'] = req[1] if req[3] is None else len(req[3])
                    entry['replication_factor'] = req[2] if req[3] is None else len(req[3][0])
            results.append(entry)
        return {'topics': results}

    def _created_configs(self, name):
        (_, _, err, _, entries), = self._admin.describe_configs(
            ((ConfigResourceType.TOPIC.value, name, None),), self._timeout(None))
        return {} if err else {
            e[0]: {'config_source': ConfigSourceType(e[2]).name, 'is_sensitive': e[5],
                   'read_only': e[4], 'value': e[1]}
            for e in entries}

    def wait_for_topics(self, topic_names, timeout_ms=10000):
        """Blocks until each topic is in the metadata with a leader for
        every partition; KafkaTimeoutError after timeout_ms."""
        names = list(topic_names)
        if not names:
            return
        deadline = time.monotonic() + timeout_ms / 1000.0
        while True:
            pending = []
            for t in self.describe_topics(names):
                parts = t['partitions']
                if t['error_code'] or not parts or any(
                        p['error_code'] or p['leader_id'] < 0 for p in parts):
                    pending.append(t['name'])
            if not pending:
                return
            if time.monotonic() >= deadline:
                raise Errors.KafkaTimeoutError(
                    "Topics not ready after %sms: %s" % (timeout_ms, pending))
            time.sleep(0.05)

    def delete_topics(self, topics, timeout_ms=None, raise_errors=True):
        """Deletes topics. Returns {'topics': [{name, topic_id, error_code,
        error_message}]}."""
        names = tuple(str(t) for t in topics)
        timeout = self._timeout(timeout_ms)
        _, described = self._admin.metadata(names, timeout)
        ids = {t[0]: _uuid(t[3]) for t in described if not t[1]}
        items = self._admin.delete_topics(names, timeout)
        if raise_errors:
            for name, err, errstr in items:
                if err:
                    _raise(err, errstr)
        return {'topics': [{'name': name, 'topic_id': None if err else ids.get(name),
                            'error_code': err, 'error_message': errstr if err else None}
                           for name, err, errstr in items]}

    def create_partitions(self, topic_partitions, timeout_ms=None, validate_only=False,
                          raise_errors=True):
        """Raises topics' partition counts ({topic: count, {'count',
        'assignments'} or NewPartitions}). Returns a CreatePartitions
        response: .results, .throttle_time_ms, .to_dict()."""
        request = []
        for topic, spec in topic_partitions.items():
            if isinstance(spec, int):
                request.append((topic, spec, None))
            elif isinstance(spec, dict):
                request.append((topic, spec['count'],
                                tuple(tuple(r) for r in spec['assignments'])))
            elif isinstance(spec, NewPartitions):
                rows = spec.new_assignments
                request.append((topic, spec.total_count,
                                None if rows is None else tuple(tuple(r) for r in rows)))
            else:
                raise TypeError("create_partitions: %r for topic %r is not an int, dict or"
                                " NewPartitions" % (spec, topic))
        items = self._admin.create_partitions(tuple(request), self._timeout(timeout_ms),
                                              bool(validate_only))
        if raise_errors:
            for name, err, errstr in items:
                if err:
                    _raise(err, errstr)
        results = [Response('CreatePartitionsTopicResult', name=name, error_code=err,
                            error_message=errstr if err else None)
                   for name, err, errstr in items]
        return Response('CreatePartitionsResponse', throttle_time_ms=0, results=results)

    # --------------------------------------------------------- elections

    def elect_leaders(self, election_type, topic_partitions=None, timeout_ms=None,
                      raise_errors=True):
        """Elects leaders (election_type 0: the preferred replicas, 1:
        unclean) of {topic: [partition, ...]}, of every partition of a list
        of topics, or (None) of every partition. Returns an
        ElectLeadersResponse: .replica_election_results, .to_dict().
        raise_errors raises the first partition's error other than
        ElectionNotNeededError."""
        if election_type not in (0, 1):
            raise ValueError("%r is not a valid ElectionType (0: preferred, 1: unclean)"
                             % (election_type,))
        if isinstance(topic_partitions, dict):
            wanted = [(t, list(ps)) for t, ps in topic_partitions.items()]
        else:
            wanted = [(t['name'], [p['partition_index'] for p in t['partitions']])
                      for t in self.describe_topics(topic_partitions)]
        request = tuple((t, p) for t, ps in wanted for p in ps)
        rows = self._admin.elect_leaders(request, election_type == 1,
                                         self._timeout(timeout_ms)) if request else []
        by_topic, failed = {}, []
        for topic, partition, _, _, _, _, err in rows:
            error = _error_class(err)
            code = err if err >= 0 else error.errno if isinstance(error.errno, int) else -1
            # kfk keeps the code, not the broker's text: the code's own
            message = error.description if err else None
            by_topic.setdefault(topic, []).append(Response(
                'PartitionResult', partition_id=partition, error_code=code,
                error_message=message))
            if err and error is not Errors.ElectionNotNeededError:
                failed.append(error("ElectLeaders failed for %s-%d: %s"
                                    % (topic, partition, message)))
        if raise_errors and failed:
            raise failed[0]
        return Response('ElectLeadersResponse', throttle_time_ms=0, error_code=0,
                        replica_election_results=[
                            Response('ReplicaElectionResult', topic=t, partition_result=ps)
                            for t, ps in by_topic.items()])

    # ----------------------------------------------------------- configs

    @staticmethod
    def _resource_name(resource):
        rtype = ConfigResourceType.build_from(resource.resource_type)
        if rtype in (ConfigResourceType.BROKER, ConfigResourceType.BROKER_LOGGER):
            try:
                int(resource.name)
            except ValueError:
                raise ValueError("Broker resource names must be an integer or a string"
                                 " represented integer") from None
        return rtype, str(resource.name)

    def _describe(self, config_resources, include_synonyms, config_filter):
        config_filter = ConfigFilterType.build_from(config_filter)
        request = []
        for resource in config_resources:
            rtype, name = self._resource_name(resource)
            keys = resource.configs
            request.append((rtype.value, name, None if keys is None else tuple(keys)))
        results = self._admin.describe_configs(tuple(request), self._timeout(None))
        out = []
        for rtype, name, _err, _errstr, entries in results:
            rtype = ConfigResourceType(rtype)
            configs = {}
            for key, value, source, _default, read_only, sensitive, synonyms in entries:
                source = ConfigSourceType(source)
                if config_filter is ConfigFilterType.DYNAMIC and read_only:
                    continue
                if config_filter.should_skip(source):
                    continue
                configs[key] = {
                    'value': value, 'read_only': read_only, 'config_source': source.name,
                    'is_sensitive': sensitive,
                    'synonyms': [{'name': s[0], 'value': s[1],
                                  'source': ConfigSourceType(s[2]).name}
                                 for s in synonyms] if include_synonyms else [],
                    # kfk does not decode the config type; documentation is
                    # not asked for (kafka-python does not ask either)
                    'config_type': None, 'documentation': None,
                }
            out.append((rtype, name, configs))
        return out

    def describe_configs(self, config_resources, include_synonyms=False, config_filter='modified'):
        """{resource type: {resource name: {key: {config data}}}}; by default
        only the configs changed from their defaults."""
        ret = {}
        for rtype, name, configs in self._describe(config_resources, include_synonyms,
                                                   config_filter):
            ret.setdefault(rtype.name.lower(), {})[name] = configs
        return ret

    def alter_configs(self, config_resources, validate_only=False, raise_on_unknown=True,
                      incremental=None):
        """Changes configs ({key: value} to set, {key: (AlterConfigOp,
        value)}). Returns {resource type: {name: 'OK' or the error}}."""
        if raise_on_unknown:
            self._check_dynamic(config_resources)
        ops = []
        for resource in config_resources:
            rtype, name = self._resource_name(resource)
            configs = resource.configs or {}
            if not isinstance(configs, dict):
                raise TypeError("alter_configs requires configs as a dict of {key: (op, value)}"
                                " or {key: value} (interpreted as SET)")
            for key, op_value in configs.items():
                op, value = op_value if isinstance(op_value, tuple) else (AlterConfigOp.SET,
                                                                          op_value)
                op = AlterConfigOp.build_from(op)
                if incremental is False and op is not AlterConfigOp.SET:
                    raise ValueError("Non-incremental AlterConfigsRequest does not support"
                                     " operation %s (SET only)" % (op,))
                value = None if op is AlterConfigOp.DELETE or value is None else str(value)
                ops.append((rtype.value, name, str(key), value, op.value))
        items = self._admin.alter_configs(tuple(ops), self._timeout(None), bool(validate_only))
        types = {}
        for rtype, name, _, _, _ in ops:
            types.setdefault(name, rtype)
        ret = {}
        for name, err, errstr in items:
            rtype = ConfigResourceType(types.get(name, ConfigResourceType.TOPIC.value))
            ret.setdefault(rtype.name.lower(), {})[name] = (
                'OK' if not err else str(Errors._from_kfk(err, errstr)))
        return ret

    # -------------------------------------------------------------- ACLs

    def describe_acls(self, acl_filter):
        """The ACLs matching an ACLFilter: ([ACL, ...], NoError). Without an
        authorizer on the brokers it raises SecurityDisabledError."""
        if not isinstance(acl_filter, ACLFilter):
            raise Errors.IllegalArgumentError("acl_filter must be an ACLFilter, not %r"
                                              % (acl_filter,))
        rows = self._admin.describe_acls(_acl_to(acl_filter), self._timeout(None))
        return [_acl_from(r) for r in rows], Errors.NoError

    def create_acls(self, acls):
        """Creates ACL objects: {'succeeded': [ACL, ...], 'failed': [error
        class, ...]}."""
        for acl in acls:
            if not isinstance(acl, ACL):
                raise Errors.IllegalArgumentError("acls must contain ACL objects, not %r"
                                                  % (acl,))
        out = {'succeeded': [], 'failed': []}
        if not acls:
            return out
        items = self._admin.create_acls(tuple(_acl_to(a) for a in acls), self._timeout(None))
        for acl, (_, err, _errstr) in zip(acls, items):
            if err:
                out['failed'].append(_error_class(err))
            else:
                out['succeeded'].append(acl)
        return out

    def delete_acls(self, acl_filters):
        """Deletes the ACLs each ACLFilter matches: [(filter, [deleted ACL,
        ...], error class), ...] in the filters' order."""
        for f in acl_filters:
            if not isinstance(f, ACLFilter):
                raise Errors.IllegalArgumentError(
                    "acl_filters must contain ACLFilter objects, not %r" % (f,))
        if not acl_filters:
            return []
        results = self._admin.delete_acls(tuple(_acl_to(f) for f in acl_filters),
                                          self._timeout(None))
        return [(f, [_acl_from(r) for r in deleted], _error_class(err))
                for f, (err, _errstr, deleted) in zip(acl_filters, results)]

    def reset_configs(self, config_resources, validate_only=False, raise_on_unknown=True,
                      incremental=None):
        """Sets configs back to their defaults: each ConfigResource's configs
        lists (or is a dict of) the keys to reset; none means every key
        changed from its default. Returns as alter_configs. The resources'
        configs become {key: (AlterConfigOp.DELETE, None)}."""
        if raise_on_unknown:
            self._check_dynamic(config_resources)
        full = [r for r in config_resources if not r.configs]
        if full:
            lookups = [type(r)(r.resource_type, r.name) for r in full]
            for resource, (_, _, modified) in zip(full, self._describe(lookups, False,
                                                                       'modified')):
                resource.configs = [k for k, v in modified.items() if v['value'] is not None]
        for resource in config_resources:
            resource.configs = {key: (AlterConfigOp.DELETE, None) for key in resource.configs}
        # kfk always alters incrementally: DELETE is what resets a key
        return self.alter_configs(config_resources, validate_only, raise_on_unknown=False)

    def _check_dynamic(self, config_resources):
        """ValueError naming the keys that are no dynamic config of their
        resource."""
        lookups = [type(r)(r.resource_type, r.name) for r in config_resources]
        for resource, (_, _, known) in zip(config_resources,
                                           self._describe(lookups, False, 'dynamic')):
            unknown = set(resource.configs or []) - set(known)
            if unknown:
                raise ValueError("Unrecognized configs: %s" % (unknown,))

    # ----------------------------------------------------------- cluster

    def describe_cluster(self):
        """{'cluster_id', 'controller_id', 'brokers': [...]}."""
        cluster_id, controller, brokers = self._admin.describe_cluster(self._timeout(None))
        # is_fenced is in DescribeCluster v2 (Kafka 4.0) answers only; kfk
        # lists the brokers that are not fenced
        fenced = self._admin.api_version(_DESCRIBE_CLUSTER) >= 2
        return {
            'cluster_id': cluster_id,
            'controller_id': controller,
            'brokers': [dict({'broker_id': b[0], 'host': b[1], 'port': b[2], 'rack': b[3]},
                             **({'is_fenced': False} if fenced else {})) for b in brokers],
            'authorized_operations': None,
        }

    # ------------------------------------------------------------ groups

    def list_groups(self, broker_ids=None, states_filter=None, types_filter=None):
        """Every group of the cluster: [{'group_id', 'protocol_type',
        'group_state', 'group_type'}]."""
        groups, err, errstr = self._admin.list_groups(self._timeout(None))
        if err:
            _raise(err, errstr)
        states = types = None
        if states_filter:
            states = {GroupState.value_for(s) for s in states_filter}
        if types_filter:
            types = {GroupType.value_for(t) for t in types_filter}
        out = []
        for group_id, protocol_type, state, gtype, coordinator in groups:
            if broker_ids is not None and coordinator not in broker_ids:
                continue
            if states is not None and state not in states:
                continue
            if types is not None and gtype not in types:
                continue
            out.append({'group_id': group_id, 'protocol_type': protocol_type,
                        'group_state': state, 'group_type': gtype})
        return out

    def describe_groups(self, group_ids, group_coordinator_id=None,
                        include_authorized_operations=False):
        """{group_id: {group_state, protocol_type, protocol_data, members,
        error, ...}}."""
        out = {}
        for desc in self._admin.describe_groups(tuple(group_ids), self._timeout(None)):
            group_id, err, errstr, state, ptype, protocol, _coord, members = desc
            out[group_id] = {
                'group_id': group_id,
                'group_state': state,
                'protocol_type': ptype,
                'protocol_data': protocol,
                'members': [self._member(m) for m in members],
                'error': str(Errors._from_kfk(err, errstr or '')) if err else None,
                'authorized_operations': None,
            }
        return out

    @staticmethod
    def _member(m):
        member_id, instance_id, client_id, host, assignment = m
        by_topic = {}
        for topic, partition in assignment:
            by_topic.setdefault(topic, []).append(partition)
        return {
            'member_id': member_id,
            'group_instance_id': instance_id,
            'client_id': client_id,
            'client_host': host,
            # kfk decodes the assignment but not the subscription metadata
            # or either's user data
            'member_metadata': None,
            'member_assignment': {
                'assigned_partitions': [{'topic': t, 'partitions': sorted(p)}
                                        for t, p in by_topic.items()],
                'user_data': None,
            },
        }

    def delete_groups(self, group_ids, group_coordinator_id=None):
        """{group_id: 'OK' or the error class's name}."""
        items = self._admin.delete_groups(tuple(group_ids), self._timeout(None))
        return {name: 'OK' if not err else type(Errors._from_kfk(err, errstr)).__name__
                for name, err, errstr in items}

    def list_group_offsets(self, group_specs):
        """{group_id: {TopicPartition: OffsetAndMetadata}} for a group id,
        a list of them, or {group_id: [TopicPartition] or None}."""
        if isinstance(group_specs, str):
            group_specs = {group_specs: None}
        elif isinstance(group_specs, list):
            group_specs = {g: None for g in group_specs}
        if not group_specs:
            raise ValueError('Empty group_specs!')
        out = {}
        for group_id, partitions in group_specs.items():
            request = None if partitions is None else tuple(
                (tp.topic, tp.partition) for tp in partitions)
            offsets = {}
            rows = self._admin.list_group_offsets(group_id, request, self._timeout(None))
            for topic, partition, offset, _ts, epoch, metadata, err in rows:
                if err:
                    raise Errors._from_kfk(
                        err, "OffsetFetchResponse failed for partition %d" % partition)
                offsets[TopicPartition(topic, partition)] = OffsetAndMetadata(
                    -1 if offset == _OFFSET_INVALID else offset, metadata or '', epoch)
            out[group_id] = offsets
        return out

    def alter_group_offsets(self, group_id, offsets, group_coordinator_id=None):
        """Commits offsets for an empty group: {TopicPartition: error class}."""
        if not offsets:
            return {}
        request = tuple((tp.topic, tp.partition, oam.offset, oam.metadata,
                         -1 if oam.leader_epoch is None else oam.leader_epoch)
                        for tp, oam in offsets.items())
        rows = self._admin.alter_group_offsets(group_id, request, self._timeout(None))
        return {TopicPartition(r[0], r[1]): Errors.for_code(r[6]) if r[6] >= 0
                else type(Errors._from_kfk(r[6], '')) for r in rows}

    def reset_group_offsets(self, group_id, offset_specs, group_coordinator_id=None):
        """Commits new offsets for an empty group. offset_specs maps
        TopicPartition to an OffsetSpec, an OffsetTimestamp or an offset;
        each result is clamped to the partition's [earliest, latest] (a
        timestamp past the last record: latest). Returns {TopicPartition:
        {'error': error class, 'offset': the offset committed}}."""
        if not offset_specs:
            return {}
        specs, explicit = {}, {}
        for tp, spec in offset_specs.items():
            if isinstance(spec, (OffsetSpec, OffsetTimestamp)):
                specs[tp] = spec
            elif isinstance(spec, int):
                explicit[tp] = spec
            else:
                raise TypeError("Unsupported reset target for %s: %r (expected OffsetSpec,"
                                " OffsetTimestamp or an int offset)" % (tp, spec))
        tps = list(offset_specs)
        current = self.list_group_offsets({group_id: tps})[group_id]
        earliest = self.list_partition_offsets({tp: OffsetSpec.EARLIEST for tp in tps})
        latest = self.list_partition_offsets({tp: OffsetSpec.LATEST for tp in tps})
        found = self.list_partition_offsets(specs) if specs else {}
        to_commit = {}
        for tp in tps:
            raw = found[tp].offset if tp in found else explicit[tp]
            low, high = earliest[tp].offset, latest[tp].offset
            offset = high if raw < 0 or raw > high else max(raw, low)
            old = current.get(tp)
            to_commit[tp] = OffsetAndMetadata(offset, old.metadata if old else '',
                                              old.leader_epoch if old else None)
        errors = self.alter_group_offsets(group_id, to_commit)
        return {tp: {'error': errors[tp], 'offset': to_commit[tp].offset} for tp in errors}

    def delete_group_offsets(self, group_id, partitions, group_coordinator_id=None):
        """Deletes a group's committed offsets: {TopicPartition: error class}."""
        request = tuple((tp.topic, tp.partition) for tp in partitions)
        if not request:
            return {}
        rows = self._admin.delete_group_offsets(group_id, request, self._timeout(None))
        return {TopicPartition(r[0], r[1]): Errors.for_code(r[6]) if r[6] >= 0
                else type(Errors._from_kfk(r[6], '')) for r in rows}

    # ---------------------------------------------------------- offsets

    def list_partition_offsets(self, topic_partition_specs, isolation_level=0, timeout_ms=None):
        """{TopicPartition: OffsetAndTimestamp} for specs OffsetSpec.LATEST,
        EARLIEST, MAX_TIMESTAMP or a timestamp in ms."""
        if isolation_level not in (0, 'READ_UNCOMMITTED', 'read_uncommitted') and \
                getattr(isolation_level, 'value', None) != 0:
            raise Errors.IllegalArgumentError(
                "isolation_level=%r: kfk's admin lists read_uncommitted offsets only"
                % (isolation_level,))
        self._check_known(topic_partition_specs)
        request = []
        for tp, spec in topic_partition_specs.items():
            if not isinstance(spec, int):
                raise TypeError("Unsupported ts type %s, expected int or OffsetSpec" % type(spec))
            spec = int(spec)
            if spec >= 0:
                request.append((tp.topic, tp.partition, _OFFSET_AT_TIME, spec))
            elif spec == OffsetSpec.LATEST:
                request.append((tp.topic, tp.partition, _OFFSET_END))
            elif spec == OffsetSpec.EARLIEST:
                request.append((tp.topic, tp.partition, _OFFSET_BEGINNING))
            elif spec == OffsetSpec.MAX_TIMESTAMP:
                request.append((tp.topic, tp.partition, _OFFSET_MAX_TIMESTAMP))
            else:
                raise Errors.UnsupportedVersionError(
                    "offset spec %r for %s: not supported by kfk" % (spec, tp))
        out = {}
        for topic, partition, offset, ts, epoch, _, err in self._admin.list_offsets(
                tuple(request), self._timeout(timeout_ms)):
            tp = TopicPartition(topic, partition)
            if err:
                raise Errors._from_kfk(err, "ListOffsetsRequest failed for %s" % (tp,))
            out[tp] = OffsetAndTimestamp(offset, ts, epoch if epoch >= 0 else None)
        return out

    def _check_known(self, partitions):
        """UnknownTopicOrPartitionError naming the partitions the metadata
        does not have (before asking their leaders, as kafka-python)."""
        topics = tuple(sorted({tp.topic for tp in partitions}))
        _, described = self._admin.metadata(topics, self._timeout(None))
        known = {TopicPartition(t[0], p[0]) for t in described for p in t[5]}
        unknown = [tp for tp in partitions if tp not in known]
        if unknown:
            raise Errors.UnknownTopicOrPartitionError(
                "The following partitions are not known: %s" % ", ".join(map(str, unknown)))

    def delete_records(self, records_to_delete, timeout_ms=None, partition_leader_id=None):
        """Deletes the records before each offset ({TopicPartition:
        offset}). Returns {TopicPartition: {'partition_index',
        'low_watermark', 'error_code'}}."""
        self._check_known(records_to_delete)
        request = tuple((tp.topic, tp.partition, offset)
                        for tp, offset in records_to_delete.items())
        rows = self._admin.delete_records(request, self._timeout(timeout_ms))
        out, failed = {}, {}
        for topic, partition, offset, _, _, _, err in rows:
            tp = TopicPartition(topic, partition)
            if err:
                failed[tp] = err
            out[tp] = {'partition_index': partition, 'low_watermark': offset if not err else -1,
                       'error_code': err}
        if len(failed) == 1:
            (tp, err), = failed.items()
            raise Errors._from_kfk(err, "Error deleting records from topic %s partition %s"
                                   % (tp.topic, tp.partition))
        if failed:
            raise Errors.BrokerResponseError(
                "The following errors occured when trying to delete records: " + ", ".join(
                    "%s(partition=%d): %s" % (tp.topic, tp.partition,
                                             type(Errors._from_kfk(err, '')).__name__)
                    for tp, err in failed.items()))
        return out


class Response:
    """A protocol response as kafka-python gives some: fields as
    attributes, to_dict() for plain data."""

    def __init__(self, _name, **fields):
        self._name = _name
        self._fields = fields
        for key, value in fields.items():
            setattr(self, key, value)

    def to_dict(self):
        def plain(v):
            if isinstance(v, Response):
                return v.to_dict()
            if isinstance(v, list):
                return [plain(x) for x in v]
            return v
        return {k: plain(v) for k, v in self._fields.items()}

    def __eq__(self, other):
        return isinstance(other, Response) and self.to_dict() == other.to_dict()

    __hash__ = None

    def __repr__(self):
        return "%s(%s)" % (self._name, ", ".join("%s=%r" % kv for kv in self._fields.items()))

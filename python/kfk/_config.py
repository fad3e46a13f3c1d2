"""What KafkaProducer, KafkaConsumer and KafkaAdminClient share in mapping
kafka-python's keywords onto kfk's configuration."""
from kfk import errors as Errors

# Defaults of the connection, security and metrics keywords every client
# takes (kafka-python's values).
CLIENT_DEFAULTS = {
    "security_protocol": "PLAINTEXT",
    "ssl_context": None,
    "ssl_check_hostname": True,
    "ssl_cafile": None,
    "ssl_certfile": None,
    "ssl_keyfile": None,
    "ssl_crlfile": None,
    "ssl_password": None,
    "api_version": None,
    "bootstrap_timeout_ms": 30000,
    "metric_reporters": [],
    "metrics_num_samples": 2,
    "metrics_sample_window_ms": 30000,
    "selector": None,
    "sasl_mechanism": None,
    "sasl_plain_username": None,
    "sasl_plain_password": None,
    "sasl_kerberos_name": None,
    "sasl_kerberos_service_name": "kafka",
    "sasl_kerberos_domain_name": None,
    "sasl_oauth_token_provider": None,
    "proxy_url": None,
    "socks5_proxy": None,
    "kafka_client": None,
}

# keyword -> kfk conf key for the connection and security keywords every
# client takes; values pass through as they are.
CLIENT_KEYS = {
    "client_id": "client.id",
    "request_timeout_ms": "request.timeout.ms",
    "connections_max_idle_ms": "connections.max.idle.ms",
    "reconnect_backoff_ms": "reconnect.backoff.ms",
    "reconnect_backoff_max_ms": "reconnect.backoff.max.ms",
    "max_in_flight_requests_per_connection": "max.in.flight.requests.per.connection",
    "receive_message_max_bytes": "receive.message.max.bytes",
    "retry_backoff_ms": "retry.backoff.ms",
    "metadata_max_age_ms": "metadata.max.age.ms",
    "security_protocol": "security.protocol",
    "ssl_cafile": "ssl.ca.location",
    "ssl_certfile": "ssl.certificate.location",
    "ssl_keyfile": "ssl.key.location",
    "ssl_password": "ssl.key.password",
    "sasl_mechanism": "sasl.mechanism",
    "sasl_plain_username": "sasl.username",
    "sasl_plain_password": "sasl.password",
}


def refuse(config, keys):
    """KafkaConfigurationError for the first of keys (keywords kfk cannot
    honour) set to anything but None."""
    for key in keys:
        if config[key] is not None:
            raise Errors.KafkaConfigurationError(
                "%s=%r is not supported by kfk" % (key, config[key]))


def pass_through(config, keys, conf):
    """Sets conf[kfk_key] to config[key] for each (key, kfk_key) in keys
    whose value is not None."""
    for key, kfk_key in keys.items():
        if config[key] is not None:
            conf[kfk_key] = config[key]
    return conf


def servers(value):
    """bootstrap_servers (a str or a list of host:port) as kfk's list."""
    return value if isinstance(value, str) else ",".join(value)

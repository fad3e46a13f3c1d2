/* TLS and SASL configuration keys, in the form of conf_keys.h. Both the
 * Java client's names (PEM truststore and keystore, sasl.jaas.config) and
 * librdkafka's (ssl.*.location, sasl.username) are accepted; see
 * docs/SECURITY.md for how they combine. */
#ifndef KFK_CONF_KEYS_SECURITY_H
#define KFK_CONF_KEYS_SECURITY_H

/* clang-format off */
#define KFK_CONF_KEYS_SECURITY(X) \
    X(SSL_CA_LOCATION, "ssl.ca.location", KFK_CONF_STRING, "", 0, 0, NULL, \
      "CA certificates (PEM) to verify brokers with: a file or a directory; empty: the system store") \
    X(SSL_CERTIFICATE_LOCATION, "ssl.certificate.location", KFK_CONF_STRING, "", 0, 0, NULL, \
      "Client certificate (PEM file, chain allowed) for mutual TLS") \
    X(SSL_KEY_LOCATION, "ssl.key.location", KFK_CONF_STRING, "", 0, 0, NULL, \
      "Client private key (PEM file), encrypted with ssl.key.password or not") \
    X(SSL_KEY_PASSWORD, "ssl.key.password", KFK_CONF_STRING, "", 0, 0, NULL, \
      "Password of the client private key") \
    X(SSL_TRUSTSTORE_TYPE, "ssl.truststore.type", KFK_CONF_ENUM, "PEM", 0, 0, "PEM|PKCS12", \
      "Format of ssl.truststore.location: PEM or PKCS12 (JKS: convert it with keytool)") \
    X(SSL_TRUSTSTORE_LOCATION, "ssl.truststore.location", KFK_CONF_STRING, "", 0, 0, NULL, \
      "CA certificates: a PEM file, or a PKCS#12 file with ssl.truststore.type=PKCS12") \
    X(SSL_TRUSTSTORE_PASSWORD, "ssl.truststore.password", KFK_CONF_STRING, "", 0, 0, NULL, \
      "Password of a PKCS#12 truststore (empty: no integrity check)") \
    X(SSL_TRUSTSTORE_CERTIFICATES, "ssl.truststore.certificates", KFK_CONF_STRING, "", 0, 0, \
      NULL, "CA certificates as PEM text") \
    X(SSL_KEYSTORE_TYPE, "ssl.keystore.type", KFK_CONF_ENUM, "PEM", 0, 0, "PEM|PKCS12", \
      "Format of ssl.keystore.location: PEM or PKCS12 (a PKCS#12 file is recognized anyway)") \
    X(SSL_KEYSTORE_LOCATION, "ssl.keystore.location", KFK_CONF_STRING, "", 0, 0, NULL, \
      "The client's private key and certificate chain: one PEM file or a PKCS#12 file") \
    X(SSL_KEYSTORE_PASSWORD, "ssl.keystore.password", KFK_CONF_STRING, "", 0, 0, NULL, \
      "Password of a PKCS#12 keystore (it also decrypts the key inside)") \
    X(SSL_CRL_LOCATION, "ssl.crl.location", KFK_CONF_STRING, "", 0, 0, NULL, \
      "Certificate revocation lists (PEM file): the broker's certificate must not be revoked") \
    X(SSL_KEYSTORE_CERTIFICATE_CHAIN, "ssl.keystore.certificate.chain", KFK_CONF_STRING, "", 0, \
      0, NULL, "Client certificate chain as PEM text") \
    X(SSL_KEYSTORE_KEY, "ssl.keystore.key", KFK_CONF_STRING, "", 0, 0, NULL, \
      "Client private key as PEM text") \
    X(SSL_ENDPOINT_IDENTIFICATION_ALGORITHM, "ssl.endpoint.identification.algorithm", \
      KFK_CONF_STRING, "https", 0, 0, NULL, \
      "https: check the broker's certificate names its host name; empty (or none): do not") \
    X(ENABLE_SSL_CERTIFICATE_VERIFICATION, "enable.ssl.certificate.verification", KFK_CONF_BOOL, \
      "true", 0, 0, NULL, "Verify the broker's certificate chain (false is for tests only)") \
    X(SSL_PROTOCOL, "ssl.protocol", KFK_CONF_ENUM, "TLSv1.3", 0, 0, "TLSv1.2|TLSv1.3|TLS", \
      "Highest TLS version to negotiate (TLS: the highest OpenSSL knows)") \
    X(SSL_ENABLED_PROTOCOLS, "ssl.enabled.protocols", KFK_CONF_STRING, "TLSv1.2,TLSv1.3", 0, 0, \
      NULL, "TLS versions allowed, comma separated: TLSv1.2, TLSv1.3") \
    X(SSL_CIPHER_SUITES, "ssl.cipher.suites", KFK_CONF_STRING, "", 0, 0, NULL, \
      "Cipher suites, comma or colon separated: OpenSSL names for TLS 1.2, TLS_* names for 1.3") \
    X(SSL_CURVES_LIST, "ssl.curves.list", KFK_CONF_STRING, "", 0, 0, NULL, \
      "Key exchange groups (curves), colon separated, e.g. X25519:P-256") \
    X(SASL_MECHANISM, "sasl.mechanism", KFK_CONF_ENUM, "GSSAPI", 0, 0, \
      "GSSAPI|PLAIN|SCRAM-SHA-256|SCRAM-SHA-512|OAUTHBEARER", \
      "SASL mechanism (GSSAPI: Kerberos, when kfk was built with MIT's GSS-API)") \
    X(SASL_USERNAME, "sasl.username", KFK_CONF_STRING, "", 0, 0, NULL, \
      "SASL user name for PLAIN and SCRAM") \
    X(SASL_PASSWORD, "sasl.password", KFK_CONF_STRING, "", 0, 0, NULL, \
      "SASL password for PLAIN and SCRAM") \
    X(SASL_JAAS_CONFIG, "sasl.jaas.config", KFK_CONF_STRING, "", 0, 0, NULL, \
      "Java login module line: PlainLoginModule or ScramLoginModule with username and password") \
    X(SASL_KERBEROS_SERVICE_NAME, "sasl.kerberos.service.name", KFK_CONF_STRING, "kafka", 0, 0, \
      NULL, "Kerberos service name of the brokers (their principal is <name>/<host>@REALM)") \
    X(SASL_KERBEROS_PRINCIPAL, "sasl.kerberos.principal", KFK_CONF_STRING, "kafkaclient", 0, 0, \
      NULL, "This client's Kerberos principal (used with sasl.kerberos.keytab)") \
    X(SASL_KERBEROS_KEYTAB, "sasl.kerberos.keytab", KFK_CONF_STRING, "", 0, 0, NULL, \
      "Keytab to get the client's tickets from; empty: the ticket cache (KRB5CCNAME)") \
    X(SASL_KERBEROS_KINIT_CMD, "sasl.kerberos.kinit.cmd", KFK_CONF_STRING, \
      "kinit -R -t \"%{sasl.kerberos.keytab}\" -k %{sasl.kerberos.principal} || " \
      "kinit -t \"%{sasl.kerberos.keytab}\" -k %{sasl.kerberos.principal}", 0, 0, NULL, \
      "Shell command refreshing the ticket cache; run only when set (kfk reads keytabs itself)") \
    X(SASL_KERBEROS_MIN_TIME_BEFORE_RELOGIN, "sasl.kerberos.min.time.before.relogin", \
      KFK_CONF_INT, "60000", 0, 86400000, NULL, \
      "Least time between two runs of sasl.kerberos.kinit.cmd (0: run it once)") \
    X(SASL_OAUTHBEARER_METHOD, "sasl.oauthbearer.method", KFK_CONF_ENUM, "default", 0, 0, \
      "default|oidc", \
      "OAUTHBEARER tokens: default (the token callback) or oidc (fetched from the token endpoint)") \
    X(SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL, "sasl.oauthbearer.token.endpoint.url", \
      KFK_CONF_STRING, "", 0, 0, NULL, \
      "OIDC token endpoint (client-credentials grant); set alone it implies method oidc") \
    X(SASL_OAUTHBEARER_CLIENT_ID, "sasl.oauthbearer.client.id", KFK_CONF_STRING, "", 0, 0, NULL, \
      "OIDC client id (HTTP Basic user at the token endpoint)") \
    X(SASL_OAUTHBEARER_CLIENT_SECRET, "sasl.oauthbearer.client.secret", KFK_CONF_STRING, "", 0, \
      0, NULL, "OIDC client secret (HTTP Basic password at the token endpoint)") \
    X(SASL_OAUTHBEARER_SCOPE, "sasl.oauthbearer.scope", KFK_CONF_STRING, "", 0, 0, NULL, \
      "Scope to request with OIDC tokens (empty: none)") \
    X(SASL_OAUTHBEARER_EXTENSIONS, "sasl.oauthbearer.extensions", KFK_CONF_STRING, "", 0, 0, \
      NULL, "SASL extensions sent with the token: key=value,key2=value2 (RFC 7628)") \
    X(HTTPS_CA_LOCATION, "https.ca.location", KFK_CONF_STRING, "", 0, 0, NULL, \
      "CA certificates (PEM file) for the OIDC token endpoint; empty: ssl.ca.location, else the system store")

#define KFK_CONF_ALIASES_SECURITY(X) \
    X("sasl.mechanisms", "sasl.mechanism") \
    X("sasl.oauthbearer.client.credentials.client.id", "sasl.oauthbearer.client.id") \
    X("sasl.oauthbearer.client.credentials.client.secret", "sasl.oauthbearer.client.secret")
/* clang-format on */

#endif

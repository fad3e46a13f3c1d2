# shellcheck shell=bash
# `kafka-local up --oidc`: a small OIDC identity provider (oidc_idp.py:
# HTTPS token endpoint issuing RS256 JWTs, and its JWKS) and a 1-node broker
# whose SASL/OAUTHBEARER listeners validate those tokens with Kafka's
# built-in OIDC validator. Sourced by scripts/kafka-local.
#
# Ports (B = base port): OAUTHBEARER SASL_PLAINTEXT at B+20, SASL_SSL at
# B+21 (the --secure certificates), the identity provider at B+22
# (https://localhost:B+22/token and /jwks; its certificate from the same
# CA, ssl/ca.pem). Clients (id secret token-lifetime): kfk-client (one
# hour), kfk-short ($KFK_OIDC_SHORT_LIFETIME s, 10 by default).

OIDC_SECRET=kfk-client-secret
OIDC_ISSUER=https://localhost/kfk-test-idp

oidc_dir() { echo "$CLUSTER_DIR/oidc"; }
oidc_port() { echo $((BASE_PORT + $1)); }

oidc_ports() { oidc_port 20; oidc_port 21; oidc_port 22; }

oidc_url() { echo "https://localhost:$(oidc_port 22)"; }

oidc_env() {
    local d
    d=$(oidc_dir)
    cat <<EOF
export KFK_BOOTSTRAP=127.0.0.1:$(node_port 1)
export KFK_BOOTSTRAP_OIDC=127.0.0.1:$(oidc_port 20)
export KFK_BOOTSTRAP_OIDC_SSL=localhost:$(oidc_port 21)
export KFK_SSL_DIR=$(ssl_dir)
export KFK_OIDC_TOKEN_URL=$(oidc_url)/token
export KFK_OIDC_CA=$(ssl_dir)/ca.pem
export KFK_OIDC_CLIENT_ID=kfk-client
export KFK_OIDC_CLIENT_SECRET=$OIDC_SECRET
export KFK_OIDC_SHORT_CLIENT_ID=kfk-short
export KFK_OIDC_SHORT_LIFETIME=$(sed -n 's/^kfk-short [^ ]* //p' "$d/clients")
export KFK_OIDC_IDP_LOG=$d/idp.log
EOF
}

# The JVM fetches the JWKS over HTTPS: it trusts the test CA, and Kafka
# 3.9.1+/4.x only contacts URLs on the allowed list.
oidc_jvm_opts() {
    KFK_BROKER_JVM_OPTS="${KFK_BROKER_JVM_OPTS:-} -Djavax.net.ssl.trustStore=$(ssl_dir)/truststore.p12 -Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=$STORE_PASSWORD -Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=$(oidc_url)/jwks"
}

idp_pid() {
    local f pid
    f=$(oidc_dir)/idp.pid
    [ -s "$f" ] || return 0
    pid=$(cat "$f")
    kill -0 "$pid" 2>/dev/null && echo "$pid"
    return 0
}

# The provider's TLS certificate (localhost, from the --secure CA) and its
# clients.
make_idp() {
    local d
    d=$(oidc_dir)
    python3 -c 'import cryptography' 2>/dev/null ||
        die "python3-cryptography not found (scripts/install-deps installs it)"
    mkdir -p "$d"
    make_leaf idp "IP:127.0.0.1,DNS:localhost" 30
    printf 'kfk-client %s 3600\nkfk-short %s %s\n' "$OIDC_SECRET" "$OIDC_SECRET" \
        "${KFK_OIDC_SHORT_LIFETIME:-10}" > "$d/clients"
}

start_idp() {
    local d n=0
    d=$(oidc_dir)
    [ -n "$(idp_pid)" ] && return 0
    python3 "$KAFKA_DIR/oidc_idp.py" --port "$(oidc_port 22)" --cert "$(ssl_dir)/idp.pem" \
        --key "$(ssl_dir)/idp.key" --signing-key "$d/signing.key" --clients "$d/clients" \
        --log "$d/idp.log" --issuer "$OIDC_ISSUER" >>"$d/idp.out" 2>&1 8>&- 9>&- &
    echo $! > "$d/idp.pid"
    while ! curl -sf --cacert "$(ssl_dir)/ca.pem" "$(oidc_url)/jwks" >/dev/null 2>&1; do
        [ -n "$(idp_pid)" ] && [ $n -lt 100 ] || { cat "$d/idp.out" >&2; die "the identity provider did not start"; }
        sleep 0.1
        n=$((n + 1))
    done
    log "identity provider started (pid $(idp_pid), $(oidc_url))"
}

stop_idp() {
    local pid n=0
    [ -d "$(oidc_dir)" ] || return 0
    pid=$(idp_pid)
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
    rm -f "$(oidc_dir)/idp.pid"
    log "identity provider (pid $pid) stopped"
}

# server.properties lines for the OAUTHBEARER listeners of node 1.
oidc_properties() {
    local l
    cat <<EOF
# OAUTHBEARER listeners validating OIDC tokens (scripts/kafka/oidc.sh)
listeners=PLAINTEXT://127.0.0.1:$(node_port 1),CONTROLLER://127.0.0.1:$(node_cport 1),OIDC://127.0.0.1:$(oidc_port 20),OIDC_SSL://127.0.0.1:$(oidc_port 21)
advertised.listeners=PLAINTEXT://127.0.0.1:$(node_port 1),OIDC://127.0.0.1:$(oidc_port 20),OIDC_SSL://localhost:$(oidc_port 21)
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,OIDC:SASL_PLAINTEXT,OIDC_SSL:SASL_SSL
sasl.enabled.mechanisms=OAUTHBEARER
connections.max.reauth.ms=${KFK_OIDC_REAUTH_MS:-3600000}
sasl.oauthbearer.jwks.endpoint.url=$(oidc_url)/jwks
sasl.oauthbearer.expected.audience=kafka
sasl.oauthbearer.expected.issuer=$OIDC_ISSUER
listener.name.oidc_ssl.ssl.keystore.type=PEM
listener.name.oidc_ssl.ssl.keystore.location=$(ssl_dir)/broker-keystore.pem
EOF
    for l in oidc oidc_ssl; do
        echo "listener.name.$l.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required ;"
        echo "listener.name.$l.oauthbearer.sasl.server.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler"
    done
}

# Sourced by scripts/kafka-local for `up --secure` and `env --secure`:
# certificates made with the openssl command, secured listeners, SCRAM
# users, and the environment the security tests read.
#
# Listeners (1-node cluster, base port B):
#   B+10 SSL            broker certificate for 127.0.0.1 / localhost
#   B+11 SSL            an expired certificate (SSL_EXPIRED)
#   B+12 SSL            a certificate for wrong.example (SSL_WRONGHOST)
#   B+13 SASL_PLAINTEXT PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER
#   B+14 SASL_SSL       the same mechanisms over TLS
#   B+15 SSL            client certificate required (SSL_MTLS)
# Client files in $KFK_SSL_DIR: ca.pem, client.pem/.key (client-enc.key
# encrypted), client.p12 and truststore.p12 (PKCS#12, $STORE_PASSWORD),
# client-keypw.p12 (the store's password $STORE_PASSWORD, its key's
# $CLIENT_KEY_PASSWORD: Java's ssl.key.password for a PKCS#12 keystore),
# crl.pem (revokes client-revoked.pem only) and crl-broker-revoked.pem
# (revokes the broker's). Client certificates name crl.pem as their CRL
# distribution point (a file: URL) and the broker's JVM checks it
# (secure_jvm_opts): the mutual TLS listener refuses client-revoked.pem.
# Users: alice / alice-secret (PLAIN and both SCRAMs). OAUTHBEARER takes
# unsecured JWTs (alg none) with a sub claim. Sessions must re-authenticate
# every $KFK_REAUTH_MS ms (connections.max.reauth.ms, default 10000).
#
# Authorization: KRaft's StandardAuthorizer. User:ANONYMOUS (the PLAINTEXT
# listener, so also broker-to-controller and inter-broker traffic) is a
# super user: KIP-801 lets only super users in on the controller listener
# until the ACLs are loaded. Everyone else (alice) may touch any resource
# without ACLs, so only the resources the ACL tests guard are denied. The
# cluster resource does get ACLs (secure_cluster_acls): it grants everyone
# the usual cluster operations but not DELETE, which the controller would
# otherwise take as leave to delete any topic, whatever the topic's ACLs.

SASL_USER=alice
SASL_PASSWORD=alice-secret
CLIENT_KEY_PASSWORD=client-key-secret
STORE_PASSWORD=store-secret   # the PKCS#12 client keystore and truststore

ssl_dir() { echo "$CLUSTER_DIR/ssl"; }
secure_port() {   # listener offset $1
    echo $((BASE_PORT + $1))
}

secure_env() {
    cat <<EOF
export KFK_BOOTSTRAP=127.0.0.1:$(node_port 1)
export KFK_BOOTSTRAP_SSL=127.0.0.1:$(secure_port 10)
export KFK_BOOTSTRAP_SSL_EXPIRED=127.0.0.1:$(secure_port 11)
export KFK_BOOTSTRAP_SSL_WRONGHOST=127.0.0.1:$(secure_port 12)
export KFK_BOOTSTRAP_SASL_PLAINTEXT=127.0.0.1:$(secure_port 13)
export KFK_BOOTSTRAP_SASL_SSL=127.0.0.1:$(secure_port 14)
export KFK_BOOTSTRAP_SSL_MTLS=127.0.0.1:$(secure_port 15)
export KFK_SSL_DIR=$(ssl_dir)
export KFK_SASL_USERNAME=$SASL_USER
export KFK_SASL_PASSWORD=$SASL_PASSWORD
export KFK_SSL_KEY_PASSWORD=$CLIENT_KEY_PASSWORD
export KFK_SSL_STORE_PASSWORD=$STORE_PASSWORD
export KFK_ACL_AUTHORIZER=1
EOF
}

# JVM options of a secured cluster's broker: TLS peers' certificates are
# checked for revocation, against the lists their CRL distribution points
# name (Java has no broker setting for it).
secure_jvm_opts() {
    grep -q '^secure=1' "$CLUSTER_DIR/cluster.env" 2>/dev/null || return 0
    echo "-Dcom.sun.net.ssl.checkRevocation=true -Dcom.sun.security.enableCRLDP=true"
}

secure_ports() {   # every secured listener's port
    local o
    for o in 10 11 12 13 14 15; do secure_port "$o"; done
}

# leaf NAME SAN DAYS|START:END [EXT]: a key and a certificate signed by the
# CA, with the extension line EXT if given.
make_leaf() {
    local d name=$1 san=$2 validity=$3 ext=${4:-}
    d=$(ssl_dir)
    openssl req -new -newkey rsa:2048 -nodes -keyout "$d/$name.key" -subj "/CN=$name" \
        -out "$d/$name.csr" 2>/dev/null
    printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n%s\n' "$san" "$ext" > "$d/$name.ext"
    case $validity in
        *:*)   # an explicit (past) validity period needs `openssl ca`
            : > "$d/index.txt"
            cat > "$d/ca.cnf" <<EOF
[ca]
default_ca = kfk
[kfk]
database = $d/index.txt
new_certs_dir = $d
serial = $d/serial
default_md = sha256
policy = any
copy_extensions = none
[any]
commonName = supplied
[ext]
subjectAltName = $san
EOF
            echo 1000 > "$d/serial"
            openssl ca -batch -config "$d/ca.cnf" -cert "$d/ca.pem" -keyfile "$d/ca.key" \
                -in "$d/$name.csr" -out "$d/$name.pem" -extensions ext \
                -startdate "${validity%%:*}" -enddate "${validity#*:}" -notext 2>/dev/null ;;
        *)
            openssl x509 -req -in "$d/$name.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
                -CAcreateserial -days "$validity" -sha256 -extfile "$d/$name.ext" \
                -out "$d/$name.pem" 2>/dev/null ;;
    esac
    # The broker's PEM keystore: PKCS#8 key then the chain, in one file.
    openssl pkcs8 -topk8 -nocrypt -in "$d/$name.key" -out "$d/$name.pk8"
    cat "$d/$name.pk8" "$d/$name.pem" "$d/ca.pem" > "$d/$name-keystore.pem"
}

make_certs() {
    local d
    d=$(ssl_dir)
    mkdir -p "$d"
    command -v openssl >/dev/null 2>&1 || die "openssl not found"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.pem" \
        -days 30 -subj "/CN=kfk-test-ca" 2>/dev/null
    # A CA nobody signed the broker with: the unknown-CA test trusts it.
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/other-ca.key" -out "$d/other-ca.pem" \
        -days 30 -subj "/CN=kfk-other-ca" 2>/dev/null
    make_leaf broker "IP:127.0.0.1,DNS:localhost" 30
    make_leaf wronghost "DNS:wrong.example" 30
    make_leaf expired "IP:127.0.0.1,DNS:localhost" "20200101000000Z:20200102000000Z"
    # Java checks every client certificate's revocation: each names the list.
    make_leaf client "DNS:kfk-client" 30 "crlDistributionPoints=URI:file://$d/crl.pem"
    make_leaf client-revoked "DNS:kfk-client-revoked" 30 "crlDistributionPoints=URI:file://$d/crl.pem"
    # The client key again, encrypted: ssl.key.password is tested with it.
    openssl pkcs8 -topk8 -in "$d/client.key" -out "$d/client-enc.key" -v2 aes-256-cbc \
        -passout "pass:$CLIENT_KEY_PASSWORD"
    make_stores
    make_crl crl.pem client-revoked  # the CA's list
    make_crl crl-broker-revoked.pem broker
    [ -s "$d/expired.pem" ] && [ -s "$d/client-enc.key" ] && [ -s "$d/client.p12" ] &&
        [ -s "$d/truststore.p12" ] && [ -s "$d/client-keypw.p12" ] &&
        [ -s "$d/crl-broker-revoked.pem" ] ||
        die "making test certificates failed"
}

# PKCS#12 client keystore (key, certificate, CA) and a truststore made by
# keytool, as a Java shop hands them out.
make_stores() {
    local d keytool=${JAVA%java}keytool
    d=$(ssl_dir)
    openssl pkcs12 -export -in "$d/client.pem" -inkey "$d/client.key" -certfile "$d/ca.pem" \
        -name client -out "$d/client.p12" -passout "pass:$STORE_PASSWORD"
    rm -f "$d/truststore.p12"
    "$keytool" -importcert -noprompt -alias ca -file "$d/ca.pem" -storetype PKCS12 \
        -keystore "$d/truststore.p12" -storepass "$STORE_PASSWORD" >/dev/null 2>&1 ||
        die "keytool could not make the truststore"
    "$JAVA" "$KAFKA_DIR/KeyPassStore.java" "$d/client.p12" "$STORE_PASSWORD" \
        "$CLIENT_KEY_PASSWORD" "$d/client-keypw.p12" >"$d/keypass.log" 2>&1 ||
        { cat "$d/keypass.log" >&2; die "could not make client-keypw.p12"; }
}

# make_crl FILE CERT: a revocation list signed by the CA revoking CERT.
make_crl() {
    local d out=$1 cert=$2
    d=$(ssl_dir)
    : > "$d/crl-$cert.idx"
    cat > "$d/crl-$cert.cnf" <<EOF
[ca]
default_ca = kfk
[kfk]
database = $d/crl-$cert.idx
certificate = $d/ca.pem
private_key = $d/ca.key
default_md = sha256
default_crl_days = 30
EOF
    openssl ca -batch -config "$d/crl-$cert.cnf" -revoke "$d/$cert.pem" 2>/dev/null &&
        openssl ca -batch -config "$d/crl-$cert.cnf" -gencrl -out "$d/$out" 2>/dev/null ||
        die "could not make the revocation list $out"
}

# server.properties lines for the secured listeners of node 1.
secure_properties() {
    local d l mech
    d=$(ssl_dir)
    cat <<EOF
# Secured listeners (scripts/kafka/secure.sh)
listeners=PLAINTEXT://127.0.0.1:$(node_port 1),CONTROLLER://127.0.0.1:$(node_cport 1),SSL://127.0.0.1:$(secure_port 10),SSL_EXPIRED://127.0.0.1:$(secure_port 11),SSL_WRONGHOST://127.0.0.1:$(secure_port 12),SASL_PLAINTEXT://127.0.0.1:$(secure_port 13),SASL_SSL://127.0.0.1:$(secure_port 14),SSL_MTLS://127.0.0.1:$(secure_port 15)
advertised.listeners=PLAINTEXT://127.0.0.1:$(node_port 1),SSL://127.0.0.1:$(secure_port 10),SSL_EXPIRED://127.0.0.1:$(secure_port 11),SSL_WRONGHOST://127.0.0.1:$(secure_port 12),SASL_PLAINTEXT://127.0.0.1:$(secure_port 13),SASL_SSL://127.0.0.1:$(secure_port 14),SSL_MTLS://127.0.0.1:$(secure_port 15)
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SSL_EXPIRED:SSL,SSL_WRONGHOST:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,SSL_MTLS:SSL
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER
connections.max.reauth.ms=${KFK_REAUTH_MS:-10000}
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=true
super.users=User:ANONYMOUS
EOF
    for l in ssl:broker ssl_expired:expired ssl_wronghost:wronghost sasl_ssl:broker ssl_mtls:broker; do
        echo "listener.name.${l%%:*}.ssl.keystore.type=PEM"
        echo "listener.name.${l%%:*}.ssl.keystore.location=$d/${l#*:}-keystore.pem"
    done
    cat <<EOF
listener.name.ssl_mtls.ssl.client.auth=required
listener.name.ssl_mtls.ssl.truststore.type=PEM
listener.name.ssl_mtls.ssl.truststore.location=$d/ca.pem
EOF
    for l in sasl_plaintext sasl_ssl; do
        echo "listener.name.$l.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$SASL_USER=\"$SASL_PASSWORD\";"
        for mech in scram-sha-256 scram-sha-512; do
            echo "listener.name.$l.$mech.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;"
        done
        echo "listener.name.$l.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;"
    done
}

# StorageTool arguments creating the SCRAM users.
secure_format_args() {
    echo "--add-scram"
    echo "SCRAM-SHA-256=[name=$SASL_USER,password=$SASL_PASSWORD]"
    echo "--add-scram"
    echo "SCRAM-SHA-512=[name=$SASL_USER,password=$SASL_PASSWORD]"
}

# After a fresh start: everyone may do on the cluster what clients do
# (create topics, idempotent writes, configs, describe), but not DELETE
# (see the top). Kafka's own AclCommand, over the super user's listener.
secure_cluster_acls() {
    local cls=org.apache.kafka.tools.AclCommand op ops=() names="Create Describe IdempotentWrite Alter AlterConfigs DescribeConfigs"
    if [ "${CL_VERSION%%.*}" -lt 4 ]; then cls=kafka.admin.AclCommand; fi
    for op in $names; do ops+=(--operation "$op"); done
    "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -Djava.awt.headless=true -cp "$(lib_dir "$CL_VERSION")/*" \
        "$cls" --bootstrap-server "127.0.0.1:$(node_port 1)" --add --allow-principal 'User:*' \
        "${ops[@]}" --cluster </dev/null >"$CLUSTER_DIR/acls.log" 2>&1 8>&- 9>&- \
        || { cat "$CLUSTER_DIR/acls.log" >&2; die "could not create the cluster ACLs"; }
    log "cluster ACLs: User:* may $names (not Delete)"
}

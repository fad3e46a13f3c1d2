# shellcheck shell=bash
# `kafka-local up --kerberos`: an MIT KDC (Debian's krb5-kdc) with its own
# realm, configuration and database under the cluster's folder, and a
# 1-node broker with SASL/GSSAPI listeners. Sourced by scripts/kafka-local.
#
# Ports (B = base port): the GSSAPI listeners at B+20 (SASL_PLAINTEXT) and
# B+21 (SASL_SSL, the --secure certificates), the KDC at B+22 (TCP and UDP).
# `up --secure --kerberos` puts these and the --secure listeners on one
# broker (the CI's 4.4.0 run does).
# The brokers' principal is kafka/localhost@KFK.TEST, so clients reach the
# listeners as localhost. Principals with keytabs for the tests:
# client@KFK.TEST, and short@KFK.TEST whose tickets live 60 seconds.

KRB_REALM=KFK.TEST

krb_dir() { echo "$CLUSTER_DIR/krb5"; }
krb_port() { echo $((BASE_PORT + $1)); }

kerberos_ports() { krb_port 20; krb_port 21; krb_port 22; }

kerberos_env() {
    local d
    d=$(krb_dir)
    cat <<EOF
export KFK_BOOTSTRAP=127.0.0.1:$(node_port 1)
export KFK_BOOTSTRAP_GSSAPI=localhost:$(krb_port 20)
export KFK_BOOTSTRAP_GSSAPI_SSL=localhost:$(krb_port 21)
export KFK_SSL_DIR=$(ssl_dir)
export KRB5_CONFIG=$d/krb5.conf
export KFK_KRB5_DIR=$d
export KFK_KRB5_KDC_LOG=$d/kdc.log
export KFK_KRB5_CLIENT_PRINCIPAL=client@$KRB_REALM
export KFK_KRB5_CLIENT_KEYTAB=$d/client.keytab
export KFK_KRB5_SHORT_PRINCIPAL=short@$KRB_REALM
export KFK_KRB5_SHORT_KEYTAB=$d/short.keytab
EOF
}

# The JVM reads the realm's krb5.conf; kept across restarts of dead nodes.
kerberos_jvm_opts() {
    KFK_BROKER_JVM_OPTS="${KFK_BROKER_JVM_OPTS:-} -Djava.security.krb5.conf=$(krb_dir)/krb5.conf"
}

krb_run() { KRB5_CONFIG=$(krb_dir)/krb5.conf KRB5_KDC_PROFILE=$(krb_dir)/kdc.conf "$@"; }

kdc_pid() {
    local f pid
    f=$(krb_dir)/kdc.pid
    [ -s "$f" ] || return 0
    pid=$(cat "$f")
    kill -0 "$pid" 2>/dev/null && echo "$pid"
    return 0
}

# Writes the realm and its principals and keytabs (a fresh database).
make_realm() {
    local d
    d=$(krb_dir)
    for tool in krb5kdc kdb5_util kadmin.local kinit; do
        command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] ||
            die "$tool not found (scripts/install-deps installs krb5-kdc, krb5-admin-server, krb5-user)"
    done
    mkdir -p "$d"
    cat > "$d/krb5.conf" <<EOF
[libdefaults]
    default_realm = $KRB_REALM
    dns_lookup_kdc = false
    dns_lookup_realm = false
    dns_canonicalize_hostname = false
    rdns = false
    udp_preference_limit = 1
    ticket_lifetime = 10h
    forwardable = false
[realms]
    $KRB_REALM = {
        kdc = 127.0.0.1:$(krb_port 22)
    }
[domain_realm]
    localhost = $KRB_REALM
EOF
    cat > "$d/kdc.conf" <<EOF
[kdcdefaults]
    kdc_listen = 127.0.0.1:$(krb_port 22)
    kdc_tcp_listen = 127.0.0.1:$(krb_port 22)
[realms]
    $KRB_REALM = {
        database_name = $d/principal
        key_stash_file = $d/stash
        acl_file = $d/kadm5.acl
        max_life = 10h
        max_renewable_life = 0
        supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
    }
[logging]
    kdc = FILE:$d/kdc.log
EOF
    : > "$d/kadm5.acl"
    krb_run kdb5_util create -s -r "$KRB_REALM" -P "$(openssl rand -hex 16)" >"$d/setup.log" 2>&1 ||
        { cat "$d/setup.log" >&2; die "kdb5_util create failed"; }
    {
        echo "addprinc -randkey kafka/localhost@$KRB_REALM"
        echo "addprinc -randkey client@$KRB_REALM"
        echo "addprinc -randkey -maxlife \"60 seconds\" short@$KRB_REALM"
        echo "ktadd -k $d/kafka.keytab kafka/localhost@$KRB_REALM"
        echo "ktadd -k $d/client.keytab client@$KRB_REALM"
        echo "ktadd -k $d/short.keytab short@$KRB_REALM"
    } | krb_run kadmin.local >>"$d/setup.log" 2>&1 || { cat "$d/setup.log" >&2; die "kadmin.local failed"; }
    [ -s "$d/short.keytab" ] || { cat "$d/setup.log" >&2; die "making the keytabs failed"; }
}

start_kdc() {
    local d n=0
    d=$(krb_dir)
    [ -n "$(kdc_pid)" ] && return 0
    PATH=$PATH:/usr/sbin krb_run krb5kdc -P "$d/kdc.pid" >>"$d/kdc.log" 2>&1 8>&- 9>&- ||
        die "krb5kdc did not start (see $d/kdc.log)"
    while [ -z "$(kdc_pid)" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
    [ -n "$(kdc_pid)" ] || die "krb5kdc did not start (see $d/kdc.log)"
    log "KDC for $KRB_REALM started (pid $(kdc_pid), 127.0.0.1:$(krb_port 22))"
}

stop_kdc() {
    local pid n=0
    [ -d "$(krb_dir)" ] || return 0
    pid=$(kdc_pid)
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
    rm -f "$(krb_dir)/kdc.pid"
    log "KDC (pid $pid) stopped"
}

# server.properties lines for the GSSAPI listeners of node 1. With
# --secure too, kafka-local merges the listener lists of both; the
# mechanism and the re-authentication period are set per listener, so the
# secured listeners keep theirs.
kerberos_properties() {
    local d l
    d=$(krb_dir)
    cat <<EOF
# Kerberos listeners (scripts/kafka/kerberos.sh)
listeners=PLAINTEXT://127.0.0.1:$(node_port 1),CONTROLLER://127.0.0.1:$(node_cport 1),KRB://127.0.0.1:$(krb_port 20),KRB_SSL://127.0.0.1:$(krb_port 21)
advertised.listeners=PLAINTEXT://127.0.0.1:$(node_port 1),KRB://localhost:$(krb_port 20),KRB_SSL://localhost:$(krb_port 21)
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,KRB:SASL_PLAINTEXT,KRB_SSL:SASL_SSL
sasl.kerberos.service.name=kafka
listener.name.krb_ssl.ssl.keystore.type=PEM
listener.name.krb_ssl.ssl.keystore.location=$(ssl_dir)/broker-keystore.pem
EOF
    if [ -z "$SECURE" ]; then echo "sasl.enabled.mechanisms=GSSAPI"; fi
    for l in krb krb_ssl; do
        echo "listener.name.$l.sasl.enabled.mechanisms=GSSAPI"
        echo "listener.name.$l.gssapi.connections.max.reauth.ms=${KFK_KRB_REAUTH_MS:-20000}"
        echo "listener.name.$l.gssapi.sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true keyTab=\"$d/kafka.keytab\" principal=\"kafka/localhost@$KRB_REALM\";"
    done
}

# Joins the values of the list settings both listener sets write (one line
# each, items in order, duplicates dropped; Java would keep only the last).
merge_listener_lists() {
    awk 'BEGIN { M["listeners"]; M["advertised.listeners"]; M["listener.security.protocol.map"] }
        { L[NR] = $0; p = index($0, "="); k = p ? substr($0, 1, p - 1) : ""
          if (k in M) { n = split(substr($0, p + 1), it, ",")
              for (j = 1; j <= n; j++) if (!((k SUBSEP it[j]) in S)) {
                  S[k SUBSEP it[j]]; V[k] = V[k] (V[k] == "" ? "" : ",") it[j] } } }
        END { for (i = 1; i <= NR; i++) { p = index(L[i], "="); k = p ? substr(L[i], 1, p - 1) : ""
              if (!(k in M)) print L[i]; else if (!(k in D)) { D[k]; print k "=" V[k] } } }'
}

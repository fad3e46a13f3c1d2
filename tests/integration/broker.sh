#!/usr/bin/env bash
# Runs a command against a local Kafka cluster started by scripts/kafka-local.
#
#   tests/integration/broker.sh [--nodes 1|3] [--version V] [--keep] -- CMD [ARGS...]
#
# Brings the cluster up (or reuses it if it already runs), exports
# KFK_BOOTSTRAP (and KFK_BROKER_NODES / KFK_KAFKA_VERSION_RUNNING) for CMD,
# runs CMD, and stops the cluster afterwards only if this script started it
# (unless --keep or KFK_KEEP_BROKER=1).  Exits with CMD's status.
# Example: tests/integration/broker.sh --nodes 3 -- ctest --test-dir build -L integration
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KL=$ROOT/scripts/kafka-local
up_args=()
nodes=${KFK_BROKER_NODES:-1}
keep=${KFK_KEEP_BROKER:-}

while [ $# -gt 0 ]; do
    case $1 in
        --nodes) nodes=$2; up_args+=(--nodes "$2"); shift 2 ;;
        --version) up_args+=(--version "$2"); shift 2 ;;
        --keep) keep=1; shift ;;
        --) shift; break ;;
        *) echo "broker.sh: unknown option $1 (want ... -- CMD)" >&2; exit 2 ;;
    esac
done
[ $# -gt 0 ] || { echo "broker.sh: no command given (… -- CMD)" >&2; exit 2; }

started=
if ! "$KL" status --nodes "$nodes" >/dev/null 2>&1; then
    started=1
fi
boot=$("$KL" up ${up_args[@]+"${up_args[@]}"} | tail -n 1)
[ -n "$boot" ] || { echo "broker.sh: kafka-local up failed" >&2; exit 1; }

# shellcheck disable=SC2317  # invoked through the EXIT trap
cleanup() {
    if [ -n "$started" ] && [ -z "$keep" ]; then
        "$KL" down --nodes "$nodes" || true
    fi
}
trap cleanup EXIT

export KFK_BOOTSTRAP=$boot
export KFK_BROKER_NODES=$nodes
first_port=${KFK_BROKER_PORT:-29092}
[ "$nodes" = 1 ] || first_port=$((first_port + 1))
KFK_KAFKA_VERSION_RUNNING=$(sed -n 's/^version=//p' \
    "${KFK_BROKER_DIR:-/tmp/kfk-broker}/${nodes}node-$first_port/cluster.env" 2>/dev/null || true)
export KFK_KAFKA_VERSION_RUNNING
echo "broker.sh: KFK_BOOTSTRAP=$KFK_BOOTSTRAP" >&2
rc=0
"$@" || rc=$?
exit $rc

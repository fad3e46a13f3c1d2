#!/bin/sh
# Every function Debian's librdkafka.so.1 (2.0.2) exports is exported by
# ours, and Debian's kcat and python3-confluent-kafka binaries, unchanged,
# load ours with immediate binding. Prints what is missing and fails.
# Usage: symbols_test.sh DIR (the directory holding our librdkafka.so.1).
set -u
dir=${1:?usage: symbols_test.sh DIR}
ours=$dir/librdkafka.so.1
debian=/usr/lib/x86_64-linux-gnu/librdkafka.so.1
kcat=/usr/bin/kcat
cimpl=$(dpkg -L python3-confluent-kafka 2>/dev/null | grep 'cimpl.*\.so$' | head -1)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

for f in "$ours" "$debian" "$kcat" "$cimpl"; do
    if [ ! -f "$f" ]; then
        echo "FAIL: ${f:-python3-confluent-kafka's cimpl extension} not found (scripts/install-deps installs the Debian packages)"
        exit 1
    fi
done

defined() { nm -D --defined-only "$1" | awk '$2 == "T" { print $3 }' | sort -u; }
imports() { nm -D --undefined-only "$1" | awk '$NF ~ /^rd_kafka_/ { print $NF }' | sort -u; }
defined "$ours" >"$tmp/ours"

# missing NAME LIST: the names in LIST that ours does not export.
missing() {
    comm -23 "$2" "$tmp/ours" >"$tmp/missing"
    n=$(wc -l <"$tmp/missing")
    total=$(wc -l <"$2")
    if [ "$n" -ne 0 ]; then
        echo "FAIL: $n of $1's $total functions missing from $ours:"
        tr '\n' ' ' <"$tmp/missing" | fold -s -w 100 | sed 's/^/    /'
        echo
        fail=1
    else
        echo "ok: all $total of $1's functions exported"
    fi
}

defined "$debian" >"$tmp/debian"
missing "Debian librdkafka.so.1" "$tmp/debian"
imports "$kcat" >"$tmp/kcat"
missing "kcat's imported" "$tmp/kcat"
imports "$cimpl" >"$tmp/cimpl"
missing "confluent-kafka's imported" "$tmp/cimpl"

# The loader's word: immediate binding resolves every import, and the
# library loaded is ours (its version string names kfk).
if out=$(LD_BIND_NOW=1 LD_LIBRARY_PATH="$dir" "$kcat" -V 2>&1) && echo "$out" | grep -q kfk; then
    echo "ok: LD_BIND_NOW kcat -V runs on ours"
else
    echo "FAIL: LD_BIND_NOW=1 LD_LIBRARY_PATH=$dir $kcat -V:"
    echo "$out" | head -5 | sed 's/^/    /'
    fail=1
fi
if out=$(LD_BIND_NOW=1 LD_LIBRARY_PATH="$dir" /usr/bin/python3 -c \
        'import confluent_kafka; print(confluent_kafka.libversion()[0])' 2>&1) &&
    echo "$out" | grep -q kfk; then
    echo "ok: LD_BIND_NOW import confluent_kafka runs on ours"
else
    echo "FAIL: LD_BIND_NOW=1 LD_LIBRARY_PATH=$dir /usr/bin/python3 -c 'import confluent_kafka':"
    echo "$out" | tail -5 | sed 's/^/    /'
    fail=1
fi
exit $fail

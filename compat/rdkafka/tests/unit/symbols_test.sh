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
        echo "FAIL: $n of $total $1 missing from $ours:"
        tr '\n' ' ' <"$tmp/missing" | fold -s -w 100 | sed 's/^/    /'
        echo
        fail=1
    else
        echo "ok: ours has all $total $1"
    fi
}

defined "$debian" >"$tmp/debian"
missing "functions Debian's librdkafka.so.1 exports" "$tmp/debian"
imports "$kcat" >"$tmp/kcat"
missing "functions kcat imports" "$tmp/kcat"
imports "$cimpl" >"$tmp/cimpl"
missing "functions confluent-kafka's cimpl imports" "$tmp/cimpl"

# The loader's word: immediate binding resolves every import, and the
# library loaded is ours (its version string names kfk). A sanitized build
# (make asan) needs its runtimes first in these uninstrumented programs.
LD_PRELOAD=$(ldd "$ours" | awk '/lib(asan|ubsan)\.so/ { print $3 }' | tr '\n' ' ')
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
export LD_PRELOAD ASAN_OPTIONS
if out=$(LD_BIND_NOW=1 LD_LIBRARY_PATH="$dir" "$kcat" -V 2>&1) && echo "$out" | grep -q kfk; then
    echo "ok: LD_BIND_NOW kcat -V runs on ours"
else
    echo "FAIL: LD_BIND_NOW=1 LD_LIBRARY_PATH=$dir $kcat -V failed or named no kfk:"
    echo "$out" | head -5 | sed 's/^/    /'
    fail=1
fi
if out=$(LD_BIND_NOW=1 LD_LIBRARY_PATH="$dir" /usr/bin/python3 -c \
        'import confluent_kafka; print(confluent_kafka.libversion()[0])' 2>&1) &&
    echo "$out" | grep -q kfk; then
    echo "ok: LD_BIND_NOW import confluent_kafka runs on ours"
else
    echo "FAIL: LD_BIND_NOW=1 LD_LIBRARY_PATH=$dir /usr/bin/python3 -c 'import confluent_kafka' failed or named no kfk:"
    echo "$out" | tail -5 | sed 's/^/    /'
    fail=1
fi
exit $fail

#!/usr/bin/python3
"""Debian's librdkafka (python3-confluent-kafka) in transactions on `kfk mock`:
its own transactional producer commits, aborts, and sends a group's offsets
with a transaction; read_committed and read_uncommitted consumers read
exactly what they should. Usage: rdkafka_txn.py BOOTSTRAP (topic "pt", two
partitions). Prints one "ok ..." or "FAIL ..." line per check; exits 1 on
a failure."""
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition

BOOT = sys.argv[1]
failed = 0


def check(what, got, want):
    global failed
    if got == want:
        print("ok   " + what)
    else:
        failed += 1
        print("FAIL %s: got %r, want %r" % (what, got, want))


def read_all(isolation):
    """Both partitions from the start to their end, as "partition:value"."""
    c = Consumer({"bootstrap.servers": BOOT, "group.id": "read-" + isolation,
                  "isolation.level": isolation, "enable.partition.eof": True})
    c.assign([TopicPartition("pt", 0, 0), TopicPartition("pt", 1, 0)])
    got, ends = [], set()
    until = time.time() + 15
    while time.time() < until and len(ends) < 2:
        m = c.poll(0.2)
        if m is None:
            continue
        if m.error():
            ends.add(m.partition())
        else:
            got.append("%d:%s" % (m.partition(), m.value().decode()))
    c.close()
    return sorted(got)


p = Producer({"bootstrap.servers": BOOT, "transactional.id": "rdk-tx", "linger.ms": 5})
p.init_transactions(15)
p.begin_transaction()
for i in range(4):
    p.produce("pt", value=b"c%d" % i, partition=i % 2)
p.commit_transaction(15)
p.begin_transaction()
for i in range(4):
    p.produce("pt", value=b"a%d" % i, partition=i % 2)
p.flush(15)
p.abort_transaction(15)

# A group's offsets go with a transaction: committed with it.
c = Consumer({"bootstrap.servers": BOOT, "group.id": "rdk-g", "enable.auto.commit": False})
c.subscribe(["pt"])
meta = None
until = time.time() + 15
while time.time() < until and meta is None:
    c.poll(0.2)
    if c.assignment():
        meta = c.consumer_group_metadata()
p.begin_transaction()
p.produce("pt", value=b"o0", partition=0)
p.send_offsets_to_transaction([TopicPartition("pt", 0, 2), TopicPartition("pt", 1, 1)], meta, 15)
p.commit_transaction(15)
committed = c.committed([TopicPartition("pt", 0), TopicPartition("pt", 1)], 15)
check("offsets sent with the transaction are committed",
      [(tp.partition, tp.offset) for tp in committed], [(0, 2), (1, 1)])
c.close()

check("read_committed reads the committed transactions",
      read_all("read_committed"), ["0:c0", "0:c2", "0:o0", "1:c1", "1:c3"])
check("read_uncommitted reads every record, no marker",
      read_all("read_uncommitted"),
      ["0:a0", "0:a2", "0:c0", "0:c2", "0:o0", "1:a1", "1:a3", "1:c1", "1:c3"])
sys.exit(1 if failed else 0)

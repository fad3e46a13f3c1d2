"""The clients bench/run compares: how each one is started for a workload
with the same settings, and how its output is read (every client prints
Kafka's ProducerPerformance / ConsumerPerformance lines, or bench/latency's).
"""
import os
import re

# Settings every producer gets (Java names; librdkafka and kfk take them as
# they are, kafka_python_perf.py translates them).
PRODUCE = {"acks": "all", "enable.idempotence": "true", "linger.ms": "5",
           "batch.size": "65536", "max.in.flight.requests.per.connection": "5"}
# librdkafka bounds its queue by count as well as bytes: make bytes (32 MiB,
# Java's and kfk's buffer.memory) the bound that matters.
RDKAFKA_PRODUCE = {"queue.buffering.max.kbytes": "32768",
                   "queue.buffering.max.messages": "10000000"}
CONSUME = {"fetch.min.bytes": "1", "fetch.max.bytes": "52428800",
           "max.partition.fetch.bytes": "1048576"}
FETCH_WAIT_MS = "500"
# kfk's prefetch bound (fetch.queue.max.bytes, 16 MiB) given to librdkafka,
# whose default is 64 MiB; the Java client and kafka-python have no such knob.
RDKAFKA_CONSUME = {"queued.max.messages.kbytes": "16384"}
LATENCY_PRODUCE = {"acks": "all", "enable.idempotence": "true", "linger.ms": "0"}
# The "-defaults" workloads (issue 18): what most users run, each client at
# its own defaults but for these (batch.size is then librdkafka's and kfk's
# 1,000,000, Java's and kafka-python's 16 KiB; librdkafka's queue 1 GiB and
# 100,000 messages). Consumers get only what reading the topic needs.
DEFAULTS_PRODUCE = {"acks": "all", "enable.idempotence": "true", "linger.ms": "5"}
# 1 MiB values (issue 18): requests up to 4 MiB (Java's and kfk's default
# max.request.size is 1 MiB, librdkafka's message.max.bytes about that).
LARGE = {"max.request.size": "4194304"}
RDKAFKA_LARGE = {"message.max.bytes": "4194304"}

CLIENTS = ["kfk", "librdkafka", "librdkafka-2.0", "java", "kafka-python", "kfk-python",
           "confluent-kafka", "loopback"]
# Issue 18's workloads: kfk beside the newest librdkafka ("loopback" is
# bench/loopback, the machine's socket copy bandwidth, not a client).
NEW_CLIENTS = ["kfk", "librdkafka"]
# The C library's workloads, and the Python ones: kfk's package
# ("kfk-python": kafka_python_perf.py with `kfk` imported instead of `kafka`)
# beside kafka-python and confluent-kafka.
C_CLIENTS = ["kfk", "librdkafka", "librdkafka-2.0", "java", "kafka-python"]
PY_CLIENTS = ["kfk-python", "kafka-python", "confluent-kafka"]
# The librdkafka peers are built against Debian's headers (the calls they
# use are unchanged since) and run on two libraries: "librdkafka" on the
# newest, the confluent-kafka wheel's (bench/run links it into
# Env.rdkafka_newest as librdkafka.so.1), "librdkafka-2.0" on Debian's 2.0.2.
RDKAFKA_CLIENTS = ["librdkafka", "librdkafka-2.0"]
# kcat workloads run one binary, Debian's kcat, on three libraries: "kfk" is
# kcat on kfk's librdkafka.so.1 layer (build/rdkafka), the others as above.
KCAT = "/usr/bin/kcat"
KCAT_CLIENTS = ["kfk"] + RDKAFKA_CLIENTS
KCAT_EOF = re.compile(r"Reached end of topic \S+ \[(\d+)\] at offset (\d+)")

PRODUCER_LINE = re.compile(
    r"(\d+) records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\), ([\d.]+) ms avg latency, "
    r"([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99.9th")
LATENCY_LINE = re.compile(
    r"latency: sent (\d+), received (\d+), errors (\d+), rate ([\d.]+) msg/s, p50 ([\d.]+) ms, "
    r"p99 ([\d.]+) ms, p99.9 ([\d.]+) ms, max ([\d.]+) ms")
LOOPBACK_LINE = re.compile(r"loopback: bytes (\d+), secs ([\d.]+), MB/s ([\d.]+)")
JAVA_E2E_AVG = re.compile(r"Avg latency: ([\d.]+) ms")
JAVA_E2E_PCT = re.compile(r"Percentiles: 50th = (\d+), 99th = (\d+), 99.9th = (\d+)")


def kv(settings, sep="="):
    return ["%s%s%s" % (k, sep, v) for k, v in settings.items()]


def xflags(settings):
    out = []
    for pair in kv(settings):
        out += ["-X", pair]
    return out


class Env:
    """Where the programs are: build dir, Kafka's lib dir, the venv's python."""

    def __init__(self, root, build, lib, python, tmp, rdkafka_newest):
        self.root, self.build, self.lib, self.python, self.tmp = root, build, lib, python, tmp
        self.rdkafka_newest = rdkafka_newest

    def rdkafka(self, client):
        """The environment a librdkafka peer runs in: its library chosen."""
        if client == "librdkafka":
            return ["env", "LD_LIBRARY_PATH=" + self.rdkafka_newest]
        return ["env", "-u", "LD_LIBRARY_PATH"]

    def java(self, cls):
        # -Xmx512M: what kafka-producer-perf-test.sh and its siblings give the tools.
        return ["java", "-Xmx512m", "-cp", os.path.join(self.lib, "*"), cls]

    def props_file(self, name, settings):
        path = os.path.join(self.tmp, name + ".properties")
        with open(path, "w") as f:
            f.write("".join(line + "\n" for line in kv(settings)))
        return path


def produce_settings(w, client):
    """The workload's producer settings for client, in Java's names: the
    shared ones (with librdkafka's queue bounds), or its own defaults but
    DEFAULTS_PRODUCE."""
    if w.get("defaults"):
        s = dict(DEFAULTS_PRODUCE)
        if w["compression"] != "none":
            s["compression.type"] = w["compression"]
        return s
    s = dict(PRODUCE, **{"compression.type": w["compression"]})
    if client in RDKAFKA_CLIENTS or client == "confluent-kafka":
        s.update(RDKAFKA_PRODUCE)
    return s


def produce_cmd(env, client, boot, topic, w):
    s = produce_settings(w, client)
    n, size = str(w["count_for"][client]), str(w["size"])
    # Transactions (w["txn_ms"]): ProducerPerformance's --transactional-id and
    # --transaction-duration-ms, one id per client (each run fences the last).
    txn = w.get("txn_ms")
    tid, tms = "%s-%s" % (topic, client), str(txn)
    if client == "kfk":
        t = ["--transactional-id", tid, "--transaction-duration-ms", tms] if txn else []
        return [os.path.join(env.build, "kfk"), "perf", "produce", "-b", boot, "-t", topic,
                "-c", n, "-s", size, "-q"] + t + shape_flags(w, "--keys", "--threads") + \
            xflags(dict(s, **w.get("props", {})))
    if client in RDKAFKA_CLIENTS:
        t = ["--txn-ms", tms] if txn else shape_flags(w, "-k", "-T")
        r = dict(s, **w.get("rdkafka_props", {}))
        if txn:
            r["transactional.id"] = tid
        prog = os.path.join(env.build, "bench", "rdkafka_producer_perf")
        return env.rdkafka(client) + [prog] + t + [
            "-b", boot, "-t", topic, "-n", n, "-s", size] + xflags(r)
    if client == "java":
        t = ["--transactional-id", tid, "--transaction-duration-ms", tms] if txn else []
        return env.java("org.apache.kafka.tools.ProducerPerformance") + [
            "--topic", topic, "--num-records", n, "--record-size", size, "--throughput", "-1"] + \
            t + ["--producer-props", "bootstrap.servers=" + boot] + kv(dict(s, **w.get("props", {})))
    if txn:
        return None  # the Python scripts have no transactions
    if client == "confluent-kafka":
        return [env.python, os.path.join(env.root, "bench", "confluent_kafka_perf.py"), "produce",
                boot, topic, n, size] + kv(s)
    return python_perf(env, client) + ["produce", boot, topic, n, size] + kv(s)


def shape_flags(w, keys, threads):
    """kfk perf produce's and rdkafka_producer_perf's flags for keys and
    sending threads, where the workload has them."""
    out = []
    if w.get("keys"):
        out += [keys, str(w["keys"])]
    if w.get("threads"):
        out += [threads, str(w["threads"])]
    return out


def loopback_cmd(env, w):
    """bench/loopback copying w's count of MiB over a loopback TCP pair."""
    return [os.path.join(env.build, "bench", "loopback"), str(w["count"] * w["size"])]


def python_perf(env, client):
    """kafka-python's script, on kfk's package for kfk-python."""
    cmd = [env.python, os.path.join(env.root, "bench", "kafka_python_perf.py")]
    return cmd + ["--module", "kfk"] if client == "kfk-python" else cmd


def consume_settings(w, client, group):
    """The workload's consumer settings for client, in its own names: the
    shared ones (with librdkafka's prefetch bound), or at the "-defaults"
    workloads only what reading the topic needs."""
    s = {} if w.get("defaults") else dict(CONSUME)
    if group:
        s.update({"group.id": group, "auto.offset.reset": "earliest"})
        if not w.get("defaults"):
            s["enable.auto.commit"] = "true"
    if w.get("defaults"):
        return s
    if client in RDKAFKA_CLIENTS or client == "confluent-kafka":
        s.update(RDKAFKA_CONSUME, **{"fetch.wait.max.ms": FETCH_WAIT_MS})
    else:
        s["fetch.max.wait.ms"] = FETCH_WAIT_MS
    return s


def consume_cmd(env, client, boot, topic, w, group):
    s = consume_settings(w, client, group)
    n = str(w["count_for"][client])
    if client == "kfk":
        g = ["-G", group] if group else []
        return [os.path.join(env.build, "kfk"), "perf", "consume", "-b", boot, "-t", topic,
                "-c", n, "-q"] + g + xflags(s)
    if client in RDKAFKA_CLIENTS:
        prog = os.path.join(env.build, "bench", "rdkafka_consumer_perf")
        return env.rdkafka(client) + [prog, boot, topic,
                "0" if group else str(w["partitions"]), n] + kv(s)
    if client == "java":
        if not group:
            return None  # ConsumerPerformance always subscribes
        return env.java("org.apache.kafka.tools.ConsumerPerformance") + [
            "--bootstrap-server", boot, "--topic", topic, "--messages", n, "--group", group,
            "--consumer.config", env.props_file("consumer-" + group, s)]
    mode = "group" if group else "assign"
    if client == "confluent-kafka":
        return [env.python, os.path.join(env.root, "bench", "confluent_kafka_perf.py"), "consume",
                boot, topic, n, mode] + kv(s)
    return python_perf(env, client) + ["consume", boot, topic, n, mode] + kv(s)


def share_consume_cmd(env, client, boot, topic, w, group):
    """One member of a fresh share group (share_group_setup made it start
    at the earliest offset), implicit acknowledgement: kfk's
    share_consumer_perf, librdkafka's share API (rdkafka_share_consumer_perf,
    which says "not supported" on a library without it) and Kafka's
    ShareConsumerPerformance. kafka-python has no share consumer."""
    s = dict(CONSUME)
    n = str(w["count_for"][client])
    if client == "kfk":
        return [os.path.join(env.build, "bench", "share_consumer_perf"), boot, topic, group,
                n] + kv(dict(s, **{"fetch.max.wait.ms": FETCH_WAIT_MS}))
    if client in RDKAFKA_CLIENTS:
        prog = os.path.join(env.build, "bench", "rdkafka_share_consumer_perf")
        return env.rdkafka(client) + [prog, boot, topic, group, n] + kv(
            dict(s, **{"fetch.wait.max.ms": FETCH_WAIT_MS}))
    if client == "java":
        # --fetch-size sets fetch.max.bytes (its default: 1 MiB); --timeout
        # (between records, 10 s by default) also bounds its start and join,
        # which take longer than that on a busy machine.
        s["fetch.max.wait.ms"] = FETCH_WAIT_MS
        return env.java("org.apache.kafka.tools.ShareConsumerPerformance") + [
            "--bootstrap-server", boot, "--topic", topic, "--num-records", n, "--group", group,
            "--fetch-size", s["fetch.max.bytes"], "--timeout", "60000",
            "--command-config", env.props_file("share-" + group, s)]
    return None


def kcat_lines(env, count, size):
    """A file of count lines of size random capital letters (made once)."""
    path = os.path.join(env.tmp, "kcat-%dx%dB.txt" % (count, size))
    if not os.path.exists(path):
        table = bytes(65 + b % 26 for b in range(256))
        data = os.urandom(count * size).translate(table)
        with open(path + ".tmp", "wb") as f:
            f.write(b"".join(data[i:i + size] + b"\n" for i in range(0, len(data), size)))
        os.rename(path + ".tmp", path)
    return path


def kcat_cmd(env, client, boot, topic, w):
    """kcat producing w's lines from a file, or reading the topic from the
    beginning to its end (not -q: its end-of-partition lines say how far it
    read); both libraries get the same -X settings."""
    if client not in KCAT_CLIENTS or not os.access(KCAT, os.X_OK):
        return None
    if client == "kfk":
        layer = os.path.join(env.build, "rdkafka")
        if not os.path.exists(os.path.join(layer, "librdkafka.so.1")):
            return None
        lib = ["env", "LD_LIBRARY_PATH=" + layer]
    else:
        lib = env.rdkafka(client)
    if w["kind"] == "kcat-produce":
        s = dict(PRODUCE, **RDKAFKA_PRODUCE)
        s["compression.type"] = w["compression"]
        return lib + [KCAT, "-P", "-b", boot, "-t", topic,
                      "-l", kcat_lines(env, w["count_for"][client], w["size"])] + xflags(s)
    s = dict(CONSUME, **RDKAFKA_CONSUME)
    s["fetch.wait.max.ms"] = FETCH_WAIT_MS
    return lib + [KCAT, "-C", "-b", boot, "-t", topic, "-o", "beginning", "-e"] + xflags(s)


def kcat_parse(kind, rc, err, w, count, wall):
    """kcat prints no figures: a producer that exits 0 delivered every line
    (it exits 1 on a failed delivery); a consumer read what its
    end-of-partition offsets add up to (the topic starts at offset 0)."""
    if rc or wall <= 0:
        return None
    if kind == "kcat-consume":
        ends = dict(KCAT_EOF.findall(err))
        if len(ends) != w["partitions"] or ": exiting" not in err:
            return None
        count = sum(int(o) for o in ends.values())
    return {"msgs": count, "msgs_s": count / wall, "mb_s": count * w["size"] / wall / 1048576}


def latency_produce(w):
    """The latency producer's settings: linger.ms=0, or the client's own
    default linger when the workload says "default"."""
    s = dict(LATENCY_PRODUCE)
    if w.get("linger") == "default":
        del s["linger.ms"]
    return s


def latency_cmd(env, client, boot, topic, w):
    rate, secs, size = str(w["rate"]), str(w["secs"]), str(w["size"])
    c = {"fetch.min.bytes": "1"}
    if client == "kfk" or client in RDKAFKA_CLIENTS:
        prog = "latency" if client == "kfk" else "rdkafka_latency"
        args = [] if client == "kfk" else env.rdkafka(client)
        args += [os.path.join(env.build, "bench", prog), "-b", boot, "-t", topic, "-r", rate,
                "-d", secs, "-s", size]
        for pair in kv(latency_produce(w)):
            args += ["-P", pair]
        for pair in kv(c):
            args += ["-C", pair]
        return args
    if client == "java":
        # One record at a time, each sent only when the last came back: not
        # the paced stream the others get (see docs/BENCHMARKS.md).
        props = env.props_file("e2e-" + topic, {"linger.ms": "0", "enable.idempotence": "true"})
        return env.java("org.apache.kafka.tools.EndToEndLatency") + [
            boot, topic, str(w["java_count"]), "all", size, props]
    return [env.python, os.path.join(env.root, "bench", "kafka_python_perf.py"), "latency", boot,
            topic, rate, secs, size] + ["p." + p for p in kv(latency_produce(w))] + \
        ["c." + p for p in kv(c)]


def parse(kind, client, out):
    """The figures a run printed: dict with msgs, msgs_s, mb_s and latency
    percentiles (ms) where the client reports them; None if unreadable."""
    if kind == "produce":
        m = PRODUCER_LINE.findall(out)
        if not m:
            return None
        f = m[-1]
        return {"msgs": int(f[0]), "msgs_s": float(f[1]), "mb_s": float(f[2]),
                "p50": float(f[5]), "p99": float(f[7]), "p999": float(f[8])}
    if kind == "loopback":
        m = LOOPBACK_LINE.search(out)
        if not m:
            return None
        mib = int(m.group(1)) / 1048576
        return {"msgs": int(mib), "msgs_s": mib / float(m.group(2)), "mb_s": float(m.group(3))}
    if kind in ("consume", "share-consume"):
        # By column name: ShareConsumerPerformance orders them otherwise.
        lines = out.splitlines()
        for i, line in enumerate(lines[:-1]):
            if line.startswith("start.time, end.time"):
                f = dict(zip(line.split(", "), lines[i + 1].split(", ")))
                return {"msgs": int(f["data.consumed.in.nMsg"]), "msgs_s": float(f["nMsg.sec"]),
                        "mb_s": float(f["MB.sec"])}
        return None
    if client == "java":
        avg, pct = JAVA_E2E_AVG.search(out), JAVA_E2E_PCT.search(out)
        if not (avg and pct):
            return None
        return {"msgs": None, "p50": float(pct.group(1)), "p99": float(pct.group(2)),
                "p999": float(pct.group(3))}
    m = LATENCY_LINE.search(out)
    if not m:
        return None
    f = m.groups()
    return {"msgs": int(f[1]), "msgs_s": float(f[3]), "p50": float(f[4]), "p99": float(f[5]),
            "p999": float(f[6]), "sent": int(f[0]), "errors": int(f[2])}


# consume-10000p (issue 18): one group consumer over many partitions, idle
# then reading (bench/scale_common.h says what the programs do and print).
SCALE_CLIENTS = ["kfk"] + RDKAFKA_CLIENTS


def scale_consume_cmd(env, client, boot, prefix, w, group):
    s = dict(CONSUME, **{"group.id": group, "enable.auto.commit": "true"})
    args = [boot, prefix, str(w["topics"]), str(w["topics"] * w["partitions"]),
            str(w["settle_s"]), str(w["idle_s"]), str(w["count_for"][client])]
    if client == "kfk":
        s["fetch.max.wait.ms"] = FETCH_WAIT_MS
        return [os.path.join(env.build, "bench", "consumer_scale")] + args + kv(s)
    if client in RDKAFKA_CLIENTS:
        s.update(RDKAFKA_CONSUME, **{"fetch.wait.max.ms": FETCH_WAIT_MS})
        return env.rdkafka(client) + [os.path.join(env.build, "bench", "rdkafka_consumer_scale")] + \
            args + kv(s)
    return None


def scale_parse(out):
    """consumer_scale's figures: every "scale.*" header line with the line
    of values under it, by column name; None unless all phases printed."""
    f = {}
    lines = out.splitlines()
    for i, line in enumerate(lines[:-1]):
        if line.startswith("scale."):
            f.update(zip(line.split(", "), lines[i + 1].split(", ")))
    try:
        return {"msgs": int(f["scale.read.msgs"]), "read_cpu_s": float(f["read.cpu.sec"]),
                "idle_rss_mb": float(f["scale.idle.rss.MB"]),
                "idle_cpu_s_min": float(f["idle.cpu.sec.per.min"]),
                "read_rss_mb": float(f["read.rss.MB"]), "peak_rss_mb": float(f["peak.rss.MB"])}
    except (KeyError, ValueError):
        return None

#!/usr/bin/env python3
"""Runs every workload for every client in turn (A B C D A B C D ...),
measuring each client process's CPU time and peak RSS with wait4, and
appends one row per run to results.csv. bench/run is the way in; report.py
turns the CSV into docs/BENCHMARKS.md and the charts."""
import argparse
import csv
import os
import signal
import subprocess
import sys
import time

import clients
import meta
import profile
import report
import slow_broker

KIB, MIB = 1024, 1024 * 1024

FIELDS = ["workload", "client", "round", "status", "msgs", "size", "msgs_s", "mb_s", "cpu_s",
          "cpu_s_per_m", "msgs_per_cpu_s", "rss_mb", "p50_ms", "p99_ms", "p999_ms", "wall_s",
          "note", "idle_rss_mb", "idle_cpu_s_min"]


def workloads(mode):
    """Counts by mode: full is the brief's, quick 10x smaller, smoke tiny."""
    scale = {"full": 1, "quick": 10, "smoke": 400}[mode]
    m100, m1k = 2_000_000 // scale, 500_000 // scale
    out = []
    for comp in ("none", "lz4", "zstd"):
        name = "produce-100B" + ("" if comp == "none" else "-" + comp)
        out.append({"name": name, "kind": "produce", "count": m100, "size": 100,
                    "compression": comp})
    out.append({"name": "produce-1KiB", "kind": "produce", "count": m1k, "size": 1024,
                "compression": "none"})
    # Keyless records over a topic of 1,000 partitions (issue 18: the broker
    # pays per partition append, so how the partitioner batches shows).
    out.append({"name": "produce-100B-1000p", "kind": "produce", "count": m100 // 4,
                "size": 100, "compression": "none", "partitions": 1000, "max_rounds": 3})
    # Transactions of 100 ms (commit every 100 ms), half produce-100B's count.
    out.append({"name": "produce-100B-txn", "kind": "produce", "count": m100 // 2, "size": 100,
                "compression": "none", "txn_ms": 100})
    for mode_ in ("assign", "group"):
        out.append({"name": "consume-" + mode_, "kind": "consume", "count": m100, "size": 100,
                    "group": mode_ == "group"})
    # Share groups (KIP-932): one member reads a quarter of the consume
    # topic (the Java tool reads about 10,000 records/s here).
    out.append({"name": "share-consume", "kind": "share-consume", "count": m100 // 4,
                "size": 100, "topic_count": m100, "max_rounds": 3})
    out += latency_workloads(mode)
    # Debian's kcat on Debian's librdkafka and on kfk's layer: 1M lines of
    # 100 B produced from a file, and a topic of as many read back.
    kc = 1_000_000 // scale
    out.append({"name": "kcat-produce-100B", "kind": "kcat-produce", "count": kc, "size": 100,
                "compression": "none", "clients": clients.KCAT_CLIENTS})
    out.append({"name": "kcat-consume", "kind": "kcat-consume", "count": kc, "size": 100,
                "clients": clients.KCAT_CLIENTS})
    out += shape_workloads(mode, m100)
    for w in out:
        w.setdefault("clients", clients.C_CLIENTS)
    # The Python clients: 1M x 100 B produced, and read back (half the
    # consume topic) assigned and in a group.
    out.append({"name": "python-produce-100B", "kind": "produce", "count": m100 // 2,
                "size": 100, "compression": "none", "clients": clients.PY_CLIENTS})
    for mode_ in ("assign", "group"):
        out.append({"name": "python-consume-" + mode_, "kind": "consume", "count": m100 // 2,
                    "size": 100, "group": mode_ == "group", "clients": clients.PY_CLIENTS})
    out += defaults_workloads(m100)
    out += scale_workloads(mode)
    out.append(slow_broker.workload(mode))
    for w in out:
        w.setdefault("partitions", 1 if w["kind"] == "latency" else 8)
        w["count_for"] = {c: w["count"] for c in clients.CLIENTS}
        # kafka-python produces ~15,000 msg/s here and reads ~150,000: a
        # tenth of the count keeps a full run within the hour. Per-message
        # figures stay comparable where its start-up is small beside the
        # run; not so in the Python consume workloads (a tenth read in
        # ~0.7 CPU-s, start-up ~0.15 of it), whose goal is against
        # kafka-python: it reads the whole count there.
        python_consume = w["kind"] == "consume" and w["name"].startswith("python-")
        if w["kind"] in ("produce", "consume") and mode != "smoke" and not python_consume:
            w["count_for"]["kafka-python"] = w["count"] // 10
    return out


def defaults_workloads(m100):
    """Issue 18's aims hold twice: with the same settings for every client
    (the workloads above) and with each client's own defaults but acks=all,
    idempotence and linger.ms=5, what most users run (clients.DEFAULTS_PRODUCE;
    consumers get a group id and auto.offset.reset=earliest, no more). These
    are produce-100B (kfk and both librdkafkas), produce-100B-1000p and the
    consume workloads (kfk and the newest librdkafka) so; the latency
    workloads set no batch or buffer size already."""
    d = {"size": 100, "compression": "none", "defaults": True}
    return [dict(d, name="produce-100B-defaults", kind="produce", count=m100,
                 clients=["kfk"] + clients.RDKAFKA_CLIENTS),
            dict(d, name="produce-100B-1000p-defaults", kind="produce", count=m100 // 4,
                 partitions=1000, clients=clients.NEW_CLIENTS, max_rounds=3),
            dict(d, name="consume-assign-defaults", kind="consume", count=m100, group=False,
                 clients=clients.NEW_CLIENTS),
            dict(d, name="consume-group-defaults", kind="consume", count=m100, group=True,
                 clients=clients.NEW_CLIENTS)]


def scale_workloads(mode):
    """consume-10000p (issue 18): one group consumer assigned 10 topics x
    1,000 partitions: RSS and CPU while idle (idle_s after settle_s: offsets
    resolved, fetch sessions made), then reading a backlog of `count`
    records (100 per partition in full). Smoke: 2 x 20 partitions, so that
    CI does not wait for 10,000 partitions to be created. 30 s idle hold
    10 heartbeats, 6 auto-commits and some 60 fetch rounds per broker; quick
    halves both phases to stay within 15 minutes."""
    count, settle, idle = {"full": (1_000_000, 30, 30), "quick": (200_000, 15, 15),
                           "smoke": (2_000, 1, 2)}[mode]
    topics, parts = (2, 20) if mode == "smoke" else (10, 1000)
    return [{"name": "consume-10000p", "kind": "scale-consume", "count": count, "size": 100,
             "topics": topics, "partitions": parts, "settle_s": settle, "idle_s": idle,
             "group": True, "clients": clients.SCALE_CLIENTS, "max_rounds": 3}]

def latency_workloads(mode):
    """End-to-end latency at 1,000, 20,000 and 100,000 msg/s, each with
    linger.ms=0 and with the client's default linger (issue 18); smoke runs
    the lowest rate only. Every C client runs the 20,000 msg/s linger.ms=0
    one (smoke: 1,000), kfk and the newest librdkafka the others."""
    secs = {"full": {1000: 10, 20000: 5, 100000: 5}, "quick": {1000: 5, 20000: 5, 100000: 3},
            "smoke": {1000: 2}}[mode]
    java_count = {"full": 2000, "quick": 1000, "smoke": 100}[mode]
    out = []
    for rate, sec in secs.items():
        for linger in ("0", "default"):
            wide = linger == "0" and (rate == 20000 or mode == "smoke")
            out.append({"name": "latency-%dk-linger%s" % (rate // 1000, linger),
                        "kind": "latency", "rate": rate, "secs": sec, "linger": linger,
                        "java_count": java_count, "size": 100, "count": rate * sec,
                        "layout": "one", "max_rounds": 3,
                        "clients": clients.C_CLIENTS if wide else clients.NEW_CLIENTS})
    return out


def shape_workloads(mode, m100):
    """Issue 18's shapes, kfk beside the newest librdkafka: keyed records
    over 100 topics of 10 partitions; 1 MiB values produced and consumed,
    beside the loopback copy bandwidth; 1, 2, 4 and 8 threads sending on one
    producer. Smoke runs each small (4 topics of 2 partitions, 2 threads)."""
    smoke = mode == "smoke"
    topics, parts = (4, 2) if smoke else (100, 10)
    out = [{"name": "produce-100B-keyed", "kind": "produce",
            "count": m100 // 4, "size": 100, "compression": "none", "topics": topics,
            "partitions": parts, "keys": 100 if smoke else 10000, "layout": "many",
            "max_rounds": 3}]
    mib = {"full": 1000, "quick": 200, "smoke": 4}[mode]
    large = {"size": MIB, "count": mib, "compression": "none", "layout": "large",
             "props": clients.LARGE, "rdkafka_props": clients.RDKAFKA_LARGE}
    out.append(dict(large, name="produce-1MiB", kind="produce"))
    out.append(dict(large, name="consume-1MiB", kind="consume", group=False))
    out.append({"name": "loopback", "kind": "loopback", "size": MIB, "count": mib * 4,
                "layout": "none", "clients": ["loopback"]})
    for n in (2,) if smoke else (1, 2, 4, 8):
        out.append({"name": "produce-100B-threads-%d" % n, "kind": "produce", "threads": n,
                    "count": m100 // 2, "size": 100, "compression": "none", "layout": "one",
                    "max_rounds": 3})
    for w in out:
        w.setdefault("clients", clients.NEW_CLIENTS)
    return out


class Runner:
    def __init__(self, args, env):
        self.args, self.env = args, env
        self.logs = os.path.join(args.logs, args.run_id)
        os.makedirs(self.logs, exist_ok=True)
        self.timeout = {"full": 900, "quick": 300, "smoke": 120}[args.mode]
        self.filled = None

    def spawn(self, name, cmd, devnull=False):
        """Runs cmd under bench/rusage (its output to /dev/null if devnull);
        returns (rc, stdout, stderr, wall s, CPU s, peak RSS MB)."""
        out_path, err_path, ru_path = (os.path.join(self.logs, name + sfx)
                                       for sfx in (".out", ".err", ".rusage"))
        with open(out_path, "w") as out, open(err_path, "w") as err:
            out.write(" ".join(cmd) + "\n")
            out.flush()
            p = subprocess.Popen([os.path.join(self.args.build, "bench", "rusage"), ru_path] + cmd,
                                 stdout=subprocess.DEVNULL if devnull else out, stderr=err, stdin=subprocess.DEVNULL,
                                 start_new_session=True)
            try:
                p.wait(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
                return p.returncode, "", "timed out after %d s" % self.timeout, 0, 0, 0
        with open(out_path) as out, open(err_path) as err:
            text, errors = out.read(), err.read()
        try:
            with open(ru_path) as ru:
                rc, wall, user, system, rss_kib = ru.read().split()
        except (OSError, ValueError):
            return p.returncode, text, errors, 0, 0, 0
        return int(rc), text, errors, float(wall), float(user) + float(system), int(rss_kib) / KIB

    def topic(self, name, partitions, configs=None):
        configs = dict({"retention.bytes": 64 * MIB, "segment.bytes": 16 * MIB}, **(configs or {}))
        cmd = self.env.java("org.apache.kafka.tools.TopicCommand") + [
            "--bootstrap-server", self.args.bootstrap, "--create", "--if-not-exists",
            "--topic", name, "--partitions", str(partitions), "--replication-factor", "1"]
        for kv in configs.items():
            cmd += ["--config", "%s=%d" % kv]
        rc = self.spawn("topic-" + name, cmd)[0]
        if rc:
            sys.exit("bench: could not create topic %s (see %s)" % (name, self.logs))
        return name

    def prefill(self, w, configs=None):
        """The consume topic, filled once by the Java client (neutral ground)."""
        name = self.topic("%s-%s" % (self.args.run_id, w["name"]), w["partitions"], configs)
        cmd = clients.produce_cmd(self.env, "java", self.args.bootstrap, name,
                                  dict(w, compression="none",
                                       count_for={"java": w["count"]}))
        rc, out = self.spawn("prefill-" + w["name"], cmd)[:2]
        if rc or not clients.parse("produce", "java", out):
            sys.exit("bench: pre-filling %s failed (see %s)" % (name, self.logs))
        return name

    def one(self, w, client, rnd, topic):
        group = None
        if w.get("group") or w["kind"] == "share-consume":
            group = "%s-%s-%s-%d" % (self.args.run_id, w["name"], client, rnd)
        row = {"workload": w["name"], "client": client, "round": rnd, "size": w["size"]}
        if w["kind"] == "scale-consume":
            return self.one_scale(w, client, rnd, topic, group, row)
        if w["kind"] == "share-consume":
            cmd = clients.share_consume_cmd(self.env, client, self.args.bootstrap, topic, w,
                                            group)
            if cmd and self.spawn("setup-" + group, [os.path.join(
                    self.args.build, "bench", "share_group_setup"), self.args.bootstrap, group])[0]:
                return dict(row, status="fail", note="share_group_setup failed, see %s" %
                            self.logs)
        elif w["kind"] == "produce":
            cmd = clients.produce_cmd(self.env, client, self.args.bootstrap, topic, w)
        elif w["kind"] == "consume":
            cmd = clients.consume_cmd(self.env, client, self.args.bootstrap, topic, w, group)
        elif w["kind"].startswith("kcat-"):
            cmd = clients.kcat_cmd(self.env, client, self.args.bootstrap, topic, w)
        elif w["kind"] == "loopback":
            cmd = clients.loopback_cmd(self.env, w)
        else:
            cmd = clients.latency_cmd(self.env, client, self.args.bootstrap, topic, w)
        if cmd is None:
            return dict(row, status="n/a", note="not offered by this client")
        kcat = w["kind"].startswith("kcat-")
        rc, out, err, wall, cpu, rss = self.spawn("%s-%s-%d" % (w["name"], client, rnd), cmd,
                                                  devnull=w["kind"] == "kcat-consume")
        if kcat:
            got = clients.kcat_parse(w["kind"], rc, err, w, w["count_for"][client], wall)
        else:
            got = clients.parse(w["kind"], client, out)
        row.update(wall_s="%.2f" % wall, cpu_s="%.3f" % cpu, rss_mb="%.1f" % rss)
        expected = w["java_count"] if (w["kind"], client) == ("latency", "java") \
            else w["count_for"][client]
        unsupported = [line for line in err.splitlines() if "not supported" in line]
        if not got and unsupported:
            return dict(row, status="n/a", note=unsupported[0])
        if rc or not got or (got["msgs"] is not None and got["msgs"] < expected):
            return dict(row, status="fail", note="exit %d, see %s" % (rc, self.logs))
        msgs = got["msgs"] if got["msgs"] is not None else expected
        row.update(status="ok", msgs=msgs, cpu_s_per_m="%.3f" % (cpu * 1e6 / msgs),
                   msgs_per_cpu_s="%.0f" % (msgs / cpu))
        for k, col, fmt in (("msgs_s", "msgs_s", "%.1f"), ("mb_s", "mb_s", "%.2f"),
                            ("p50", "p50_ms", "%.3f"), ("p99", "p99_ms", "%.3f"),
                            ("p999", "p999_ms", "%.3f")):
            if k in got:
                row[col] = fmt % got[k]
        if w["kind"] == "latency" and client != "java" and "msgs_s" in got:
            row["mb_s"] = "%.2f" % (got["msgs_s"] * w["size"] / MIB)
        if (w["kind"], client) == ("latency", "java"):
            row["note"] = "one record at a time (EndToEndLatency), ms resolution"
        return row

    def run(self, selected, rounds, clients_):
        """Returns how many runs failed."""
        failed = 0
        bench_dir = os.path.join(self.args.out, "bench")
        for name in os.listdir(bench_dir):
            if name.startswith("profile-"):
                os.unlink(os.path.join(bench_dir, name))
        topics = {}
        with open(os.path.join(bench_dir, "results.csv"), "w", newline="") as f:
            out = csv.DictWriter(f, fieldnames=FIELDS)
            out.writeheader()

            def write_row(row):
                out.writerow(row)
                f.flush()
            for w in selected:
                n = min(rounds, w.get("max_rounds", rounds))
                if w["kind"] == "slow-broker":  # a cluster of its own
                    failed += slow_broker.run(self, w, n, clients_, write_row)
                    continue
                # One topic per workload (a JVM start each): clients take
                # turns appending to it, or reading it.
                if w.get("layout"):
                    topic = self.shaped_topic(w)
                elif w["kind"] in ("consume", "share-consume"):
                    topic = self.prefill_once(w)
                elif w["kind"] == "scale-consume":
                    topic = self.scale_topics(w)
                elif w["kind"] == "kcat-consume":
                    topic = self.prefill(w)
                else:
                    topic = self.topic("%s-%s" % (self.args.run_id, w["name"]), w["partitions"])
                topics[w["name"]] = topic
                for rnd in range(1, n + 1):
                    for c in [c for c in w["clients"] if c in clients_]:
                        row = self.one(w, c, rnd, topic)
                        print("bench: %-18s %-13s round %d: %s %s msg/s %s" % (
                            w["name"], c, rnd, row["status"], row.get("msgs_s", "-"),
                            row.get("note", "")), flush=True)
                        out.writerow(row)
                        f.flush()
                        failed += row["status"] == "fail"
        if self.args.mode == "smoke":
            return failed
        for w in selected:
            if w["name"] in ("produce-100B", "consume-assign", "kcat-produce-100B",
                             "kcat-consume"):
                print("bench: profiling kfk on %s" % w["name"], flush=True)
                profile.run(self, w, topics[w["name"]], bench_dir)
        return failed

    def scale_topics(self, w):
        """consume-10000p's topics PREFIX-0..PREFIX-(topics-1), each filled
        with its share of the backlog by the Java client; returns PREFIX."""
        prefix = "%s-%s" % (self.args.run_id, w["name"])
        per = w["count"] // w["topics"]
        for t in range(w["topics"]):
            name = self.topic("%s-%d" % (prefix, t), w["partitions"])
            # A broker still setting up 1,000 new partitions can let a few
            # batches expire: what was not written is sent again (the
            # readers count records, so which ones does not matter). They
            # expire after 35 s, not Java's 120: a quick run waited that.
            missing = per
            for attempt in range(3):
                cmd = clients.produce_cmd(self.env, "java", self.args.bootstrap, name,
                                          dict(w, compression="none",
                                               count_for={"java": missing},
                                               props={"delivery.timeout.ms": "35000"}))
                rc, out = self.spawn("prefill-%s-%d" % (name, attempt), cmd)[:2]
                got = clients.parse("produce", "java", out)
                if got:
                    missing -= got["msgs"]
                if missing <= 0:
                    break
            if missing > 0:
                sys.exit("bench: pre-filling %s left %d of %d records unwritten (see %s)"
                         % (name, missing, per, self.logs))
        return prefix

    def one_scale(self, w, client, rnd, prefix, group, row):
        """A consume-10000p run: msgs_per_cpu_s and cpu_s_per_m count the
        reading phase only, rss_mb is the peak; the idle figures have their
        own columns."""
        cmd = clients.scale_consume_cmd(self.env, client, self.args.bootstrap, prefix, w, group)
        if cmd is None:
            return dict(row, status="n/a", note="not offered by this client")
        rc, out, err, wall, cpu, rss = self.spawn("%s-%s-%d" % (w["name"], client, rnd), cmd)
        got = clients.scale_parse(out)
        row.update(wall_s="%.2f" % wall, cpu_s="%.3f" % cpu, rss_mb="%.1f" % rss)
        if rc or not got or got["msgs"] < w["count_for"][client]:
            return dict(row, status="fail", note="exit %d, see %s" % (rc, self.logs))
        rcpu = max(got["read_cpu_s"], 1e-3)
        return dict(row, status="ok", msgs=got["msgs"],
                    cpu_s_per_m="%.3f" % (rcpu * 1e6 / got["msgs"]),
                    msgs_per_cpu_s="%.0f" % (got["msgs"] / rcpu),
                    idle_rss_mb="%.1f" % got["idle_rss_mb"],
                    idle_cpu_s_min="%.3f" % got["idle_cpu_s_min"],
                    note="reading: RSS %.1f MB" % got["read_rss_mb"])

    def shaped_topic(self, w):
        """The topics of issue 18's workloads, made by `kfk topic create`
        (a JVM per topic takes seconds): none for "none" (loopback); one for
        "one"; for "many", w["topics"] topics, returned as a comma-separated
        list; for "large", one that takes 1 MiB records and keeps a whole
        run, filled by the Java client first when it is to be consumed."""
        name = "%s-%s" % (self.args.run_id, w["name"])
        configs = {"retention.bytes": 64 * MIB, "segment.bytes": 16 * MIB}
        if w["layout"] == "none":
            return None
        if w["layout"] == "large":
            configs = {"max.message.bytes": 4 * MIB, "retention.bytes": 2 * w["count"] * MIB,
                       "segment.bytes": 64 * MIB}
            if w["kind"] == "consume":
                return self.prefill(w, configs)
        names = [name] if w["layout"] != "many" else \
            ["%s-%d" % (name, i) for i in range(w["topics"])]
        cmd = [os.path.join(self.args.build, "kfk"), "topic", "-b", self.args.bootstrap,
               "create"] + names + ["-p", str(w["partitions"]), "-r", "1"]
        for kv in configs.items():
            cmd += ["-c", "%s=%d" % kv]
        if self.spawn("topics-" + w["name"], cmd)[0]:
            sys.exit("bench: could not create the topics of %s (see %s)" % (w["name"], self.logs))
        return ",".join(names)

    def prefill_once(self, w):
        """The consume workloads read the same pre-filled topic (share-consume
        half of it)."""
        if not self.filled:
            self.filled = self.prefill(dict(w, name="consume",
                                            count=w.get("topic_count", w["count"])))
        return self.filled


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mode", choices=["full", "quick", "smoke"], default="full")
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--lib", required=True, help="Kafka's lib dir (scripts/kafka-local lib)")
    ap.add_argument("--python", required=True, help="the venv's python with kafka-python")
    ap.add_argument("--rdkafka-newest", required=True,
                    help="a dir whose librdkafka.so.1 is the newest librdkafka")
    ap.add_argument("--out", required=True, help="docs dir: BENCHMARKS.md, bench/")
    ap.add_argument("--logs", required=True)
    ap.add_argument("--broker", default="", help="how the broker was started, for the report")
    ap.add_argument("--command", default="", help="the command line, for the report")
    ap.add_argument("--note", default="", help="a sentence for the report")
    ap.add_argument("--workloads", default="", help="comma-separated subset (testing)")
    ap.add_argument("--clients", default=",".join(clients.CLIENTS))
    args = ap.parse_args()
    args.run_id = "kb" + time.strftime("%Y%m%d%H%M%S")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.makedirs(os.path.join(args.out, "bench"), exist_ok=True)
    env = clients.Env(root, args.build, args.lib, args.python, os.path.join(args.logs, "tmp"),
                      args.rdkafka_newest)
    os.makedirs(env.tmp, exist_ok=True)
    selected = [w for w in workloads(args.mode)
                if not args.workloads or w["name"] in args.workloads.split(",")]
    rounds = {"full": 5, "quick": 2, "smoke": 1}[args.mode]
    info = meta.collect(args, root, selected, rounds)
    t0 = time.monotonic()
    failed = Runner(args, env).run(selected, rounds, args.clients.split(","))
    meta.finish(info, time.monotonic() - t0)
    meta.write(os.path.join(args.out, "bench", "meta.csv"), info)
    report.write(args.out)
    if failed:
        sys.exit("bench: %d run(s) failed; their output is in %s" % (failed, args.logs))


if __name__ == "__main__":
    main()

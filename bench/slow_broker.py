"""The produce-slow-broker workload (issue 18, KIP-794): keyless records at
a steady rate to a topic of 6 partitions on a three-node cluster of its own
(replication factor 1, 2 partitions per node), with node 2 frozen (SIGSTOP)
for 5 s mid-run. A partition's records wait while its leader is frozen; a
producer whose partitioner moves on (kfk's adaptive partitioning) sends the
rest to the other four, so fewer records wait. Replication factor 1: with
3 replicas and acks=all a frozen follower would stall every partition until
it left the ISR (replica.lag.time.max.ms, 30 s), whatever the partitioner.

Clients: kfk with partitioner.availability.timeout.ms=1000 (leaders that
took no ready batch for 1 s are left out: well above a healthy broker's
answer time on a loaded machine, small beside the 5 s freeze), kfk with
adaptive partitioning off, and the newest librdkafka (no such feature)."""
import os
import re
import subprocess
import threading
import time

import clients

NAME = "produce-slow-broker"
NODES = 3
FROZEN = 2
SETTINGS = {"acks": "all", "linger.ms": "5"}
VARIANTS = {"kfk": {"partitioner.availability.timeout.ms": "1000"},
            "kfk-no-adaptive": {"partitioner.adaptive.partitioning.enable": "false"},
            "librdkafka": {}}
LINE = re.compile(r"paced: (\d+) sent, (\d+) delivered, (\d+) failed, ([\d.]+) msgs/s, "
                  r"p50 ([\d.]+) ms, p99 ([\d.]+) ms, p99.9 ([\d.]+) ms, max [\d.]+ ms, "
                  r"over 1 s (\d+)")


def workload(mode):
    rate, secs, at, freeze = {"full": (5000, 15, 6, 5), "quick": (2000, 15, 5, 5),
                              "smoke": (1000, 8, 2, 3)}[mode]
    return {"name": NAME, "kind": "slow-broker", "rate": rate, "secs": secs, "at": at,
            "freeze": freeze, "size": 100, "partitions": 6, "count": rate * secs,
            "clients": list(VARIANTS), "max_rounds": 3}  # each round is a freeze


class Cluster:
    """A three-node cluster beside bench/run's broker: its base port is
    KFK_BENCH_3NODE_PORT, else KFK_BROKER_PORT+200 (nodes base+1..+3,
    controllers base+101..+103), state under KFK_BROKER_DIR."""

    def __init__(self, root):
        self.ctl = os.path.join(root, "scripts", "kafka-local")
        port = os.environ.get("KFK_BENCH_3NODE_PORT") or str(int(os.environ.get(
            "KFK_BROKER_PORT", "29400")) + 200)
        self.env = dict(os.environ, KFK_BROKER_PORT=port)
        self.boot = None

    def run(self, *args):
        return subprocess.run([self.ctl] + list(args) + ["--nodes", str(NODES)], env=self.env,
                              check=True, capture_output=True, text=True).stdout

    def up(self):
        t0 = time.monotonic()
        self.boot = self.run("up").strip().splitlines()[-1]
        print("bench: %s: three-node cluster %s up in %.0f s" % (
            NAME, self.boot, time.monotonic() - t0), flush=True)
        return self.boot

    def down(self):
        subprocess.run([self.ctl, "down", "--nodes", str(NODES)], env=self.env,
                       capture_output=True)

    def freeze_later(self, at, secs):
        """Freezes node FROZEN at s from now for secs, in a thread."""
        def act():
            time.sleep(at)
            try:
                self.run("stop-signal", str(FROZEN), "STOP")
                time.sleep(secs)
            finally:  # never leave it frozen: `down` could not stop it
                self.run("stop-signal", str(FROZEN), "CONT")
        t = threading.Thread(target=act, daemon=True)
        t.start()
        return t


def command(env, client, boot, topic, w):
    props = dict(SETTINGS, **VARIANTS[client])
    if client.startswith("kfk"):
        args = [os.path.join(env.build, "bench", "slow_broker")]
    else:
        args = env.rdkafka(client) + [os.path.join(env.build, "bench", "rdkafka_slow_broker")]
    args += ["-b", boot, "-t", topic, "-r", str(w["rate"]), "-d", str(w["secs"]), "-s",
             str(w["size"])]
    for pair in clients.kv(props):
        args += ["-X", pair]
    return args


def parse(out):
    m = LINE.search(out)
    if not m:
        return None
    sent, ok, failed = (int(x) for x in m.group(1, 2, 3))
    return {"msgs": ok, "sent": sent, "failed": failed, "msgs_s": float(m.group(4)),
            "p50": float(m.group(5)), "p99": float(m.group(6)), "p999": float(m.group(7)),
            "late": int(m.group(8))}


def run(runner, w, rounds, clients_, write):
    """Runs the workload's rounds on a cluster of its own; write(row) each
    row. Returns how many runs failed."""
    cluster = Cluster(runner.env.root)
    failed = 0
    try:
        boot = cluster.up()
        topic = "%s-%s" % (runner.args.run_id, NAME)
        cmd = runner.env.java("org.apache.kafka.tools.TopicCommand") + [
            "--bootstrap-server", boot, "--create", "--topic", topic, "--partitions",
            str(w["partitions"]), "--replication-factor", "1",
            "--config", "min.insync.replicas=1"]
        if runner.spawn("topic-" + topic, cmd)[0]:
            raise RuntimeError("could not create %s" % topic)
        for rnd in range(1, rounds + 1):
            for c in [c for c in w["clients"]
                      if c in clients_ or (c == "kfk-no-adaptive" and "kfk" in clients_)]:
                row = {"workload": NAME, "client": c, "round": rnd, "size": w["size"]}
                freezer = cluster.freeze_later(w["at"], w["freeze"])
                rc, out, _, wall, cpu, rss = runner.spawn(
                    "%s-%s-%d" % (NAME, c, rnd), command(runner.env, c, boot, topic, w))
                freezer.join()
                got = parse(out)
                row.update(wall_s="%.2f" % wall, cpu_s="%.3f" % cpu, rss_mb="%.1f" % rss)
                if rc or not got or got["msgs"] < got["sent"]:
                    row.update(status="fail", note="exit %d, %s delivered, see %s" % (
                        rc, got["msgs"] if got else "?", runner.logs))
                    failed += 1
                else:
                    row.update(status="ok", msgs=got["msgs"], msgs_s="%.1f" % got["msgs_s"],
                               cpu_s_per_m="%.3f" % (cpu * 1e6 / got["msgs"]),
                               msgs_per_cpu_s="%.0f" % (got["msgs"] / cpu),
                               p50_ms="%.3f" % got["p50"], p99_ms="%.3f" % got["p99"],
                               p999_ms="%.3f" % got["p999"],
                               note="%d delivered after over 1 s; node %d frozen %d s at "
                               "%d s; load %.2f" % (got["late"], FROZEN, w["freeze"], w["at"],
                                                    os.getloadavg()[0]))
                print("bench: %-18s %-15s round %d: %s p50 %s p99 %s ms %s" % (
                    NAME, c, rnd, row["status"], row.get("p50_ms", "-"),
                    row.get("p99_ms", "-"), row.get("note", "")), flush=True)
                write(row)
    finally:
        cluster.down()
    return failed

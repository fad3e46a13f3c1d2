"""What BENCHMARKS.md says about the run besides the numbers: the machine,
the versions, the broker, the command, how long it took and how busy the
machine was. Stored as docs/bench/meta.csv (key, value) beside the results."""
import csv
import os
import platform
import subprocess
import time


def sh(cmd, cwd=None):
    try:
        r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=60)
        return (r.stdout + r.stderr).strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def mem_gib():
    with open("/proc/meminfo") as f:
        kib = int(f.readline().split()[1])
    return "%.1f GiB" % (kib / 1024 / 1024)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def collect(args, root, workloads, rounds):
    kp = sh([args.python, "-c", "import kafka; print(kafka.__version__)"])
    ck = sh([args.python, "-c", "import importlib.metadata as m, confluent_kafka as c; "
             "print(m.version('confluent-kafka'), 'on librdkafka', c.libversion()[0])"])
    kpkg = sh([args.python, "-c", "import kfk; print(kfk.__version__, 'on kfk', kfk._kfk.version())"])
    java = sh(["java", "-version"]).splitlines()
    rev = sh(["git", "rev-parse", "--short", "HEAD"], cwd=root)
    dirty = sh(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root)
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "command": args.command or "bench/run",
        "mode": args.mode,
        "rounds": str(rounds),
        "workloads": " ".join(w["name"] for w in workloads),
        "cpu": "%d cores, %s" % (os.cpu_count(), cpu_model()),
        "memory": mem_gib(),
        "kernel": platform.release(),
        "kfk": rev + (" (with uncommitted changes)" if dirty else ""),
        "librdkafka": sh([args.python, "-c", "import confluent_kafka as c; "
                          "print(c.libversion()[0], \"(confluent-kafka's wheel)\")"]),
        "librdkafka-2.0": sh(["pkg-config", "--modversion", "rdkafka"]) + " (Debian's)",
        "java": java[0] if java else "",
        "kafka tools": os.path.basename(os.path.dirname(args.lib.rstrip("/"))),
        "kafka-python": kp,
        "confluent-kafka": ck,
        "kfk's Python package": kpkg,
        "broker": args.broker,
        "load before": loadavg(),
        "note": args.note,
    }


def finish(info, seconds):
    info["load after"] = loadavg()
    info["duration"] = "%.1f min" % (seconds / 60)


def write(path, info):
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["key", "value"])
        for k, v in info.items():
            out.writerow([k, v])


def read(path):
    with open(path, newline="") as f:
        return {row["key"]: row["value"] for row in csv.DictReader(f)}

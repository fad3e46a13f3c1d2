#!/usr/bin/env python3
"""Writes docs/BENCHMARKS.md, docs/bench/summary.csv and one PNG chart per
workload from docs/bench/results.csv and meta.csv. Every number comes from
the CSV; nothing is typed in by hand.   report.py DOCS_DIR"""
import csv
import os
import statistics
import subprocess
import sys
import tempfile

import goals
import meta

HERE = os.path.dirname(os.path.abspath(__file__))
METRICS = ["msgs_s", "mb_s", "cpu_s_per_m", "msgs_per_cpu_s", "rss_mb", "p50_ms", "p99_ms",
           "p999_ms", "idle_rss_mb", "idle_cpu_s_min"]


def num(v):
    return float(v) if v not in (None, "") else None


def summarize(rows):
    """{(workload, client): {runs, ok, status, note, median/min/max per metric}}"""
    order, groups = [], {}
    for r in rows:
        key = (r["workload"], r["client"])
        if key not in groups:
            order.append(key)
            groups[key] = []
        groups[key].append(r)
    out = {}
    for key in order:
        runs = groups[key]
        ok = [r for r in runs if r["status"] == "ok"]
        s = {"runs": len(runs), "ok": len(ok), "note": next((r["note"] for r in runs if r["note"]), ""),
             "status": "ok" if ok else runs[0]["status"], "msgs": ok[0]["msgs"] if ok else ""}
        for m in METRICS:
            vals = [num(r[m]) for r in ok if num(r[m]) is not None]
            s[m] = statistics.median(vals) if vals else None
            s[m + "_min"] = min(vals) if vals else None
            s[m + "_max"] = max(vals) if vals else None
        out[key] = s
    return order, out


def fmt(v, digits=None):
    if v is None:
        return "–"
    if digits is None:
        digits = 0 if abs(v) >= 100 else 2 if abs(v) < 10 else 1
    return "{:,.{d}f}".format(v, d=digits)


def ratio(a, b):
    return "%.2f×" % (a / b) if a and b else "–"


def spread(s, m, digits=None):
    if s[m] is None:
        return "–"
    if s["ok"] < 2:
        return fmt(s[m], digits)
    return "%s (%s–%s)" % (fmt(s[m], digits), fmt(s[m + "_min"], digits), fmt(s[m + "_max"], digits))


def label(wl, client):
    """kcat workloads run one kcat binary on two libraries."""
    if client == "kfk-python":
        return "kfk's Python package"
    if not wl.startswith("kcat-"):
        return client
    return "kcat on kfk's layer" if client == "kfk" else "kcat on " + client


def throughput_table(wl, clients, summ):
    """Producers also show the p99 from send to acknowledgement."""
    ref = goals.reference(wl)
    kfk = summ.get((wl, ref), {})
    lines = ["| client | runs ok | msgs/run | msg/s median (min–max) | MB/s | CPU s per M msgs | "
             "msgs per CPU-s | peak RSS MB | send→ack p99 ms | kfk ÷ it: msg/s | "
             "kfk ÷ it: msgs per CPU-s | kfk ÷ it: RSS |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for c in clients:
        s = summ[(wl, c)]
        if s["status"] != "ok":
            lines.append("| %s | %d/%d | – | %s | | | | | | | | |" % (
                label(wl, c), s["ok"], s["runs"],
                "not available: " + s["note"] if s["status"] == "n/a" else "failed: " + s["note"]))
            continue
        mine = c == ref
        lines.append("| %s | %d/%d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            label(wl, c), s["ok"], s["runs"], fmt(num(s["msgs"])), spread(s, "msgs_s"), fmt(s["mb_s"]),
            fmt(s["cpu_s_per_m"]), fmt(s["msgs_per_cpu_s"]), fmt(s["rss_mb"]), fmt(s["p99_ms"]),
            "" if mine else ratio(kfk.get("msgs_s"), s["msgs_s"]),
            "" if mine else ratio(kfk.get("msgs_per_cpu_s"), s["msgs_per_cpu_s"]),
            "" if mine else ratio(kfk.get("rss_mb"), s["rss_mb"])))
    return lines


def scale_table(wl, clients, summ):
    """consume-10000p: one group consumer over 10,000 partitions, idle then
    reading a backlog (msgs per CPU-s and CPU per M count the reading)."""
    kfk = summ.get((wl, "kfk"), {})
    lines = ["| client | runs ok | idle RSS MB | idle CPU s per min | reading: msgs per CPU-s | "
             "peak RSS MB | kfk ÷ it: idle RSS | kfk ÷ it: idle CPU | kfk ÷ it: msgs per CPU-s |",
             "|---|---|---|---|---|---|---|---|---|"]
    for c in clients:
        s = summ[(wl, c)]
        if s["status"] != "ok":
            lines.append("| %s | %d/%d | failed: %s | | | | | | |" % (c, s["ok"], s["runs"],
                                                                     s["note"]))
            continue
        mine = c == "kfk"
        lines.append("| %s | %d/%d | %s | %s | %s | %s | %s | %s | %s |" % (
            c, s["ok"], s["runs"], fmt(s["idle_rss_mb"]), fmt(s["idle_cpu_s_min"], 3),
            fmt(s["msgs_per_cpu_s"]), fmt(s["rss_mb"]),
            "" if mine else ratio(kfk.get("idle_rss_mb"), s["idle_rss_mb"]),
            "" if mine else ratio(kfk.get("idle_cpu_s_min"), s["idle_cpu_s_min"]),
            "" if mine else ratio(kfk.get("msgs_per_cpu_s"), s["msgs_per_cpu_s"])))
    return lines


def latency_table(wl, clients, summ):
    kfk = summ.get((wl, "kfk"), {})
    lines = ["| client | runs ok | msgs/run | achieved msg/s | p50 ms | p99 ms median (min–max) | "
             "p99.9 ms | CPU s per M msgs | peak RSS MB | kfk ÷ it: p99 |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for c in clients:
        s = summ[(wl, c)]
        if s["status"] != "ok":
            lines.append("| %s | %d/%d | | failed: %s | | | | | | |" % (c, s["ok"], s["runs"], s["note"]))
            continue
        lines.append("| %s | %d/%d | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            c + (" ¹" if c == "java" else ""), s["ok"], s["runs"], fmt(num(s["msgs"])),
            fmt(s["msgs_s"]), fmt(s["p50_ms"], 3), spread(s, "p99_ms", 3), fmt(s["p999_ms"], 3),
            fmt(s["cpu_s_per_m"]), fmt(s["rss_mb"]),
            "" if c == "kfk" else ratio(kfk.get("p99_ms"), s["p99_ms"])))
    return lines


def chart(docs, wl, clients, summ):
    """One PNG per workload through bench/chart.gp; returns its file name."""
    name = wl + ".png"
    kind = "latency" if wl.startswith("latency") else "throughput"
    with tempfile.NamedTemporaryFile("w", suffix=".dat", delete=False) as f:
        for c in clients:
            s = summ[(wl, c)]
            vals = [s[m] for m in ("msgs_s", "msgs_s_min", "msgs_s_max", "msgs_per_cpu_s",
                                   "p50_ms", "p99_ms", "p999_ms")]
            f.write('"%s" %s\n' % (c, " ".join("0" if v is None else repr(v) for v in vals)))
        data = f.name
    try:
        subprocess.run(["gnuplot", "-e", "data='%s'; out='%s'; ttl='%s'; kind='%s'" % (
            data, os.path.join(docs, "bench", name), wl, kind),
            os.path.join(HERE, "chart.gp")], check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        print("report: no chart for %s: %s" % (wl, e), file=sys.stderr)
        return None
    finally:
        os.unlink(data)
    return name


def ceiling_note(wl, summ):
    """Beside the 1 MiB workloads: each client's MB/s as a share of the
    machine's loopback copy bandwidth (bench/loopback), the ceiling."""
    top = summ.get(("loopback", "loopback"), {}).get("mb_s")
    if not wl.endswith("-1MiB") or not top:
        return ""
    shares = ["%s %.0f%%" % (label(wl, c), 100 * s["mb_s"] / top)
              for (w, c), s in summ.items() if w == wl and s.get("mb_s")]
    return "\nShare of the loopback copy bandwidth (%s MB/s, see loopback): %s.\n" % (
        fmt(top), ", ".join(shares) or "–")


def curve(docs, name, title, series, xl, panels, logy):
    """A chart of series {title: [(x, left, right)]} through bench/curve.gp."""
    xt = ",".join(str(x) for x in sorted({p[0] for ps in series.values() for p in ps}))
    with tempfile.NamedTemporaryFile("w", suffix=".dat", delete=False) as f:
        for points in series.values():
            f.write("".join("%r %r %r\n" % p for p in points) + "\n\n")
        data = f.name
    try:
        subprocess.run(["gnuplot", "-e", "data='%s'; out='%s'; ttl='%s'; "
                        "names='%s'; xl='%s'; t1='%s'; t2='%s'; xt='%s'; logy=%d" % (
                            data, os.path.join(docs, "bench", name), title, " ".join(series),
                            xl, panels[0], panels[1], xt, logy),
                        os.path.join(HERE, "curve.gp")], check=True, capture_output=True,
                       timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        print("report: no chart %s: %s" % (name, e), file=sys.stderr)
        return ""
    finally:
        os.unlink(data)
    return "\n![%s](bench/%s)\n" % (title, name)


def scaling(docs, summ):
    """Threads sending on one producer, and latency against the rate: one
    table and one curve each, from the workloads of those names."""
    out = []
    threads = sorted({int(w.rsplit("-", 1)[1]) for w, _ in summ
                      if w.startswith("produce-100B-threads-")})
    present = {c for w, c in summ if w.startswith(("produce-100B-threads-", "latency-"))}
    cs = [c for c in ("kfk", "librdkafka") if c in present]
    if threads:
        lines = ["| threads | " + " | ".join("%s msg/s | %s msgs per CPU-s" % (c, c) for c in cs)
                 + " | kfk ÷ librdkafka: msgs per CPU-s |", "|---" * (2 + 2 * len(cs)) + "|"]
        series = {}
        for n in threads:
            got = {c: summ.get(("produce-100B-threads-%d" % n, c), {}) for c in cs}
            lines.append("| %d | %s | %s |" % (n, " | ".join(
                "%s | %s" % (fmt(got[c].get("msgs_s")), fmt(got[c].get("msgs_per_cpu_s")))
                for c in cs), ratio(got.get("kfk", {}).get("msgs_per_cpu_s"),
                                    got.get("librdkafka", {}).get("msgs_per_cpu_s"))))
            for c in cs:
                if got[c].get("msgs_s") and got[c].get("msgs_per_cpu_s"):
                    series.setdefault(c, []).append((n, got[c]["msgs_s"], got[c]["msgs_per_cpu_s"]))
        out += ["### Threads sending on one producer", ""] + lines
        out.append(curve(docs, "threads.png", "threads sending on one producer", series,
                         "application threads", ("messages/s", "messages per CPU-second"), 0))
    rates = sorted({int(w.split("-")[1][:-1]) for w, _ in summ
                    if w.startswith("latency-") and w.endswith(("-linger0", "-lingerdefault"))})
    if rates:
        lines = ["| rate msg/s | linger | " + " | ".join("%s p50 / p99 / p99.9 ms" % c for c in cs)
                 + " | kfk ÷ librdkafka: p99 |", "|---" * (3 + len(cs)) + "|"]
        series = {}
        for linger in ("0", "default"):
            for r in rates:
                got = {c: summ.get(("latency-%dk-linger%s" % (r, linger), c), {}) for c in cs}
                lines.append("| %s | %s | %s | %s |" % (fmt(r * 1000.0), linger, " | ".join(
                    " / ".join(fmt(got[c].get(m), 2) for m in ("p50_ms", "p99_ms", "p999_ms"))
                    for c in cs), ratio(got.get("kfk", {}).get("p99_ms"),
                                        got.get("librdkafka", {}).get("p99_ms"))))
                for c in cs:
                    if got[c].get("p99_ms") and got[c].get("p999_ms"):
                        series.setdefault("%s,linger=%s" % (c, linger), []).append(
                            (r * 1000, got[c]["p99_ms"], got[c]["p999_ms"]))
        out += ["", "### Latency against the rate", ""] + lines
        out.append(curve(docs, "latency-rates.png", "end-to-end latency against the rate",
                         series, "messages/s", ("p99 ms", "p99.9 ms"), 1))
    return "\n".join(out) if out else "No scaling workloads in this run.\n"


def write_summary(path, order, summ):
    cols = ["workload", "client", "runs", "ok", "msgs"] + \
        [m + sfx for m in METRICS for sfx in ("", "_min", "_max")] + ["note"]
    with open(path, "w", newline="") as f:
        out = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore")
        out.writeheader()
        for key in order:
            out.writerow(dict(summ[key], workload=key[0], client=key[1]))


def profiles(docs):
    """bench/profile.py's files, each as a block; a note when there are none."""
    names = sorted(n for n in os.listdir(os.path.join(docs, "bench")) if n.startswith("profile-"))
    if not names:
        return "No profile in this run (smoke runs skip it; it needs valgrind).\n"
    out = []
    for n in names:
        with open(os.path.join(docs, "bench", n)) as f:
            head, body = f.read().split("\n", 1)
        out.append("%s ([raw](bench/%s)):\n\n```\n%s```\n" % (head.lstrip("# "), n, body))
    return "\n".join(out)


def write(docs):
    with open(os.path.join(docs, "bench", "results.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    info = meta.read(os.path.join(docs, "bench", "meta.csv"))
    order, summ = summarize(rows)
    write_summary(os.path.join(docs, "bench", "summary.csv"), order, summ)
    workloads = list(dict.fromkeys(k[0] for k in order))
    sections = []
    for wl in workloads:
        cs = [k[1] for k in order if k[0] == wl]
        table = latency_table if wl.startswith("latency") or "slow-broker" in wl \
            else scale_table if wl == "consume-10000p" else throughput_table
        png = chart(docs, wl, cs, summ)
        sections.append("### %s\n\n%s\n%s%s" % (
            wl, "\n".join(table(wl, cs, summ)), ceiling_note(wl, summ),
            "\n![%s](bench/%s)\n" % (wl, png) if png else ""))
    with open(os.path.join(HERE, "BENCHMARKS.md.in")) as f:
        template = f.read()
    text = template.replace("@META@", "\n".join("| %s | %s |" % kv for kv in info.items()))
    text = text.replace("@GOALS@", "\n".join(goals.table(summ)))
    text = text.replace("@RESULTS@", "\n".join(sections))
    text = text.replace("@SCALING@", scaling(docs, summ))
    text = text.replace("@COMMAND@", info.get("command", "bench/run"))
    text = text.replace("@PROFILES@", profiles(docs))
    with open(os.path.join(docs, "BENCHMARKS.md"), "w") as f:
        f.write(text)
    print("report: wrote %s" % os.path.join(docs, "BENCHMARKS.md"))


if __name__ == "__main__":
    write(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(HERE), "docs"))

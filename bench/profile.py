"""Where kfk's time goes: runs kfk's produce and consume workloads, and
kcat's on kfk's librdkafka layer (a tenth of the count, but kcat-consume
reads its whole topic) under valgrind's callgrind, which counts
instructions and so stays steady on a busy machine (`perf` lacks hardware counters here), and
keeps the functions with the most instructions of their own in
docs/bench/profile-WORKLOAD.txt for the report."""
import os
import re
import shutil
import subprocess

import clients

TOP = 15
ROW = re.compile(r"^\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(\S.*)$")


def top_functions(annotate_output):
    """(instructions, percent, function) rows, paths and object files cut."""
    rows = []
    for line in annotate_output.splitlines():
        m = ROW.match(line)
        if not m or "PROGRAM TOTALS" in line:
            continue
        fn = re.sub(r"\s*\[[^\]]*\]$", "", m.group(3))
        fn = re.sub(r"^.*/", "", fn)
        rows.append((m.group(1), m.group(2), fn))
    return rows[:TOP]


def run(runner, w, topic, out_dir):
    """Profiles kfk on workload w; returns the text file's path or None."""
    if not shutil.which("valgrind") or not shutil.which("callgrind_annotate"):
        return None
    # kcat-consume reads its whole topic: no smaller count there.
    n = w["count"] if w["kind"] == "kcat-consume" else max(w["count"] // 10, 1000)
    w = dict(w, count_for={"kfk": n})
    if w["kind"] == "produce":
        cmd = clients.produce_cmd(runner.env, "kfk", runner.args.bootstrap, topic, w)
    elif w["kind"].startswith("kcat-"):
        cmd = clients.kcat_cmd(runner.env, "kfk", runner.args.bootstrap, topic, w)
    else:
        cmd = clients.consume_cmd(runner.env, "kfk", runner.args.bootstrap, topic, w, None)
    if cmd is None:
        return None
    # kcat's "env LD_LIBRARY_PATH=..." goes before valgrind, which follows no exec.
    pre, cmd = (cmd[:2], cmd[2:]) if cmd[0] == "env" else ([], cmd)
    raw = os.path.join(runner.logs, "callgrind-%s.out" % w["name"])
    rc = runner.spawn("profile-" + w["name"], pre + ["valgrind", "--tool=callgrind", "-q",
                                                     "--callgrind-out-file=" + raw] + cmd,
                      devnull=w["kind"] == "kcat-consume")[0]
    if rc:
        return None
    ann = subprocess.run(["callgrind_annotate", "--inclusive=no", raw], capture_output=True,
                         text=True, timeout=300).stdout
    total = re.search(r"^\s*([\d,]+)\s+\(100\.0%\)\s+PROGRAM TOTALS", ann, re.M)
    path = os.path.join(out_dir, "profile-%s.txt" % w["name"])
    with open(path, "w") as f:
        f.write("# kfk %s, %d messages of %d bytes under callgrind: %s instructions in all "
                "(%.0f per message); the %d functions with the most of their own\n" % (
                    w["name"], w["count_for"]["kfk"], w["size"],
                    total.group(1) if total else "?",
                    int(total.group(1).replace(",", "")) / w["count_for"]["kfk"] if total else 0,
                    TOP))
        for ins, pct, fn in top_functions(ann):
            f.write("%14s %6s%%  %s\n" % (ins, pct, fn))
    return path

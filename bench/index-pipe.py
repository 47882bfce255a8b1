#!/usr/bin/python3
"""`index -` from a followed file under a rotation storm, queried every 50 ms (issue 15).

    index-pipe.py TRACEGREP [SECONDS] [RATE]

A writer appends RATE entries a second (default 10,000) to app.log, which is
rotated (rename + recreate) every 100 ms; `tracegrep --follow app.log |
tracegrep index -` indexes what the follower prints while `tracegrep -c
--db` runs every 50 ms. Counts: queries that failed (an exit status other
than 0 or 1, or a message), counts that went backwards, entries indexed
against entries written, and the indexer's resident memory sampled every
second (flat: bounded by its batch, not by what it has indexed).
"""
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import shutil

import storm

TG = sys.argv[1]
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 60
RATE = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
LINE = "2024-01-15 10:00:00,000 - INFO - [req=%08x|session=%08x] - piped entry seq=%d\n"


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None


def main():
    work = tempfile.mkdtemp(prefix="index-pipe-")
    log, db = os.path.join(work, "app.log"), os.path.join(work, "pipe.db")
    open(log, "w").close()
    follow = subprocess.Popen([TG, "--follow", log, "--color=never"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL)
    index = subprocess.Popen([TG, "index", "-q", "--db", db, "-"], stdin=follow.stdout,
                             stderr=subprocess.PIPE)
    follow.stdout.close()
    stop = threading.Event()
    written = [0]

    def writer():
        written[0] = storm.write(log, RATE, lambda s: LINE % (s, s % 5000, s), stop, True)

    def rotator():
        storm.rotate(log, "rename", 0.1, stop)

    queries = {"run": 0, "failed": 0, "backwards": 0, "last": 0}
    failures = []

    def querier():
        while not stop.is_set():
            time.sleep(0.05)
            if not os.path.exists(db):
                continue
            p = subprocess.run([TG, "-c", "--no-filename", "--db", db], capture_output=True)
            queries["run"] += 1
            if p.returncode not in (0, 1) or p.stderr:
                queries["failed"] += 1
                failures.append(p.stderr.decode(errors="replace").strip())
                continue
            n = int(p.stdout.split()[0]) if p.stdout.strip() else 0
            if n < queries["last"]:
                queries["backwards"] += 1
            queries["last"] = n

    rss = []
    threads = [threading.Thread(target=f) for f in (writer, rotator, querier)]
    for t in threads:
        t.start()
    end = time.monotonic() + SECONDS
    while time.monotonic() < end:
        time.sleep(1)
        r = rss_kib(index.pid)
        if r:
            rss.append(r)
    stop.set()
    for t in threads:
        t.join()
    time.sleep(1.5)
    follow.send_signal(signal.SIGTERM)
    follow.wait()
    err = index.communicate()[1]
    p = subprocess.run([TG, "-c", "--no-filename", "--db", db], capture_output=True)
    indexed = int(p.stdout.split()[0])
    print("index-pipe: %.0f s, %d entries/s, rename rotation every 100 ms, a query every 50 ms" %
          (SECONDS, RATE))
    print("written %d, indexed %d (lost %d); queries %d, failed %d, counts backwards %d; index exit %d%s" %
          (written[0], indexed, written[0] - indexed, queries["run"], queries["failed"], queries["backwards"],
           index.returncode, (": " + err.decode(errors="replace").strip()) if err else ""))
    half = len(rss) // 2
    print("index RSS (MiB), sampled every second: first half max %.1f, second half max %.1f, last %.1f" %
          (max(rss[:half]) / 1024, max(rss[half:]) / 1024, rss[-1] / 1024))
    for f in failures[:5]:
        print("  failed: " + f)
    if indexed < written[0]:  # where: the last entries (the follower behind), or runs inside
        out = subprocess.run([TG, "--db", db, "--no-filename", "--color=never"], capture_output=True).stdout
        have = set(int(m) for m in re.findall(rb"seq=(\d+)", out))
        runs, start = [], None
        for i in range(written[0] + 1):
            if i < written[0] and i not in have:
                start = i if start is None else start
            elif start is not None:
                runs.append((start, i - 1))
                start = None
        print("missing: %d runs, first %s, last %s" % (len(runs), runs[:5], runs[-2:]))
    shutil.rmtree(work, ignore_errors=True)


main()

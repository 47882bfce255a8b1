#!/usr/bin/python3
"""--follow under a rotation storm, side by side with GNU tail -F (issue 15).

    follow-storm.py TRACEGREP [SECONDS] [RATE] [EVERY_MS] [MODE...]

A writer appends RATE entries a second (default 10,000), each with its
sequence number, to app.log, while the file is rotated every EVERY_MS
(default 100): in one run logrotate's rename + recreate (the writer reopens
its file when the name moves on, as a service does on SIGHUP), in the other
copytruncate (the writer keeps its O_APPEND descriptor; the rotator copies
the file and truncates it). `tracegrep --follow app.log` and `tail -F
app.log` follow the same file at once. When the writer stops, each
follower's output is counted against the writer's record: entries lost,
printed twice, out of order. Prints one row per mode and follower. MODE:
rename, copytruncate (default both), repeatable.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import storm

TG = sys.argv[1]
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 60
RATE = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
EVERY = (int(sys.argv[4]) if len(sys.argv) > 4 else 100) / 1000.0
LINE = "2024-01-15 10:00:00,000 - INFO - [req=%08x|session=abcd1234] - storm entry seq=%d\n"
SEQ = re.compile(rb"seq=(\d+)")


def count(output, total):
    seen = [int(m.group(1)) for m in SEQ.finditer(output)]
    distinct = set(seen)
    lost = total - len(distinct & set(range(total)))
    doubled = len(seen) - len(distinct)
    backwards = sum(1 for a, b in zip(seen, seen[1:]) if b < a)
    return lost, doubled, backwards


def run_storm(mode, work):
    path = os.path.join(work, "app.log")
    open(path, "w").close()
    tg_out = open(os.path.join(work, "tracegrep.out"), "wb")
    tail_out = open(os.path.join(work, "tail.out"), "wb")
    tg = subprocess.Popen([TG, "--follow", path, "--color=never"], stdout=tg_out, stderr=subprocess.DEVNULL)
    tail = subprocess.Popen(["tail", "-F", "-n", "+1", "-s", "0.05", path], stdout=tail_out,
                            stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    stop = threading.Event()
    written, rotations = [], []
    threads = [threading.Thread(target=lambda: written.append(
                   storm.write(path, RATE, lambda s: LINE % (s, s), stop, mode == "rename"))),
               threading.Thread(target=lambda: rotations.append(storm.rotate(path, mode, EVERY, stop)))]
    cpu0 = os.times()
    for t in threads:
        t.start()
    time.sleep(SECONDS)
    stop.set()
    for t in threads:
        t.join()
    time.sleep(1.5)  # the followers catch up
    for p in (tg, tail):
        p.send_signal(signal.SIGTERM)
        p.wait()
    tg_out.close()
    tail_out.close()
    total = written[0]
    rows = []
    for name in ("tracegrep", "tail"):
        with open(os.path.join(work, name + ".out"), "rb") as f:
            lost, doubled, backwards = count(f.read(), total)
        rows.append((mode, name, total, rotations[0], lost, doubled, backwards))
    return rows


def main():
    work = tempfile.mkdtemp(prefix="follow-storm-")
    print("follow-storm: %.0f s, %d entries/s, a rotation every %d ms" % (SECONDS, RATE, EVERY * 1000))
    print("%-13s %-10s %9s %9s %7s %8s %10s" % ("rotation", "follower", "written", "rotations", "lost",
                                                "doubled", "backwards"))
    try:
        for mode in sys.argv[5:] or ("rename", "copytruncate"):
            for row in run_storm(mode, work):
                print("%-13s %-10s %9d %9d %7d %8d %10d" % row)
    finally:
        shutil.rmtree(work, ignore_errors=True)


main()

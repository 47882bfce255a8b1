#!/usr/bin/python3
"""kill -9 during index (issue 15): nothing lost, nothing doubled, no damage.

    kill.py TRACEGREP WORKDIR [KILLS] [SEED]

Two generated logs grow by a piece before each run of index into one
database, and each run is killed with SIGKILL at a random moment while it
has work (reading, compressing, writing a batch, checkpointing); after every
kill the index must pass `index --check`
(crash recovery of the write-ahead log leaves no page damaged) and answer
queries. Then one run completes it, and every query must print exactly what
an index built without interruption prints.
"""
import os
import random
import shutil
import signal
import subprocess
import sys
import time

from logs import fresh, generate

TG, WORK = sys.argv[1], sys.argv[2]
KILLS = int(sys.argv[3]) if len(sys.argv) > 3 else 12
SEED = int(sys.argv[4]) if len(sys.argv) > 4 else 9


def run(args):
    return subprocess.run([TG] + args, capture_output=True, timeout=120)


def main():
    rnd = random.Random(SEED)
    sessions, requests = fresh(WORK, rnd, 2000, 40000)
    logs = [os.path.join(WORK, "api.log"), os.path.join(WORK, "worker.log")]
    generate(logs[0], rnd, "api", 250000, sessions, requests)
    generate(logs[1], rnd, "worker", 100000, sessions, requests)
    # Each log in KILLS pieces, cut at entry starts; the logs grow a piece a run.
    pieces = []
    for log in logs:
        with open(log, "rb") as f:
            data = f.read()
        cuts = [0]
        for k in range(1, KILLS):
            at = data.find(b"\n2024-", len(data) * k // KILLS) + 1
            cuts.append(at)
        cuts.append(len(data))
        pieces.append([data[cuts[k]:cuts[k + 1]] for k in range(KILLS)])
    reference_db = os.path.join(WORK, "reference.db")
    p = run(["index", "-q", "--db", reference_db] + logs)
    assert p.returncode == 0, p.stderr
    queries = [["-c"], ["-s", sessions[1]], ["-r", requests[5], "--json"], ["requests", "--slowest", "5"],
               ["sessions", "-s", sessions[2]], ["timeline", "-r", requests[9]], ["-c", "-l", "ERROR"]]
    reference = [run(q + ["--db", reference_db]) for q in queries]
    for q, r in zip(queries, reference):
        assert r.returncode == 0 and r.stdout, (q, r.stderr)

    db = os.path.join(WORK, "killed.db")
    for log in logs:
        open(log, "wb").close()
    killed_in_run = 0
    counts = []
    for k in range(KILLS):
        for log, parts in zip(logs, pieces):
            with open(log, "ab") as f:
                f.write(parts[k])
        # How long this run takes uninterrupted, on a copy: the kill falls
        # anywhere in it, its final commit and checkpoint too.
        trial = os.path.join(WORK, "trial.db")
        for suffix in ["", "-wal", "-shm"]:
            if os.path.exists(trial + suffix):
                os.remove(trial + suffix)
        if os.path.exists(db):
            shutil.copy(db, trial)
        start = time.monotonic()
        run(["index", "-q", "--db", trial] + logs)
        took = time.monotonic() - start
        proc = subprocess.Popen([TG, "index", "-q", "--db", db] + logs, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        time.sleep(rnd.uniform(0.0, took * 1.1))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if proc.returncode == -signal.SIGKILL:
            killed_in_run += 1
        elif proc.returncode != 0:
            sys.exit("kill.py: run %d failed before the kill: %s" % (k, proc.stderr.read().decode()))
        if not os.path.exists(db):
            continue  # killed before the index was made
        c = run(["index", "--check", "--db", db])
        if c.returncode != 0:
            shutil.copy(db, db + ".after-kill-%d" % k)
            sys.exit("kill.py: after kill %d, index --check: %s" % (k, c.stderr.decode()))
        q = run(["-c", "--no-filename", "--db", db])
        if q.returncode not in (0, 1):
            sys.exit("kill.py: after kill %d, a query failed: %s" % (k, q.stderr.decode()))
        counts.append(sum(int(n) for n in q.stdout.split()))
    p = run(["index", "-q", "--db", db] + logs)
    assert p.returncode == 0, p.stderr
    for q, r in zip(queries, reference):
        got = run(q + ["--db", db])
        if got.returncode != r.returncode or got.stdout.replace(b"killed.db", b"reference.db") != r.stdout:
            sys.exit("kill.py: after %d kills, tracegrep %s differs from an uninterrupted index:\n%s\n---\n%s" %
                     (KILLS, " ".join(q), got.stdout[:1000].decode(errors="replace"),
                      r.stdout[:1000].decode(errors="replace")))
    c = run(["index", "--check", "--db", db])
    if c.returncode != 0:
        sys.exit("kill.py: the completed index fails its check: %s" % c.stderr.decode())
    size = sum(os.path.getsize(f) for f in logs)
    print("kill.py: %d runs of index over %.1f MB killed with SIGKILL (%d of them mid-run; the logs grew "
          "before each), each followed by index --check: no damage; completed, %d queries print exactly what an "
          "uninterrupted index prints: nothing lost, nothing doubled (entries indexed after each kill: %s)" %
          (KILLS, size / 1e6, killed_in_run, len(queries), ", ".join(map(str, counts))))


main()

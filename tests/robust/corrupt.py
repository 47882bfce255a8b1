#!/usr/bin/python3
"""The corruption protocol (issue 15, item 4): damaged copies of an index,
each queried, --status'ed, --check'ed and indexed into.

    corrupt.py TRACEGREP WORKDIR [COPIES] [SEED]

An intact index is built from generated logs (three services, tracebacks,
many requests and sessions, so postings and summaries fill pages of their
own); its answers are the reference. Each copy gets one kind of damage, in
turn: one flipped byte in a random page, many flipped pages, truncation at
a random offset, a zeroed header, a garbage WAL file, a garbage SHM file.
On every copy, for every command:
  - no crash, no hang (a signal, a timeout or an exit status other than
    0, 1 and 2 fails);
  - no silent wrong answer: output or status different from the intact
    index's must come with exit 2 and a message on stderr, and the entries
    a query prints are a subset of the intact answer's lines;
  - a read-only command leaves the database file's bytes unchanged;
  - `index` into the copy either succeeds (and then the new file's entries
    are found) or reports failure with exit 2 and leaves the bytes
    unchanged: a run that reports failure changes nothing.
Prints the tally; exit 1 on the first broken rule, with the copy kept.
"""
import hashlib
import os
import random
import shutil
import subprocess
import sys

from logs import fresh, generate

TG, WORK = sys.argv[1], sys.argv[2]
COPIES = int(sys.argv[3]) if len(sys.argv) > 3 else 200
SEED = int(sys.argv[4]) if len(sys.argv) > 4 else 15
PAGE = 16384
KINDS = ["flip one page", "flip many pages", "truncate", "zero header", "garbage WAL", "garbage SHM"]


def run(args, timeout=30):
    try:
        p = subprocess.run([TG] + args, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    return p


def sha(path):
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def damage(db, kind, rnd):
    size = os.path.getsize(db)
    if kind == "flip one page" or kind == "flip many pages":
        with open(db, "r+b") as f:
            pages = max(1, size // PAGE)
            for _ in range(1 if kind == "flip one page" else rnd.randrange(2, 20)):
                page = rnd.randrange(1, pages) if pages > 1 else 0  # page 0's header: "zero header"
                at = page * PAGE + rnd.randrange(PAGE)
                f.seek(at)
                b = f.read(1)
                if not b:
                    continue
                f.seek(at)
                f.write(bytes([b[0] ^ (1 << rnd.randrange(8))]))
        return
    if kind == "truncate":
        with open(db, "r+b") as f:
            f.truncate(rnd.randrange(0, size))
        return
    if kind == "zero header":
        with open(db, "r+b") as f:
            f.write(b"\0" * rnd.choice([16, 100, PAGE]))
        return
    suffix = "-wal" if kind == "garbage WAL" else "-shm"
    with open(db + suffix, "wb") as f:
        f.write(bytes(rnd.randrange(256) for _ in range(rnd.choice([32, 4096, 32768 + 24]))))


def main():
    rnd = random.Random(SEED)
    sessions, requests = fresh(WORK, rnd, 300, 3000)
    logs = []
    for n, service in enumerate(["api", "worker", "db"]):
        path = os.path.join(WORK, service + ".log")
        generate(path, rnd, service, 12000, sessions, requests)
        logs.append(path)
    newlog = os.path.join(WORK, "new.log")
    with open(newlog, "w") as f:
        f.write("2024-01-16 08:00:00,000 - INFO - [req=feedbeef|session=c0ffee00] - after the damage\n")
    intact = os.path.join(WORK, "intact.db")
    p = run(["index", "-q", "--db", intact] + logs)
    assert p and p.returncode == 0, p.stderr.decode() if p else "index timed out"
    assert not os.path.exists(intact + "-wal") or os.path.getsize(intact + "-wal") == 0, "the intact index kept a WAL"

    s1, s2, r1 = sessions[0], sessions[7], requests[3]
    queries = [
        ["-s", s1], ["-r", r1], ["-s", s2, "--json"], ["-c", "-s", s2],
        ["requests", "--slowest", "5"], ["sessions", "-s", s1], ["timeline", "-r", r1],
        ["index", "--status"],
    ]
    entry_queries = {0, 1, 2}
    reference = []
    for q in queries:
        p = run(q + ["--db", intact])
        assert p and p.returncode == 0 and p.stdout, (q, p.stderr.decode() if p else "timeout")
        reference.append(p)
    tally = {"copies": 0, "runs": 0, "same answer": 0, "refused with a message": 0, "index succeeded": 0,
             "index refused": 0, "check found damage": 0}
    per_kind = {k: 0 for k in KINDS}

    broken = []

    def fail(copy, why):
        print("corrupt.py: copy %s: %s" % (copy, why), file=sys.stderr)
        if not os.environ.get("CORRUPT_KEEP_GOING"):
            sys.exit(1)
        broken.append(copy)

    for i in range(COPIES):
        kind = KINDS[i % len(KINDS)]
        copy = os.path.join(WORK, "copy.db")
        for suffix in ["", "-wal", "-shm"]:
            if os.path.exists(copy + suffix):
                os.remove(copy + suffix)
        shutil.copyfile(intact, copy)
        damage(copy, kind, rnd)
        keep = os.path.join(WORK, "failed-%d-%s.db" % (i, kind.replace(" ", "-")))
        before = sha(copy)
        tally["copies"] += 1
        per_kind[kind] += 1

        def check_run(args, ref=None, read_only=True):
            p = run(args + ["--db", copy])
            tally["runs"] += 1
            what = "%s (%s): tracegrep %s" % (i, kind, " ".join(args))
            if p is None:
                shutil.copyfile(intact, keep)
                fail(what, "hung (no answer in 30 s)")
            if p.returncode not in (0, 1, 2):
                shutil.copy(copy, keep)
                fail(what, "exit %d (a crash?): %s" % (p.returncode, p.stderr.decode(errors="replace")[-2000:]))
            if read_only and sha(copy) != before:
                shutil.copy(copy, keep)
                fail(what, "a read-only command changed the database's bytes")
            if ref is not None:
                if p.returncode == ref.returncode and p.stdout.replace(b"/copy.db", b"/intact.db") == ref.stdout:
                    tally["same answer"] += 1
                elif p.returncode == 2 and p.stderr.startswith(b"tracegrep: "):
                    tally["refused with a message"] += 1
                else:
                    shutil.copy(copy, keep)
                    fail(what, "a silent wrong answer: exit %d, stdout %r..., stderr %r" %
                         (p.returncode, p.stdout[:300], p.stderr[:300]))
            return p

        for n, q in enumerate(queries):
            p = check_run(q, reference[n])
            if n in entry_queries and p.returncode == 2:
                want = reference[n].stdout.splitlines()
                for line in p.stdout.splitlines():
                    if line not in want:
                        shutil.copy(copy, keep)
                        fail("%d (%s): tracegrep %s" % (i, kind, " ".join(q)),
                             "printed a line the intact index does not hold: %r" % line[:200])
        c = check_run(["index", "--check"])
        if c.returncode == 2:
            tally["check found damage"] += 1
        p = check_run(["index", "-q", newlog], read_only=False)
        if p.returncode == 0:
            tally["index succeeded"] += 1
            found = run(["-s", "c0ffee00", "--db", copy])
            if found is None or b"after the damage" not in found.stdout:
                shutil.copy(copy, keep)
                fail("%d (%s)" % (i, kind), "index said it succeeded, but its entry is not found")
        else:
            tally["index refused"] += 1
            if p.returncode != 2 or not p.stderr.startswith(b"tracegrep: "):
                fail("%d (%s)" % (i, kind), "index failed without exit 2 and a message: %r" % p.stderr[:300])
            if sha(copy) != before:
                shutil.copy(copy, keep)
                fail("%d (%s)" % (i, kind), "index reported failure but changed the database: %r" %
                     p.stderr[:300])
    if broken:
        sys.exit("corrupt.py: %d copies broke a rule (above)" % len(broken))
    print("corrupt.py: %d damaged copies (%s), %d runs: 0 crashes, 0 hangs, 0 silent wrong answers; "
          "%d answers as the intact index, %d refused with a message; index --check found damage in %d; "
          "indexing into them: %d succeeded, %d refused and left the file unchanged" %
          (tally["copies"], ", ".join("%d %s" % (per_kind[k], k) for k in KINDS), tally["runs"],
           tally["same answer"], tally["refused with a message"], tally["check found damage"],
           tally["index succeeded"], tally["index refused"]))


main()

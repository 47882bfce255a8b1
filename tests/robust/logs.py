"""Logs for the robustness protocols: the seed's layout, several services,
tracebacks, requests spread over sessions; deterministic for a seed."""
import os
import shutil


def generate(path, rnd, service, entries, sessions, requests):
    levels = ["INFO"] * 6 + ["DEBUG", "WARNING", "ERROR"]
    lines = []
    t = 1705314600.0
    for i in range(entries):
        t += rnd.random() * 0.05
        secs = int(t)
        ms = int((t - secs) * 1000)
        stamp = "2024-01-15 %02d:%02d:%02d,%03d" % (10 + (secs // 3600) % 10, (secs // 60) % 60, secs % 60, ms)
        req = requests[rnd.randrange(len(requests))]
        ses = sessions[int(req, 16) % len(sessions)]
        level = rnd.choice(levels)
        lines.append("%s - %s - [req=%s|session=%s] - %s %s step %d user=%d" %
                     (stamp, level, req, ses, service, rnd.choice(["GET /cart", "payment", "SELECT 1", "render"]),
                      i, rnd.randrange(100000)))
        if level == "ERROR" and rnd.random() < 0.5:
            lines += ["Traceback (most recent call last):", '  File "app.py", line %d, in handler' % rnd.randrange(900),
                      "TimeoutError: gateway after %d ms" % rnd.randrange(30000)]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def fresh(work, rnd, sessions, requests):
    """An empty WORK directory, and `sessions` and `requests` random ids."""
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    return (["%08x" % rnd.getrandbits(32) for _ in range(sessions)],
            ["%08x" % rnd.getrandbits(32) for _ in range(requests)])

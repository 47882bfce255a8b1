"""The writer and the rotator of the follow benchmarks (follow-storm.py,
index-pipe.py): entries at a fixed rate, each with its sequence number, and
logrotate's two ways of rotating a file."""
import os
import shutil
import time


def write(path, rate, line, stop, reopen):
    """Appends `rate` entries a second (`line(seq)` each, a batch a
    millisecond) to `path` until `stop` is set; with `reopen`, opens the name
    again when it moves on (a service's SIGHUP after logrotate's create).
    Returns how many were written."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    ino = os.fstat(fd).st_ino
    seq = 0
    start = time.monotonic()
    batch = max(1, rate // 1000)
    while not stop.is_set():
        due = int((time.monotonic() - start) * rate)
        if seq >= due:
            time.sleep(0.0005)
            continue
        end = min(due, seq + batch)
        os.write(fd, "".join(line(s) for s in range(seq, end)).encode())
        seq = end
        if reopen:
            try:
                if os.stat(path).st_ino != ino:
                    os.close(fd)
                    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                    ino = os.fstat(fd).st_ino
            except FileNotFoundError:
                pass
    os.close(fd)
    return seq


def rotate(path, mode, every, stop):
    """Rotates `path` every `every` seconds until `stop` is set: "rename"
    (rename, then create the name anew) or "copytruncate" (copy, then
    truncate); keeps the last 20 rotated files. Returns how many rotations."""
    n = 0
    while not stop.is_set():
        time.sleep(every)
        n += 1
        if mode == "rename":
            os.rename(path, "%s.%d" % (path, n))
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o644))
        else:
            shutil.copyfile(path, "%s.%d" % (path, n))
            os.truncate(path, 0)
        old = "%s.%d" % (path, n - 20)
        if os.path.exists(old):
            os.remove(old)
    return n

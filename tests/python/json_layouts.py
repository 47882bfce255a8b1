"""JSON lines and logfmt as Python's real logging libraries write them, read back by tracegrep.

Writes, through Debian's python3-pythonjsonlogger, python3-structlog (its
JSONRenderer and its LogfmtRenderer) and python3-loguru (serialize=True),
records with request and session ids carried in context (contextvars,
structlog's bound contextvars, loguru's contextualize), unset ids, tracebacks
and hostile messages. Then checks, through the real tracegrep binary:
  - `--json`: every entry's level, request, session, message and traceback;
  - `-c -r` and `-c -s`: exactly the entries of that request and session;
  - `index` then `--db -s`: the same entries as the scan;
  - `timeline -r` over all files plus one in the seed's text layout and one
    in OpenTelemetry's text format: one request's entries from every
    service, in time order.
structlog's LogfmtRenderer writes a newline inside a value raw: the value's
quote then closes on a later line, and the fields after it (level, ids,
time) are not read (tracegrep(1), JSON lines and logfmt). Such records are
checked for that: one entry, its message intact, no ids.
The files are left in DIR (testdata for a look by hand). Prints
"ok LAYOUTS ENTRIES", or what differs and exits 1.

    /usr/bin/python3 json_layouts.py TRACEGREP DIR
"""
import contextvars
import datetime
import json
import logging
import os
import subprocess
import sys

import structlog
from loguru import logger as loguru_logger
from pythonjsonlogger import jsonlogger

request_id = contextvars.ContextVar("request_id", default=None)
session_id = contextvars.ContextVar("session_id", default=None)

MESSAGES = ["Payment gateway timeout", 'quote " and back\\slash', "two\nlines in one message",
            "user said [req=evil|session=victim00] in text", "caf\u00e9 \u65e5\u672c", "{\"looks\": \"like json\"}"]
LEVELS = ["debug", "info", "warning", "error", "critical"]
T0 = datetime.datetime(2024, 1, 15, 10, 30, 0, tzinfo=datetime.timezone.utc)


def plan():
    """(level, request, session, message, traceback?) for each record, the same in every file."""
    out = []
    for n in range(60):
        unset = n % 10 == 0
        req = None if unset else "r%07d" % (n // 3)
        sess = None if unset else "5e55%04dabcdef0123" % (n // 7)
        msg = "%s %d" % (MESSAGES[n % len(MESSAGES)], n)
        tb = n % 9 == 4
        out.append(("error" if tb else LEVELS[n % len(LEVELS)], req, sess, msg, tb))
    return out


class ContextFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id.get()
        s = session_id.get()
        record.session_id = s[:8] if s else s
        return True


def fake_clock(n):
    return (T0 + datetime.timedelta(milliseconds=37 * n)).timestamp()


def file_logger(name, path, formatter):
    """A logger writing to `path` alone through `formatter`, ids from the context."""
    logger = logging.getLogger(name)
    logger.handlers.clear()
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    h = logging.FileHandler(path, mode="w")
    h.setFormatter(formatter)
    h.addFilter(ContextFilter())
    logger.addHandler(h)
    return logger, h


def write_jsonlogger(path, records):
    logger, h = file_logger("payments.gateway.jsonlogger", path, jsonlogger.JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(session_id)s"))
    for n, (level, req, sess, msg, tb) in enumerate(records):
        request_id.set(req)
        session_id.set(sess)
        record_time = fake_clock(n)
        factory = logging.getLogRecordFactory()

        def at_time(*a, **k):
            r = factory(*a, **k)
            r.created, r.msecs = record_time, (record_time % 1) * 1000
            return r
        logging.setLogRecordFactory(at_time)
        if tb:
            try:
                raise ValueError("bad amount %d" % n)
            except ValueError:
                logger.exception(msg)
        else:
            getattr(logger, level)(msg)
        logging.setLogRecordFactory(factory)
    h.close()
    logger.removeHandler(h)


def write_structlog(path, records, renderer):
    with open(path, "w") as f:
        structlog.configure(
            processors=[structlog.contextvars.merge_contextvars, structlog.processors.add_log_level,
                        structlog.processors.TimeStamper(fmt="iso", utc=True),
                        structlog.processors.format_exc_info, renderer],
            logger_factory=structlog.PrintLoggerFactory(file=f), cache_logger_on_first_use=False)
        log = structlog.get_logger()
        for n, (level, req, sess, msg, tb) in enumerate(records):
            structlog.contextvars.clear_contextvars()
            if req:
                structlog.contextvars.bind_contextvars(request_id=req, session_id=sess[:8])
            if tb:
                try:
                    raise ValueError("bad amount %d" % n)
                except ValueError:
                    log.exception(msg)
            else:
                getattr(log, level)(msg)


def write_loguru(path, records):
    loguru_logger.remove()
    sink = loguru_logger.add(path, serialize=True, level="DEBUG", mode="w")
    for n, (level, req, sess, msg, tb) in enumerate(records):
        with loguru_logger.contextualize(request_id=req, session_id=sess[:8] if sess else None):
            if tb:
                try:
                    raise ValueError("bad amount %d" % n)
                except ValueError:
                    loguru_logger.exception(msg)
            else:
                loguru_logger.log(level.upper(), msg)
    loguru_logger.remove(sink)


def write_seed(path, records):
    """The article's text layout, for the mixed timeline."""
    logger, h = file_logger("payments.seed", path, logging.Formatter(
        "%(asctime)s - %(levelname)s - [req=%(request_id)s|session=%(session_id)s] - %(message)s"))
    for level, req, sess, msg, tb in records:
        request_id.set(req)
        session_id.set(sess)
        getattr(logger, level)(msg.replace("\n", " "))
    h.close()


class OtelFilter(ContextFilter):
    """What OpenTelemetry's LoggingInstrumentor adds; the trace id is the request's id."""
    def filter(self, record):
        super().filter(record)
        record.otelTraceID = request_id.get() or "0"
        record.otelSpanID = "00f067aa0ba902b7" if request_id.get() else "0"
        record.otelServiceName = "payments"
        return True


def write_otel(path, records):
    """OpenTelemetry's text format (OTEL_PYTHON_LOG_FORMAT), for the mixed timeline."""
    logger, h = file_logger("payments.otel", path, logging.Formatter(
        "%(asctime)s %(levelname)s [%(name)s] [%(filename)s:%(lineno)d] [trace_id=%(otelTraceID)s "
        "span_id=%(otelSpanID)s resource.service.name=%(otelServiceName)s] - %(message)s"))
    h.filters.clear()
    h.addFilter(OtelFilter())
    for level, req, sess, msg, tb in records:
        request_id.set(req)
        getattr(logger, level)(msg.replace("\n", " "))
    h.close()


def split(layout, msg):
    """A record whose value structlog's logfmt splits over lines."""
    return layout == "structlog-logfmt" and "\n" in msg


def run(tracegrep, *args):
    return subprocess.run([tracegrep, *args], capture_output=True, text=True)


def main():
    tracegrep, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    records = plan()
    writers = {
        "python-json-logger": lambda p: write_jsonlogger(p, records),
        "structlog-json": lambda p: write_structlog(p, records, structlog.processors.JSONRenderer()),
        "structlog-logfmt": lambda p: write_structlog(p, records, structlog.processors.LogfmtRenderer()),
        "loguru": lambda p: write_loguru(p, records),
    }
    problems, entries, paths = [], 0, []
    for name, write in writers.items():
        path = "%s/%s.log" % (out_dir, name)
        write(path)
        paths.append(path)
        got = run(tracegrep, "--json", path)
        objs = [json.loads(line) for line in got.stdout.splitlines()]
        if len(objs) != len(records):
            problems.append("%s: %d entries read, %d written (%s)" % (name, len(objs), len(records), got.stderr))
            continue
        for o, (level, req, sess, msg, tb) in zip(objs, records):
            if split(name, msg):
                if not o["msg"].startswith(msg) or o["req"] is not None:
                    problems.append("%s line %s: split value read as %r" % (name, o["line"], o))
                entries += 1
                continue
            want = (level.upper(), req, sess[:8] if sess else None)
            have = (o["level"], o["req"], o["session"])
            if not o["msg"].startswith(msg) or have != want or o["ts"] is None:
                problems.append("%s line %s: read %r, wrote %r" % (name, o["line"], (have, o["msg"], o["ts"]), (want, msg)))
            rest = o["msg"][len(msg):]
            if tb != ("Traceback (most recent call last):" in rest and "ValueError: bad amount" in rest):
                problems.append("%s line %s: traceback %r, wanted one: %s" % (name, o["line"], rest, tb))
            entries += 1
        # -r and -s find exactly their entries.
        for opt, wanted_id, index in (("-r", "r0000004", 1), ("-s", "5e550001abcdef0123", 2)):
            want = sum(1 for r in records if r[index] and not split(name, r[3]) and
                       r[index].startswith(wanted_id[:8] if opt == "-s" else wanted_id))
            got = run(tracegrep, "-c", opt, wanted_id, path)
            if got.stdout.strip() != str(want) or want == 0:
                problems.append("%s: -c %s gave %r, wanted %d" % (name, opt, got.stdout.strip(), want))
        # The index gives what the scan gives.
        db = "%s/%s.db" % (out_dir, name)
        if os.path.exists(db):
            os.remove(db)
        idx = run(tracegrep, "index", "-q", "--db", db, path)
        scan = run(tracegrep, "-s", "5e550001abcdef0123", path)
        query = run(tracegrep, "--db", db, "-s", "5e550001abcdef0123")
        if idx.returncode != 0 or query.stdout != scan.stdout or not scan.stdout:
            problems.append("%s: index query differs from the scan: %r vs %r %s" % (name, query.stdout[:200], scan.stdout[:200], idx.stderr))
    # One request across every layout (and OpenTelemetry's text, whose trace
    # id is the request), in time order.
    seed = "%s/seed.log" % out_dir
    write_seed(seed, records)
    otel = "%s/otel-text.log" % out_dir
    write_otel(otel, records)
    paths.append(otel)
    got = run(tracegrep, "timeline", "--json", "-r", "r0000004", *paths, seed)
    try:
        tl = json.loads(got.stdout)
        sources = sorted({os.path.basename(e["file"]) for e in tl["timeline"]})
        want = sorted(os.path.basename(p) for p in paths + [seed])
        wanted = sum(1 for p in paths + [seed] for r in records
                     if r[1] == "r0000004" and not split(os.path.basename(p)[:-4], r[3]))
        times = [e["ts"] for e in tl["timeline"]]
        if sources != want or len(tl["timeline"]) != wanted or times != sorted(times):
            problems.append("timeline: sources %r, %d entries; wanted %r, %d; in time order: %s"
                            % (sources, len(tl["timeline"]), want, wanted, times == sorted(times)))
    except (ValueError, KeyError) as e:
        problems.append("timeline: %r: %s %s" % (e, got.stdout[:300], got.stderr))
    if problems:
        print("\n".join(problems[:40]))
        return 1
    print("ok %d %d" % (len(writers), entries))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Real Python logging, as services configure it, read back by tracegrep.

For each layout (a logging.Formatter format string, with a contextvars
filter as in the article), this writes records through the real logging
module, including tracebacks, unset ids (ContextVar default None) and
hostile messages, then runs `tracegrep --json` on the file and checks every
entry against what was logged: level, request, session, message and
traceback. Prints "ok LAYOUTS ENTRIES", or what differs, and exits 1.

    /usr/bin/python3 logging_layouts.py TRACEGREP DIR
"""
import contextvars
import json
import os
import logging
import subprocess
import sys

request_id = contextvars.ContextVar("request_id", default=None)
session_id = contextvars.ContextVar("session_id", default=None)


def trace_of(request):
    """The 32-hex trace id OpenTelemetry would carry for a request ("0" when unset, as it writes)."""
    return ("%032x" % (int(request[1:]) * 2654435761 + 1)) if request else "0"


class ContextFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id.get()  # None when unset: written "None"
        s = session_id.get()
        record.session_id = s[:8] if s else s
        # What opentelemetry-instrumentation-logging's LoggingInstrumentor adds.
        record.otelTraceID = trace_of(request_id.get())
        record.otelSpanID = "00f067aa0ba902b7" if request_id.get() else "0"
        record.otelServiceName = "payments"
        record.otelTraceSampled = True
        return True


TAG = "[req=%(request_id)s|session=%(session_id)s]"
LAYOUTS = {
    "seed": "%(asctime)s - %(levelname)s - " + TAG + " - %(message)s",
    "name": "%(asctime)s - %(name)s - %(levelname)s - " + TAG + " - %(message)s",
    "pipes": "%(asctime)s | %(levelname)-8s | %(module)s:%(lineno)d | " + TAG + " %(message)s",
    "bracketed": "%(asctime)s [%(levelname)s] %(name)s: " + TAG + " %(message)s",
    "process": "%(asctime)s %(process)d [%(threadName)s] %(levelname)s " + TAG + " %(message)s",
    "tag-last": "%(asctime)s %(levelname)s %(message)s " + TAG,
    "func": "%(asctime)s - %(name)s - %(funcName)s - %(levelname)s - " + TAG + " - %(message)s",
    # OpenTelemetry's Python logging format (its default OTEL_PYTHON_LOG_FORMAT)
    "otel": "%(asctime)s %(levelname)s [%(name)s] [%(filename)s:%(lineno)d] [trace_id=%(otelTraceID)s "
            "span_id=%(otelSpanID)s resource.service.name=%(otelServiceName)s "
            "trace_sampled=%(otelTraceSampled)s] - %(message)s",
}
OTEL = {"otel"}
DATEFMTS = {"msecs-after-z": ("%(asctime)s.%(msecs)03d - %(name)s - %(levelname)s - " + TAG + " - %(message)s",
                              "%Y-%m-%dT%H:%M:%S%z")}

# Layouts no option-less reading can know (ids without a tag, other date
# formats, other styles): read with --log-format, --date-format and
# --log-format-style given exactly what the Formatter was given.
CUSTOM = {
    "custom-percent": ("%(asctime)s.%(msecs)03d %(levelname)-8s %(name)s %(request_id)s %(session_id)s %(message)s",
                       "%d/%b/%Y:%H:%M:%S", "%"),
    "custom-brace": ("{asctime} [{levelname:^9}] {module}:{lineno} req={request_id} sess={session_id} | {message}",
                     "%a %d %b %Y %I:%M:%S %p", "{"),
    "custom-dollar": ("${created} ${levelno} ${threadName} ${request_id}/${session_id}: ${message}", None, "$"),
}

MESSAGES = ["Payment gateway timeout", "user said [req=evil|session=victim00] in text",
            "two - dashes | and pipes: colons", "ERROR the word, inside", "caf\u00e9 \u65e5\u672c"]


def write(path, fmt, datefmt, style="%"):
    logger = logging.getLogger("payments.gateway." + path.rsplit("/", 1)[-1])
    logger.handlers.clear()
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    h = logging.FileHandler(path, mode="w")
    h.setFormatter(logging.Formatter(fmt, datefmt, style))
    h.addFilter(ContextFilter())
    logger.addHandler(h)
    truth = []
    levels = [(logging.DEBUG, "DEBUG"), (logging.INFO, "INFO"), (logging.WARNING, "WARNING"),
              (logging.ERROR, "ERROR"), (logging.CRITICAL, "CRITICAL")]
    for n in range(60):
        if n % 10 == 0:
            request_id.set(None)
            session_id.set(None)
        else:
            request_id.set("r%07d" % (n // 3))
            session_id.set("5e55%04dabcdef0123" % (n // 7))
        lvl, name = levels[n % len(levels)]
        msg = "%s %d" % (MESSAGES[n % len(MESSAGES)], n)
        if n % 9 == 4:
            try:
                raise ValueError("bad amount %d" % n)
            except ValueError:
                logger.exception(msg)
            lvl, name = logging.ERROR, "ERROR"
            tb = True
        else:
            logger.log(lvl, msg)
            tb = False
        r, s = request_id.get(), session_id.get()
        truth.append((name, r, s[:8] if s else None, msg, tb))
    h.close()
    logger.removeHandler(h)
    return truth


def main():
    tracegrep, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    problems, entries = [], 0
    layouts = {k: (v, None, "%") for k, v in LAYOUTS.items()}
    layouts.update({k: v + ("%",) for k, v in DATEFMTS.items()})
    layouts.update(CUSTOM)
    for name, (fmt, datefmt, style) in layouts.items():
        path = "%s/%s.log" % (out_dir, name)
        truth = write(path, fmt, datefmt, style)
        options = []
        if name in CUSTOM:
            options = ["--log-format", fmt, "--log-format-style", style] + (["--date-format", datefmt] if datefmt else [])
        got = subprocess.run([tracegrep, "--json", *options, path], capture_output=True, text=True)
        objs = [json.loads(line) for line in got.stdout.splitlines()]
        if len(objs) != len(truth):
            problems.append("%s: %d entries read, %d written" % (name, len(objs), len(truth)))
            continue
        for o, (level, req, session, msg, tb) in zip(objs, truth):
            first, _, rest = o["msg"].partition("\n")
            if name in OTEL:  # the trace id is the request; there is no session
                req, session = (trace_of(req) if req else None), None
            want = (level, req, session, msg)
            have = (o["level"], o["req"], o["session"], first)
            if have != want or (tb and "Traceback (most recent call last):" not in rest) or (not tb and rest):
                problems.append("%s line %s: read %r, wrote %r" % (name, o["line"], have, want))
            entries += 1
        if name in OTEL:
            # -r with a trace id finds exactly that request's entries.
            tid = trace_of("r0000004")
            got = subprocess.run([tracegrep, "-c", "-r", tid, *options, path], capture_output=True, text=True)
            want = sum(1 for t in truth if t[1] == "r0000004")
            if got.stdout.strip() != str(want) or want == 0:
                problems.append("%s: -c -r gave %s, wanted %d" % (name, got.stdout.strip(), want))
            continue
        # -s with the whole session id finds exactly that session's entries.
        sid = "5e550001abcdef0123"
        got = subprocess.run([tracegrep, "-c", "-s", sid, *options, path], capture_output=True, text=True)
        want = sum(1 for t in truth if t[2] == sid[:8])
        if got.stdout.strip() != str(want):
            problems.append("%s: -c -s gave %s, wanted %d" % (name, got.stdout.strip(), want))
    if problems:
        print("\n".join(problems[:40]))
        return 1
    print("ok %d %d" % (len(layouts), entries))
    return 0


if __name__ == "__main__":
    sys.exit(main())

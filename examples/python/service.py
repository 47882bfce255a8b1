"""The article's Python service: a Starlette app under uvicorn whose
middleware sets the request context in contextvars, and a logging filter
that writes it into every line as tracegrep reads it:

    2024-01-15 10:30:15,123 - INFO - [req=<trace id>|session=12345678] - message

The request id is the W3C traceparent's trace id when a valid one comes in
(so a request keeps one id across services), else X-Request-ID, else a new
trace id; the session comes from X-Session-ID and is cut to 8 characters.

    /usr/bin/python3 service.py --log FILE
prints "listening on 127.0.0.1:PORT" and serves POST /charge and POST /quit.
Debian's python3-starlette and python3-uvicorn (they serve /usr/bin/python3).
"""
import argparse
import asyncio
import contextvars
import logging
import re
import secrets
import socket
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route

request_id_var = contextvars.ContextVar("request_id", default=None)
session_id_var = contextvars.ContextVar("session_id", default=None)

TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$")
SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def trace_id_from(value):
    """The trace id of a valid traceparent, else None (W3C Trace Context level 1)."""
    m = TRACEPARENT.match((value or "").strip(" \t"))
    if not m or m.group(1) == "ff" or (m.group(1) == "00" and m.group(5)):
        return None
    if set(m.group(2)) == {"0"} or set(m.group(3)) == {"0"}:
        return None
    return m.group(2)


class RequestContextFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id_var.get() or "none"
        session = session_id_var.get()
        record.session_id = session[:8] if session else "none"
        return True


class RequestContextMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        headers = request.headers
        request_id = trace_id_from(headers.get("traceparent"))
        if request_id is None:
            given = headers.get("x-request-id", "")
            request_id = given if SAFE_ID.match(given) else secrets.token_hex(16)
        session = headers.get("x-session-id", "")
        session = session if SAFE_ID.match(session) else secrets.token_hex(16)
        request_token = request_id_var.set(request_id)
        session_token = session_id_var.set(session)
        try:
            log.info("%s %s started", request.method, request.url.path)
            response = await call_next(request)
            log.info("%s %s completed %d", request.method, request.url.path, response.status_code)
            response.headers["X-Request-ID"] = request_id
            return response
        finally:
            request_id_var.reset(request_token)
            session_id_var.reset(session_token)


log = logging.getLogger("payments")


async def charge(request):
    log.info("Charging card")
    await asyncio.sleep(0.01)  # the gateway call; the context survives the await
    log.info("Card charged")
    return PlainTextResponse("charged\n")


async def quit_(request):
    server.should_exit = True
    return PlainTextResponse("bye\n")


def main():
    global server
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    handler = logging.FileHandler(args.log)
    handler.setFormatter(logging.Formatter(
        "%(asctime)s - %(levelname)s - [req=%(request_id)s|session=%(session_id)s] - %(message)s"))
    handler.addFilter(RequestContextFilter())
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False

    app = Starlette(routes=[Route("/charge", charge, methods=["POST"]),
                            Route("/quit", quit_, methods=["POST"])])
    app.add_middleware(RequestContextMiddleware)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)  # connections wait in the backlog until uvicorn accepts them
    print("listening on 127.0.0.1:%d" % sock.getsockname()[1], flush=True)
    server = uvicorn.Server(uvicorn.Config(app, fd=sock.fileno(), log_level="warning", access_log=False))
    server.run()
    handler.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

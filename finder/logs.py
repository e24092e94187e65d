"""Structured logs: one JSON object a line, each tied to its request by an id.

The id is the proxy's X-Request-ID when it looks like one, so a request can be
followed from the proxy's log into ours; otherwise a fresh one. It goes back in
the response's X-Request-ID header and on the error page, for support to find.
Logged: method, path, status and duration. Never logged: the query string, form
data, cookies or addresses, which can hold a patient's name, contact details or health.
"""

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

# Letters, digits and the punctuation of UUIDs, trace ids and base64; nothing that
# could forge a log line or a header.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:+/=-]{8,128}")
MAX_PATH_CHARS = 500

_request_context: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "request_context", default=None
)
access_log = logging.getLogger("finder.requests")


def current_request_id() -> str | None:
    """The id of the request being handled in this thread, if any."""
    context = _request_context.get()
    return context["request_id"] if context else None


class RequestIdMiddleware:
    """Gives each request an id and logs one line when it is answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        path = request.path[:MAX_PATH_CHARS]
        token = _request_context.set(
            {"request_id": request.request_id, "method": request.method, "path": path}
        )
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            duration_ms = round((time.monotonic() - started) * 1000, 1)
            access_log.info(
                "%s %s %s",
                request.method,
                path,
                response.status_code,
                extra={"status_code": response.status_code, "duration_ms": duration_ms},
            )
            return response
        finally:
            _request_context.reset(token)


def _context_of(request) -> dict:
    """For Django's lines about 4xx answers, logged after the middleware has finished."""
    if request is None or not hasattr(request, "request_id"):
        return {}
    return {"request_id": request.request_id, "method": request.method, "path": request.path[:MAX_PATH_CHARS]}


# What RedactFilter takes out of a line: a URL's query string, IPv4 and IPv6 addresses.
QUERY_STRING = re.compile(r"\?[^\s\"']*")
IPV4_ADDRESS = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
IPV6_ADDRESS = re.compile(r"\[?(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}\]?")


def redact(text: str) -> str:
    """A log message without query strings or network addresses."""
    text = QUERY_STRING.sub("?[query removed]", text)
    text = IPV4_ADDRESS.sub("[address]", text)
    return IPV6_ADDRESS.sub("[address]", text)


class RedactFilter(logging.Filter):
    """For log lines we do not write ourselves (gunicorn's): whatever they quote of a
    request, its query string and the client's address never reach the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info:
            # A traceback can quote the request too: keep only its kind.
            record.msg += f" ({record.exc_info[0].__name__})"
            record.exc_info = None
            record.exc_text = None
        return True


class JsonFormatter(logging.Formatter):
    """timestamp, level, logger, message, the request's id, method and path, and for
    request lines the status and duration (ms); a traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **(_request_context.get() or _context_of(getattr(record, "request", None))),
        }
        # Django's request logger and our access lines both carry the status.
        if hasattr(record, "status_code"):
            entry["status"] = record.status_code
        if hasattr(record, "duration_ms"):
            entry["duration_ms"] = record.duration_ms
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)

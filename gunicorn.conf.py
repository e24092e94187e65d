"""gunicorn's settings, read by `make serve` and the systemd unit in docs/deploy.md.

Logs: gunicorn's own lines go out as our JSON lines with client addresses and query
strings removed (finder.logs.RedactFilter), and its access log is never written:
our RequestIdMiddleware logs each request's method, path and status instead. A
query string can hold a patient's email or phone (an admin search); an address is
personal too.
"""

# Seconds a worker may spend on one request before gunicorn kills it. The database
# gives up earlier (DB_TIMEOUT, 20 s), so a held lock fails a request, not a worker.
timeout = 30
graceful_timeout = 30

accesslog = None
errorlog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "finder.logs.RedactFilter"}},
    "formatters": {"json": {"()": "finder.logs.JsonFormatter"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["redact"],
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"handlers": ["stderr"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        # No handler, even when --access-logfile is given on the command line.
        "gunicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
    },
}

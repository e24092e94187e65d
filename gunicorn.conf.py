"""gunicorn's settings, read by `make serve` and the systemd unit in docs/deploy.md.

Logs: gunicorn's own lines go out as our JSON lines with client addresses and query
strings removed (finder.logs.RedactFilter), and its access log is never written:
our RequestIdMiddleware logs each request's method, path and status instead. A
query string can hold a patient's email or phone (an admin search); an address is
personal too.

Metrics (finder.metrics): every worker writes its numbers to files in
PROMETHEUS_MULTIPROC_DIR, so that whichever worker answers /metrics reports them all.
Unset, a folder of this server's own is made in the temp folder and removed at exit.
"""

import os
import shutil
import tempfile
from pathlib import Path

OWN_METRICS_DIR = "FINDER_OWN_METRICS_DIR"  # set when the folder is this server's own

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


def on_starting(server):
    """The metrics folder, in the master before any worker imports prometheus_client; a
    new server counts from zero: files left by an earlier run would be added in."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = os.environ[OWN_METRICS_DIR] = tempfile.mkdtemp(
            prefix="finder-metrics-"
        )
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob("*.db"):
        leftover.unlink()


def child_exit(server, worker):
    """A dead worker's gauges go; its counters and histograms stay in the totals."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if os.environ.get(OWN_METRICS_DIR):
        shutil.rmtree(os.environ[OWN_METRICS_DIR], ignore_errors=True)

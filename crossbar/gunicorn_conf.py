"""gunicorn settings for crossbar, from the KZ_* settings (kzcore.config):

    gunicorn -c python:crossbar.gunicorn_conf crossbar.wsgi:application

With gevent workers, gunicorn reads each request line and its headers under a
``keepalive`` deadline (the same one closes idle keep-alive connections), so
``keepalive`` is KZ_HTTP_HEADER_TIMEOUT; a worker serves ``worker_connections``
connections at once and leaves the rest in the listen queue, so that is
KZ_HTTP_MAX_CONNECTIONS (per worker). gunicorn has no cap per client address:
put a reverse proxy in front for that. Body limits are crossbar's own
(crossbar.body_limits); gunicorn hands chunked bodies over decoded and marks
them ``wsgi.input_terminated``, which crossbar counts.

Each worker serves ``/health``, ``/ready`` (its own connections) and
``/metrics`` (the sum over every worker: each leaves its counters in
``KZ_METRICS_DIR``, a fresh private directory made here unless set; an exited
worker's counters are kept, see kzcore.stats_spool).
"""
import math
import os
import shutil
import tempfile

from kzcore.config import load_config
from kzcore.logs import gunicorn_logconfig
from kzcore.stats_spool import retire

_config = load_config()
logconfig_dict = gunicorn_logconfig(_config.log_level, _config.log_format)  # its lines as ours

bind = f"{_config.listen_host}:{_config.listen_port}"
worker_class = "gevent"
workers = 4
keepalive = max(1, math.ceil(_config.http_header_timeout))   # gunicorn wants whole seconds
worker_connections = _config.http_max_connections
limit_request_line = 8190          # bytes of the request line
limit_request_fields = 100         # header fields
limit_request_field_size = 8190    # bytes of one header field
timeout = 30                       # a worker silent this long is restarted
graceful_timeout = 30

# Workers inherit the environment: every one of them spools to the same place.
_own_metrics_dir = not _config.metrics_dir
METRICS_DIR = _config.metrics_dir or tempfile.mkdtemp(prefix="kz-crossbar-metrics-")
os.environ["KZ_METRICS_DIR"] = METRICS_DIR


def on_starting(server):
    """Files of the workers of an earlier master (a set KZ_METRICS_DIR): retired."""
    os.makedirs(METRICS_DIR, mode=0o700, exist_ok=True)
    for name in os.listdir(METRICS_DIR):
        stem = name.split(".", 1)[0]
        if stem.isdigit():
            retire(METRICS_DIR, int(stem))


def child_exit(server, worker):
    """An exited worker's counters stay in the sums (kzcore.stats_spool)."""
    retire(METRICS_DIR, worker.pid)


def on_exit(server):
    if _own_metrics_dir:
        shutil.rmtree(METRICS_DIR, ignore_errors=True)

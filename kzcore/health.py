"""Health, readiness and Prometheus metrics over HTTP, for any service.

``HealthApp`` is a plain WSGI app any service can serve on a port of its own
(``serve_health``) or mount beside its own routes (e.g. werkzeug's
``DispatcherMiddleware``):

- ``GET /health``: 200 while the process runs, with ``details()`` (roles, names);
- ``GET /ready``: 200 when every check passes, else 503; the body says which failed;
- ``GET /metrics``: the Prometheus text format of ``registry`` (``kzcore.metrics``).

A check is a callable returning ``(ok, detail)``; one that raises has failed.
Checks only read state the service already keeps (connection flags): a probe never
waits on the network.
"""
import json
import logging

import gevent.pywsgi
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

log = logging.getLogger(__name__)

JSON = "application/json"


def run_check(check):
    try:
        ok, detail = check()
    except Exception as exc:  # a broken probe reports not ready rather than crashing
        return False, f"check failed: {exc!r}"
    return bool(ok), detail


class HealthApp:
    def __init__(self, service, *, checks=None, details=None, registry=None):
        self.service = service
        self.checks = dict(checks or {})
        self.details = details or dict
        self.registry = registry

    def readiness(self):
        """(ready, {check name: {"ok", "detail"}})."""
        results = {}
        for name, check in self.checks.items():
            ok, detail = run_check(check)
            results[name] = {"ok": ok, "detail": detail}
        return all(r["ok"] for r in results.values()), results

    def __call__(self, environ, start_response):
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")
        if method not in ("GET", "HEAD"):
            return self._reply(start_response, "405 Method Not Allowed",
                               {"status": "error", "message": "GET only"})
        if path == "/health":
            return self._reply(start_response, "200 OK", {"status": "up", "service": self.service,
                                                           **self.details()})
        if path == "/ready":
            ready, results = self.readiness()
            body = {"status": "ready" if ready else "not ready", "service": self.service,
                    "checks": results, **self.details()}
            return self._reply(start_response, "200 OK" if ready else "503 Service Unavailable",
                               body)
        if path == "/metrics" and self.registry is not None:
            data = generate_latest(self.registry)
            start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST),
                                      ("Content-Length", str(len(data)))])
            return [data]
        return self._reply(start_response, "404 Not Found",
                           {"status": "error", "message": f"no such path: {path}"})

    @staticmethod
    def _reply(start_response, status, body):
        data = json.dumps(body, default=str).encode()
        start_response(status, [("Content-Type", JSON), ("Content-Length", str(len(data)))])
        return [data]


def serve_health(app, host, port):
    """Serve ``app`` on ``host:port`` (0: a free port, see ``server.server_port``)."""
    server = gevent.pywsgi.WSGIServer((host, port), app, log=None,
                                      error_log=logging.getLogger(__name__))
    server.start()
    log.info("health server listening", extra={"service": app.service, "host": host,
                                               "port": server.server_port})
    return server


def serve_configured(make_app, host, port):
    """``serve_health(make_app(), host, port)``, or None when ``port`` is negative
    (a service's ``KZ_<SERVICE>_HEALTH_PORT`` of -1: no health server)."""
    if port < 0:
        return None
    return serve_health(make_app(), host, port)

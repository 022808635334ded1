"""Structured logging set-up for every entry point."""
import json
import logging
import sys
import time

from gevent.hub import Hub

_STANDARD = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line; ``extra={...}`` fields become keys."""

    def format(self, record):
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(level="INFO", fmt="json", stream=None):
    handler = logging.StreamHandler(stream or sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper() if isinstance(level, str) else level)
    log_greenlet_errors()


_GEVENT_PRINT_EXCEPTION = Hub.print_exception


def log_greenlet_errors():
    """gevent reports a greenlet that died with an exception by writing its
    traceback and context straight to stderr; route that report through logging
    instead (one ``greenlet failed`` record, a JSON line under JsonFormatter)."""
    Hub.print_exception = _log_greenlet_error


_STOPPING = (KeyboardInterrupt, SystemExit)   # Ctrl-C or exit in a greenlet: a stop, not a crash


def _log_greenlet_error(hub, context, type_, value, tb):
    try:
        if value is None and isinstance(type_, type):
            value = type_()
        fields = {"context": repr(context)[:300], "error": f"{type(value).__name__}: {value}"}
        if isinstance(value, _STOPPING):
            logging.getLogger("gevent.hub").info("stopping", extra=fields)
        else:
            logging.getLogger("gevent.hub").error("greenlet failed", extra=fields,
                                                  exc_info=(type(value), value, tb))
    except Exception:  # noqa: BLE001 - the hub must never see an error from here
        _GEVENT_PRINT_EXCEPTION(hub, context, type_, value, tb)


def gunicorn_logconfig(level="INFO", fmt="json"):
    """gunicorn's ``logconfig_dict``: its own records (start, workers, signals) in
    the services' format on stderr, not propagated (the worker's root logger is
    crossbar's, set up by ``setup_logging``). Its access log stays off: crossbar
    logs every request itself."""
    formatter = {"()": JsonFormatter} if fmt == "json" else {"format": TEXT_FORMAT}
    level = level.upper() if isinstance(level, str) else level
    return {
        "version": 1, "disable_existing_loggers": False,
        "root": {"level": level, "handlers": []},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["error_console"],
                               "propagate": False, "qualname": "gunicorn.error"},
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False,
                                "qualname": "gunicorn.access"},
        },
        "handlers": {"error_console": {"class": "logging.StreamHandler", "formatter": "service",
                                       "stream": "ext://sys.stderr"}},
        "formatters": {"service": formatter},
    }

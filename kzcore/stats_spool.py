"""One /metrics for a service run as several worker processes (gunicorn).

Prometheus scrapes one port; behind it gunicorn hands each request to any
worker, and each worker counts only what it served. So every worker writes its
snapshot (``read()``: ``{"counters": {...}, "gauges": {...}}``, see
``kzcore.timings``) to ``<directory>/<pid>.json`` every ``interval`` seconds
(off the request path: a greenlet), and the worker that answers a scrape adds
its own live snapshot to the files of the others (``merged``).

A worker that exits leaves its counters to ``dead.json`` (the master's
``child_exit`` hook calls ``retire``), so totals never go backwards when a
worker is replaced; its gauges go with it. What a worker counted during its
last ``interval`` before dying is lost.
"""
import json
import logging
import os

import gevent

from kzcore.timings import merge

log = logging.getLogger(__name__)

DEAD = "dead.json"


def _read_json(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None      # gone meanwhile, or half-written by a worker killed mid-write


def _write_json(path, value):
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(value, handle, separators=(",", ":"))
    os.replace(temporary, path)


class StatsSpool:
    def __init__(self, directory, read, interval=1.0):
        self.directory = directory
        self.read = read
        self.interval = interval
        self._greenlet = None

    @property
    def path(self):
        return os.path.join(self.directory, f"{os.getpid()}.json")

    def start(self):
        if self._greenlet is None:
            self._greenlet = gevent.spawn(self._loop)
        return self

    def stop(self):
        if self._greenlet is not None:
            self._greenlet.kill(block=False)
            self._greenlet = None

    def _loop(self):
        while True:
            try:
                _write_json(self.path, self.read())
            except Exception:  # noqa: BLE001 - metrics must never take a worker down
                log.exception("stats spool write failed", extra={"path": self.path})
            gevent.sleep(self.interval)

    def merged(self):
        """This process's snapshot plus every other worker's last one and the
        counters of those that exited."""
        total = self.read()
        own = os.path.basename(self.path)
        for name in sorted(os.listdir(self.directory)):
            if name == own or not name.endswith(".json"):
                continue
            other = _read_json(os.path.join(self.directory, name))
            if isinstance(other, dict):
                total = merge(total, other)
        return total


def retire(directory, pid):
    """Fold an exited worker's counters into ``dead.json`` (the master calls this;
    it alone writes that file)."""
    path = os.path.join(directory, f"{pid}.json")
    snapshot = _read_json(path)
    if isinstance(snapshot, dict):
        dead = _read_json(os.path.join(directory, DEAD)) or {"counters": {}}
        _write_json(os.path.join(directory, DEAD),
                    {"counters": merge(dead.get("counters", {}),
                                       snapshot.get("counters", {}))})
    leftovers = [name for name in os.listdir(directory) if name.startswith(f"{pid}.json.")]
    for leftover in [path] + [os.path.join(directory, name) for name in leftovers]:
        try:
            os.remove(leftover)
        except OSError:
            pass

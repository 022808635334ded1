"""Helpers (no tests) for the JSON-log tests: a service run as its console script
(a process, as docker-compose runs it) whose stdout and stderr are read back as
log records, failing on any line that is not one JSON object."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from crossbar.bootstrap import bootstrap
from kzcore.schemas.loader import load_schemas
from kzcore.store.embedded import EmbeddedStore
from tests.support.paths import REPO

SECRET = "json-logs-secret"
ADMIN = {"account_name": "Logs Co", "realm": "logs.test.local", "username": "admin",
         "password": "l0gs-admin"}
REQUIRED = {"ts", "level", "logger", "msg"}


def service_env(tmp_path, **settings):
    env = {key: value for key, value in os.environ.items() if not key.startswith("KZ_")}
    env.update(KZ_STORE="embedded", KZ_STORE_PATH=str(tmp_path / "store.sqlite3"),
               KZ_TOKEN_SECRET=SECRET, KZ_LOG_FORMAT="json", KZ_LOG_LEVEL="INFO",
               KZ_RECORDINGS_DIR=str(tmp_path / "recordings"),
               PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.update({key: str(value) for key, value in settings.items()})
    return env


def seeded_store(tmp_path):
    """The store file the service will open, with schemas and an admin account."""
    store = EmbeddedStore(str(tmp_path / "store.sqlite3"))
    load_schemas(store)
    admin = bootstrap(store, **ADMIN)
    store.close()
    return admin


def console_script(module):
    """The argv of a console script (``kz-crossbar`` is ``crossbar.cli:main``)."""
    return [sys.executable, "-c", f"from {module} import main; raise SystemExit(main())"]


class Service:
    """One service as a process; ``stop()`` returns its log records."""

    def __init__(self, argv, env):
        self.process = subprocess.Popen(
            argv, env=env, cwd=str(REPO), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)

    def stop(self, signum=signal.SIGTERM):
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            out, err = self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate(timeout=5)
        return json_records(out + err)

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate(timeout=5)


def json_records(text):
    """Every non-empty line as a JSON object with the standard fields (fails on any other)."""
    records = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            pytest.fail(f"line {number} is not JSON: {line!r}\n--- log ---\n{text[-4000:]}")
        assert isinstance(record, dict) and REQUIRED <= set(record), line
        records.append(record)
    assert records, "the service wrote no log at all"
    return records


def messages(records, **fields):
    return [r for r in records if all(r.get(k) == v for k, v in fields.items())]


def wait_until(condition, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except (OSError, requests.RequestException):
            pass
        time.sleep(0.05)
    pytest.fail(f"{what} not met within {timeout}s")

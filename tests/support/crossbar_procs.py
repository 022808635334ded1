"""crossbar as real processes for the scale-out tests: a pouchdb-server of their
own (the product's database names, unprefixed), ``kz-crossbar`` processes, and
an HTTP client with the ``ApiHarness`` calls (``call``, ``client.put/open``), so
that the in-process suites' helpers run over the network unchanged."""
import dataclasses
import os
import subprocess
import sys
import time

import requests

from tests.support.couch import (POUCHDB_BIN, _die_with_parent, ensure_pouchdb_installed,
                                 free_port, stop_process, wait_for_http)
from tests.support.paths import REPO

STARTUP_TIMEOUT = 30.0


def start_pouchdb(workdir):
    """``(url, process)`` of an in-memory pouchdb-server for these processes alone."""
    ensure_pouchdb_installed()
    port = free_port()
    log_path = workdir / "pouchdb.txt"
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            [str(POUCHDB_BIN), "--in-memory", "--port", str(port), "--host", "127.0.0.1",
             "--no-stdout-logs"], cwd=workdir, stdout=log_file, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
    url = f"http://127.0.0.1:{port}"
    wait_for_http(url, process, log_path)
    return url, process


def product_env(**settings):
    """The environment of a product process: ``KZ_*`` from ``settings`` only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KZ_")}
    env["PYTHONPATH"] = str(REPO)
    env.update({f"KZ_{key.upper()}": str(value) for key, value in settings.items()})
    return env


class CrossbarProcess:
    """``python -m crossbar.cli`` on a free port; started = ``/ready`` answers 200."""

    def __init__(self, log_path, **settings):
        self.port = free_port()
        self.log_path = log_path
        self.env = product_env(listen_host="127.0.0.1", listen_port=self.port, **settings)
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self._log = open(self.log_path, "ab")
        self.process = subprocess.Popen([sys.executable, "-m", "crossbar.cli"], env=self.env,
                                        cwd=str(REPO), stdout=subprocess.DEVNULL,
                                        stderr=self._log, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            assert self.process.poll() is None, self.log_path.read_text()[-3000:]
            try:
                if requests.get(self.url + "/ready", timeout=1).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "kz-crossbar never became ready: " \
                + self.log_path.read_text()[-3000:]
            time.sleep(0.1)

    def stop(self):
        if self.process is not None:
            stop_process(self.process)
            self._log.close()


@dataclasses.dataclass
class Reply:
    status_code: int
    body: object
    headers: dict

    def get_json(self):
        return self.body


def _reply(response):
    try:
        body = response.json()
    except ValueError:
        body = None
    return Reply(response.status_code, body, dict(response.headers))


class HttpClient:
    """The part of Flask's test client the suites use, over real HTTP."""

    def __init__(self, base):
        self.base = base

    def open(self, path, method="GET", data=None, content_type=None, headers=None, json=None):
        headers = dict(headers or {})
        if content_type:
            headers["Content-Type"] = content_type
        return _reply(requests.request(method, self.base + path, data=data, json=json,
                                       headers=headers, timeout=15))

    def put(self, path, **kwargs):
        return self.open(path, method="PUT", **kwargs)


class HttpApi:
    """``ApiHarness``'s calls against ``base`` (e.g. a load balancer's URL)."""

    def __init__(self, base, store):
        self.client, self.store = HttpClient(base), store

    def call(self, method, path, data=None, token=None, body=None, headers=None):
        hdrs = dict(headers or {})
        if token:
            hdrs["X-Auth-Token"] = token
        payload = {"data": data} if data is not None else body
        return self.client.open(path, method=method, headers=hdrs, json=payload)

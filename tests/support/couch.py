"""Document store fixtures.

``couch_url`` (session): ``COUCHDB_URL`` if set, else an in-memory pouchdb-server
from tests/node started on a free port and stopped at session end (it also dies
with the test process: PR_SET_PDEATHSIG). Neither reachable fails the tests that
need it (tests.support.needs). ``store``: a fresh store per test, parametrized
over ``embedded`` and ``couchdb``; on CouchDB every database name is prefixed per
test (``PrefixedStore``) and the databases are deleted afterwards.
``new_store(kind)`` makes more such stores (the API and live suites use it).
pouchdb-server drops "/" from database names (``a/b`` and ``ab`` collide there,
not on CouchDB) and matches ``$ne`` on missing fields (CouchDB does not): keep
shared tests clear of both.
"""
import ctypes
import os
import pathlib
import signal
import socket
import subprocess
import time
import urllib.request
import uuid

import pytest

from kzcore.store.base import Store
from kzcore.store.couch import CouchStore
from kzcore.store.embedded import EmbeddedStore
from tests.support.needs import service_missing

NODE_DIR = pathlib.Path(__file__).resolve().parents[1] / "node"
POUCHDB_BIN = NODE_DIR / "node_modules" / ".bin" / "pouchdb-server"
START_TIMEOUT = 30.0


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent():
    """Runs in the child before exec: SIGTERM it when the test process dies."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def ensure_pouchdb_installed():
    if not POUCHDB_BIN.exists():
        subprocess.run(["npm", "ci", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund"],
                       check=True, timeout=600)


def check_reachable(url):
    """Raises OSError unless a CouchDB-API server answers at ``url``."""
    with urllib.request.urlopen(url + "/", timeout=3.0) as reply:
        if reply.status != 200:
            raise OSError(f"HTTP {reply.status} from {url}/")


COUCH_HINT = ("Run ./test.sh (it installs pouchdb-server from npm), or point COUCHDB_URL "
              "at a CouchDB server")


def wait_for_http(url, process, log_path, timeout=START_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pouchdb-server exited {process.returncode}: "
                               f"{pathlib.Path(log_path).read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/", timeout=1.0) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"pouchdb-server did not answer on {url} within {timeout}s")


def stop_process(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture(scope="session")
def couch_url(tmp_path_factory):
    if os.environ.get("COUCHDB_URL"):
        url = os.environ["COUCHDB_URL"].rstrip("/")
        try:
            check_reachable(url)
        except OSError as exc:
            service_missing("CouchDB at COUCHDB_URL", f"{exc!r}", COUCH_HINT)
        yield url
        return
    try:
        ensure_pouchdb_installed()
    except (OSError, subprocess.SubprocessError) as exc:
        service_missing("pouchdb-server", f"cannot install it ({exc!r})", COUCH_HINT)
    workdir = tmp_path_factory.mktemp("pouchdb")  # it writes config.json and log.txt in cwd
    port = free_port()
    log_path = workdir / "stdout.txt"
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            [str(POUCHDB_BIN), "--in-memory", "--port", str(port), "--host", "127.0.0.1",
             "--no-stdout-logs"],
            cwd=workdir, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent)
    try:
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for_http(url, process, log_path)
        except RuntimeError as exc:
            service_missing("pouchdb-server", str(exc), COUCH_HINT)
        yield url
    finally:
        stop_process(process)


class PrefixedStore(Store):
    """Forwards to ``inner`` with every database name prefixed; remembers the
    databases it touched so ``drop_all`` can delete them."""

    def __init__(self, inner, prefix):
        self.inner, self.prefix, self.touched = inner, prefix, set()

    def _name(self, db):
        self.touched.add(self.prefix + db)
        return self.prefix + db

    def db_exists(self, db):
        return self.inner.db_exists(self._name(db))

    def create_db(self, db):
        return self.inner.create_db(self._name(db))

    def delete_db(self, db):
        return self.inner.delete_db(self._name(db))

    def get(self, db, doc_id):
        return self.inner.get(self._name(db), doc_id)

    def save(self, db, doc):
        return self.inner.save(self._name(db), doc)

    def delete(self, db, doc_id, rev):
        return self.inner.delete(self._name(db), doc_id, rev)

    def all_docs(self, db, start_key=None, limit=None):
        return self.inner.all_docs(self._name(db), start_key=start_key, limit=limit)

    def find(self, db, selector, limit=None, sort=None):
        return self.inner.find(self._name(db), selector, limit=limit, sort=sort)

    def put_attachment(self, db, doc_id, rev, name, content, content_type):
        return self.inner.put_attachment(self._name(db), doc_id, rev, name, content,
                                         content_type)

    def get_attachment(self, db, doc_id, name):
        return self.inner.get_attachment(self._name(db), doc_id, name)

    def delete_attachment(self, db, doc_id, rev, name):
        return self.inner.delete_attachment(self._name(db), doc_id, rev, name)

    def drop_all(self):
        for db in sorted(self.touched):
            self.inner.delete_db(db)

    def close(self):
        self.inner.close()


def unique_db_prefix():
    return f"t{uuid.uuid4().hex[:10]}_"


STORE_KINDS = ("embedded", "couchdb")


@pytest.fixture
def new_store(request):
    """``new_store(kind, account_dbs_on_write=True)`` -> a fresh, empty store of that
    kind (``embedded``: SQLite in memory; ``couchdb``: its own database prefix on
    the CouchDB-API server), closed (and its CouchDB databases deleted) after the
    test. The product opens its stores with ``account_dbs_on_write=False``."""
    made = []

    def make(kind, account_dbs_on_write=True):
        if kind == "embedded":
            backend = EmbeddedStore(":memory:", account_dbs_on_write=account_dbs_on_write)
        elif kind == "couchdb":
            backend = PrefixedStore(CouchStore(request.getfixturevalue("couch_url"),
                                               account_dbs_on_write=account_dbs_on_write),
                                    unique_db_prefix())
        else:
            raise ValueError(f"unknown store kind {kind!r}; one of {STORE_KINDS}")
        made.append(backend)
        return backend

    yield make
    for backend in made:
        try:
            if isinstance(backend, PrefixedStore):
                backend.drop_all()
        finally:
            backend.close()


@pytest.fixture(params=STORE_KINDS)
def store(request, new_store):
    """A fresh, empty store of each backend."""
    return new_store(request.param)


@pytest.fixture
def store_kind(store):
    """``"embedded"`` or ``"couchdb"`` for the current ``store``."""
    return "embedded" if isinstance(store, EmbeddedStore) else "couchdb"

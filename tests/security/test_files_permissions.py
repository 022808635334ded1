"""What ``kz-all`` writes on disk is its owner's alone, whatever the umask: the
store file and its WAL/SHM and the generated token secret 0600, the ``var/``
and recordings directories it creates 0700; a store file left 0644 by an
older version is tightened on open."""
import os
import stat

import pytest
import requests

from tests.security.limits_support import kz_all


@pytest.fixture
def open_umask():
    previous = os.umask(0o022)   # the usual default: files 0644, directories 0755
    yield
    os.umask(previous)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_kz_all_creates_private_files_and_directories(tmp_path, open_umask):
    var = tmp_path / "var"
    server = kz_all(tmp_path, store_path=str(var / "store.sqlite3"), token_secret="",
                    recordings_dir=str(tmp_path / "rec" / "recordings"))
    try:
        token = server.token()     # a write: the WAL and its index exist from here on
        reply = requests.put(server.url(f"/v2/accounts/{server.admin['account_id']}/conferences"),
                             json={"data": {"name": "disk"}}, timeout=5,
                             headers={"X-Auth-Token": token})
        assert reply.status_code == 201
        files = [var / name for name in ("store.sqlite3", "store.sqlite3-wal",
                                         "store.sqlite3-shm", "token_secret")]
        assert {f.name: oct(_mode(f)) for f in files} == {f.name: "0o600" for f in files}
        dirs = [var, tmp_path / "rec", tmp_path / "rec" / "recordings"]
        assert {d.name: oct(_mode(d)) for d in dirs} == {d.name: "0o700" for d in dirs}
    finally:
        server.stop()


def test_an_existing_world_readable_store_is_tightened(tmp_path, open_umask):
    from kzcore.store.embedded import EmbeddedStore
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    path = shared / "store.sqlite3"
    EmbeddedStore(str(path)).close()
    os.chmod(path, 0o644)
    server = kz_all(tmp_path, store_path=str(path))
    try:
        assert _mode(path) == 0o600
        assert _mode(shared) == 0o755    # a directory it did not create is left alone
    finally:
        server.stop()

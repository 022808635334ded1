"""Embedded-store specifics: a file shared by several connections and processes."""
import json
import subprocess
import sys

import gevent
import pytest

from kzcore.errors import BadRequest, Conflict
from kzcore.store.embedded import EmbeddedStore

DB = "account/12/34/56789abcdef0123456789abcdef0"

# A worker process: increments a shared counter N times, retrying on Conflict.
WORKER = """
import sys
from kzcore.errors import Conflict
from kzcore.store.embedded import EmbeddedStore
store = EmbeddedStore(sys.argv[1])
done = 0
while done < int(sys.argv[2]):
    doc = store.get("counters", "shared")
    try:
        store.save("counters", {**doc, "n": doc["n"] + 1})
        done += 1
    except Conflict:
        pass
"""


def test_file_store_creates_parent_dirs_and_persists(tmp_path):
    path = tmp_path / "var" / "deep" / "store.sqlite3"
    first = EmbeddedStore(str(path))
    saved = first.save(DB, {"_id": "a", "v": 1})
    first.close()
    second = EmbeddedStore(str(path))
    assert second.get(DB, "a") == saved
    assert second._read("PRAGMA journal_mode")[0][0] == "wal"
    second.close()


def test_two_connections_see_each_other_and_conflict(tmp_path):
    path = str(tmp_path / "store.sqlite3")
    one, two = EmbeddedStore(path), EmbeddedStore(path)
    base = one.save(DB, {"_id": "race", "n": 0})
    outcomes = []

    def attempt(store, n):
        try:
            store.save(DB, {**base, "n": n})
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    gevent.joinall([gevent.spawn(attempt, (one, two)[n % 2], n) for n in range(20)], timeout=20)
    assert sorted(outcomes) == ["conflict"] * 19 + ["ok"]
    assert two.get(DB, "race") == one.get(DB, "race")


def test_processes_share_the_file_without_lost_updates(tmp_path):
    path = str(tmp_path / "shared.sqlite3")
    EmbeddedStore(path).save("counters", {"_id": "shared", "n": 0})
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, path, "60"]) for _ in range(3)]
    assert [worker.wait(timeout=60) for worker in workers] == [0, 0, 0]
    assert EmbeddedStore(path).get("counters", "shared")["n"] == 180


def test_invalid_selector_is_a_bad_request():
    store = EmbeddedStore()
    store.save(DB, {"_id": "a"})
    with pytest.raises(BadRequest):
        store.find(DB, {"a": {"$bogus": 1}})


def test_inline_base64_attachment_on_save():
    store = EmbeddedStore()
    store.save(DB, {"_id": "m", "_attachments": {
        "a.txt": {"content_type": "text/plain", "data": "aGVsbG8="}}})
    assert store.get_attachment(DB, "m", "a.txt") == (b"hello", "text/plain")
    assert json.dumps(store.get(DB, "m")["_attachments"]["a.txt"]["length"]) == "5"

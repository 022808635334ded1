"""make_store picks the backend from the configuration."""
import pytest

from kzcore.config import load_config
from kzcore.store.couch import CouchStore
from kzcore.store.embedded import EmbeddedStore
from kzcore.store.factory import make_store


def test_embedded_store_at_configured_path(tmp_path):
    path = tmp_path / "sub" / "store.sqlite3"
    store = make_store(load_config(env={}, store="embedded", store_path=str(path)))
    assert isinstance(store, EmbeddedStore)
    store.save("accounts", {"_id": "a"})
    assert path.exists()


def test_couchdb_store_from_config(couch_url):
    config = load_config(env={"KZ_STORE": "couchdb", "KZ_COUCH_URL": couch_url})
    store = make_store(config)
    assert isinstance(store, CouchStore) and store.url == couch_url
    assert store.db_exists("no_such_db_here") is False


def test_unknown_store_is_a_clear_error():
    with pytest.raises(ValueError, match="'mongo'.*embedded.*couchdb"):
        make_store(load_config(env={}, store="mongo"))
